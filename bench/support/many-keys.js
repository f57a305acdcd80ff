// The many-keys corpus: one ~21 MB file holding 400,000 generated keys, one per line
// (`token=lmnfl_<8>.<32>`), committed in its own small git repository. It measures whether
// lumenguard's memory stays bounded when the number of findings is large.
//
// Keys come from the seed and exist only in that file (gitignored cache, like every corpus);
// the manifest records counts and a digest of the fingerprints, never a key. The accuracy check
// regenerates the expected fingerprints from the seed (`expectedManyKeys`).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { git, initRepo } from './history.js';
import { fingerprint, makeKey } from './plants.js';
import { Rng } from './prng.js';

export const MANY_KEYS_VERSION = 1;
export const MANY_KEYS = { keys: 400000, file: 'fixtures/leaked-tokens.txt', prefix: 'token=', idLength: 8, secretLength: 32 };

/** The keys in file order (calls `each(key, index)`), from the seed. */
function forEachKey(seed, each) {
  const rng = new Rng(seed).fork('many-keys');
  for (let i = 0; i < MANY_KEYS.keys; i++) each(makeKey(rng, MANY_KEYS), i);
}

/** fingerprint → { line, column } of every key (1-based; all ASCII, so columns are bytes + 1). */
export function expectedManyKeys(seed) {
  const expected = new Map();
  forEachKey(seed, (key, i) => expected.set(fingerprint(key), { line: i + 1, column: MANY_KEYS.prefix.length + 1 }));
  return expected;
}

function reusableManifest(target, seed) {
  try {
    const manifest = JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8'));
    if (manifest.version !== MANY_KEYS_VERSION || manifest.seed !== seed) return null;
    const repo = join(target, 'repo');
    if (git(repo, ['rev-parse', 'HEAD']) !== manifest.head) return null;
    if (git(repo, ['status', '--porcelain', '--untracked-files=no']) !== '') return null;
    if (statSync(join(repo, MANY_KEYS.file)).size !== manifest.stats.bytes) return null;
    return manifest;
  } catch {
    return null;
  }
}

/** Generate (or reuse) the corpus. Returns { dir, repoDir, file, seed, head, stats, reused }. */
export function prepareManyKeys({ root, seed, log = console.log }) {
  const target = join(root, `many-keys-seed${seed}`);
  const existing = reusableManifest(target, seed);
  if (existing) return { ...existing, dir: target, repoDir: join(target, 'repo'), file: MANY_KEYS.file, reused: true };

  const started = Date.now();
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const repoDir = join(tmp, 'repo');
  initRepo(repoDir);
  mkdirSync(join(repoDir, 'fixtures'), { recursive: true });
  // Config is looked up from the scanned folder upward: this one stops the search before the project's.
  writeFileSync(join(repoDir, 'lumenguard.config.json'), '{}\n');
  const fd = openSync(join(repoDir, MANY_KEYS.file), 'w');
  const digest = createHash('sha256');
  let bytes = 0;
  let batch = [];
  const flush = () => {
    const chunk = Buffer.from(batch.join(''));
    writeSync(fd, chunk);
    bytes += chunk.length;
    batch = [];
  };
  try {
    forEachKey(seed, (key) => {
      digest.update(fingerprint(key));
      batch.push(`${MANY_KEYS.prefix}${key}\n`);
      if (batch.length === 10000) flush();
    });
    flush();
  } finally {
    closeSync(fd);
  }
  git(repoDir, ['add', '-A']);
  const when = '1735732800 +0000';
  execFileSync('git', ['commit', '-q', '-m', 'Add leaked token dump'], { cwd: repoDir, stdio: 'ignore',
    env: { ...process.env, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when } });
  const manifest = { generator: 'lumenguard-bench-many-keys', version: MANY_KEYS_VERSION, seed, repo: 'repo', file: MANY_KEYS.file,
    head: git(repoDir, ['rev-parse', 'HEAD']), stats: { keys: MANY_KEYS.keys, bytes }, fingerprintsDigest: digest.digest('hex') };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  log(`  many-keys: ${MANY_KEYS.keys} keys, ${(bytes / 1e6).toFixed(1)} MB, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ...manifest, dir: target, repoDir: join(target, 'repo'), reused: false };
}

/**
 * Findings of a many-keys scan against the seed's keys, without keeping 400,000 objects twice:
 * { found, exact, elsewhere: [finding], extra: [finding], other: [finding], missed }.
 */
export function compareManyKeys(findings, seed) {
  const expected = expectedManyKeys(seed);
  const seen = new Set();
  const result = { found: 0, exact: 0, elsewhere: [], extra: [], other: [], missed: 0 };
  for (const f of findings) {
    const fp = f.secret?.fingerprint;
    if (!fp) {
      result.other.push(f);
      continue;
    }
    const want = expected.get(fp);
    if (!want || f.file !== MANY_KEYS.file || seen.has(fp)) {
      result.extra.push(f);
      continue;
    }
    seen.add(fp);
    result.found++;
    if (f.line === want.line && f.column === want.column) result.exact++;
    else result.elsewhere.push(f);
  }
  result.missed = expected.size - seen.size;
  return result;
}
