// The pre-commit scenarios' repository: a `git clone --local` of a corpus repo (the generated one,
// or the clone of a real project) in a `staged-repo/` folder beside it, so the corpus itself keeps
// its clean tree and index; reused across runs and reset to the corpus head each time, with a
// 5-file change staged.
// The keyed variant writes a generated key into one staged file for a single run and takes it out
// again; the key exists only in that scratch clone (gitignored, like the corpus), never in bench/.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { makeKey, fingerprint, KEY_LINES } from './plants.js';
import { Rng } from './prng.js';

const git = (cwd, args) => execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

// One file per kind a typical change touches: code, a test-ish script, docs, config.
const PICK_EXTS = ['.ts', '.js', '.py', '.md', '.yaml'];
const MIN_BYTES = 1000;
const MAX_BYTES = 16000;
const COMMENT = { '.ts': '//', '.js': '//', '.go': '//', '.py': '#', '.yaml': '#', '.md': '' };

function cloneAtHead(source, dir) {
  try {
    if (existsSync(dir) && git(dir, ['rev-parse', 'HEAD']) === source.head) return false;
  } catch {
    // not a usable clone: make a new one
  }
  rmSync(dir, { recursive: true, force: true });
  execFileSync('git', ['clone', '-q', '--local', source.repoDir, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  git(dir, ['config', 'gc.auto', '0']);
  git(dir, ['config', 'core.autocrlf', 'false']);
  return true;
}

/** Five tracked text files of ordinary size (1–16 KB) without planted keys, chosen from the seed. */
function chooseFiles(source, dir) {
  const keyed = new Set(source.keyedFiles);
  const candidates = git(dir, ['ls-tree', '-r', '-l', 'HEAD']).split('\n').map((row) => {
    const [meta, path] = row.split('\t');
    return { path, bytes: Number(meta.split(/\s+/)[3]) };
  }).filter((f) => !f.path.startsWith('"') && f.bytes >= MIN_BYTES && f.bytes <= MAX_BYTES && !keyed.has(f.path) && extname(f.path) in COMMENT)
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const rng = new Rng(source.seed).fork('staged-change');
  const chosen = [];
  for (const ext of PICK_EXTS) {
    const pool = candidates.filter((f) => extname(f.path) === ext && !chosen.includes(f));
    chosen.push(rng.pick(pool.length ? pool : candidates.filter((f) => !chosen.includes(f))));
  }
  return chosen;
}

/**
 * Clone (or reuse) the scratch repo `dir` from `repoDir`, reset it to `head`, edit and stage 5
 * files (chosen from `seed`, none of `keyedFiles`). Returns { dir, files, staged, cloned }.
 */
export function prepareStagedRepo({ repoDir, dir, head, seed, keyedFiles = [] }) {
  const source = { repoDir, head, seed, keyedFiles };
  const cloned = cloneAtHead(source, dir);
  git(dir, ['reset', '-q', '--hard', head]);
  git(dir, ['clean', '-q', '-f', '-d']);
  const files = chooseFiles(source, dir).map(({ path, bytes }) => {
    const original = readFileSync(join(dir, path), 'utf8');
    const comment = COMMENT[extname(path)];
    const line = comment ? `${comment} bench: staged edit` : 'Bench: staged edit.';
    const edited = `${original}${original.endsWith('\n') ? '' : '\n'}${line}\n`;
    writeFileSync(join(dir, path), edited);
    return { path, bytes, edited };
  });
  git(dir, ['add', '--', ...files.map((f) => f.path)]);
  // A fresh checkout leaves index entries "racily clean" (same second as the index), which makes
  // the first few `git status` calls re-hash files. A real repository is past that: refresh once.
  if (cloned) execFileSync('sleep', ['1']);
  git(dir, ['update-index', '-q', '--refresh']);
  const staged = git(dir, ['diff', '--cached', '--name-only']).split('\n').filter(Boolean);
  return { dir, files, staged, cloned };
}

/**
 * Run `fn()` while the first staged file also carries a generated key (staged, and on disk alike),
 * then restore the clean 5-file change. Returns { result, expected } where expected is
 * { file, line, column, fingerprint }; the key itself is not returned.
 */
export function withStagedKey(stagedRepo, seed, fn) {
  const target = stagedRepo.files.find((f) => extname(f.path) === '.ts') ?? stagedRepo.files[0];
  const key = makeKey(new Rng(seed).fork('staged-key'));
  const template = KEY_LINES.ts[0];
  const lines = target.edited.split('\n').length; // edited ends with '\n': the key line comes after the last line
  const expected = { file: target.path, line: lines, column: template.indexOf('{key}') + 1, fingerprint: fingerprint(key) };
  const abs = join(stagedRepo.dir, target.path);
  try {
    writeFileSync(abs, `${target.edited}${template.replace('{key}', key)}\n`);
    git(stagedRepo.dir, ['add', '--', target.path]);
    return { result: fn(), expected };
  } finally {
    writeFileSync(abs, target.edited);
    git(stagedRepo.dir, ['add', '--', target.path]);
  }
}
