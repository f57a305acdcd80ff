// The many-files corpus: a git repository of 200,000 small source files (one commit), for memory
// and per-file cost at scale. Layout: packages/<pkg>/src/<area>/<group>/<file>, 250 × 8 × 10 × 10
// files of ~100 B–6 KB (log-normal, median ~450 B), in the mix of languages the main corpus uses,
// with decoys in 2 % of the files and MANY_FILES.plants generated keys at recorded positions.
// Written with one `git fast-import` stream (a pack, not 200,000 loose objects), then checked out.
// Same seed → the same bytes and commit id. Lives in <corpus root>/many-files-seed<seed>/.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importHistory, initRepo, git } from './history.js';
import { fingerprint, insertKeyLine, KEY_LINES, makeKey } from './plants.js';
import { Rng } from './prng.js';
import { LANGUAGES, addDecoys, joinLines } from './textgen.js';
import { ADJECTIVES, camel, noun, snake } from './words.js';

// Bump whenever the output changes, so a stale corpus is regenerated instead of reused.
export const MANY_FILES_VERSION = 1;
export const MANY_FILES = { packages: 250, areas: 8, groups: 10, filesPerGroup: 10, plants: 16, decoyShare: 0.02 };
const LANG_MIX = [[35, 'ts'], [20, 'js'], [10, 'py'], [5, 'go'], [10, 'md'], [10, 'json'], [10, 'yaml']];

function fileSize(rng) {
  return Math.min(6000, Math.max(100, Math.round(rng.logNormal(350, 0.8))));
}

function baseName(rng, lang) {
  return { ts: camel(rng), js: camel(rng), py: snake(rng), go: `${noun(rng)}_store`, md: `${rng.pick(ADJECTIVES)}-${noun(rng)}`,
    json: `${noun(rng)}-fixture`, yaml: `${noun(rng)}-config` }[lang];
}

/** Every file as { path, lang, lines }; the index in the array is the file's number. */
function planFiles(rng) {
  const files = [];
  const { packages, areas, groups, filesPerGroup } = MANY_FILES;
  for (let p = 0; p < packages; p++) {
    const pkg = `packages/${noun(rng)}-${p}`;
    for (let a = 0; a < areas; a++) {
      const area = `${pkg}/src/${noun(rng)}-${a}`;
      for (let g = 0; g < groups; g++) {
        const group = `${area}/${rng.pick(ADJECTIVES)}-${g}`;
        for (let f = 0; f < filesPerGroup; f++) {
          const lang = rng.weighted(LANG_MIX);
          files.push({ path: `${group}/${baseName(rng, lang)}-${f}.${LANGUAGES[lang].ext}`, lang, lines: LANGUAGES[lang].lines(rng, fileSize(rng)) });
        }
      }
    }
  }
  return files;
}

/** Keys in MANY_FILES.plants distinct files, each where that language keeps a key. */
function plant(rng, files) {
  const planted = [];
  const taken = new Set();
  while (planted.length < MANY_FILES.plants) {
    const index = rng.int(files.length);
    const file = files[index];
    if (taken.has(index) || file.lines.length < 5) continue;
    taken.add(index);
    const key = makeKey(rng);
    const lang = file.lang === 'js' ? 'ts' : file.lang;
    const at = lang === 'json' ? 1 : lang === 'yaml' ? 3 : rng.between(1, file.lines.length - 1);
    const position = insertKeyLine(file.lines, at, rng.pick(KEY_LINES[lang]), key);
    planted.push({ kind: `small-${file.lang}`, file: file.path, ...position, fingerprint: fingerprint(key), encoding: 'raw' });
  }
  return planted;
}

function reusableManifest(target, seed) {
  try {
    const manifest = JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8'));
    if (manifest.version !== MANY_FILES_VERSION || manifest.seed !== seed) return null;
    const repo = join(target, 'repo');
    if (git(repo, ['rev-parse', 'HEAD']) !== manifest.head) return null;
    if (git(repo, ['status', '--porcelain', '--untracked-files=no']) !== '') return null;
    return manifest;
  } catch {
    return null;
  }
}

/** Generate (or reuse) the corpus. Returns { dir, repoDir, seed, head, stats, planted, reused }. */
export async function prepareManyFiles({ root, seed, log = console.log }) {
  const target = join(root, `many-files-seed${seed}`);
  const existing = reusableManifest(target, seed);
  if (existing) return { ...existing, dir: target, repoDir: join(target, 'repo'), reused: true };

  const started = Date.now();
  const rng = new Rng(seed).fork('many-files');
  const files = planFiles(rng.fork('files'));
  let decoys = 0;
  const decoyRng = rng.fork('decoys');
  for (const file of files) if (decoyRng.chance(MANY_FILES.decoyShare)) decoys += addDecoys(decoyRng, file.lang, file.lines, 1);
  const planted = plant(rng.fork('plants'), files);
  const root_ = [
    { path: 'package.json', content: `${JSON.stringify({ name: 'many-files', private: true, workspaces: ['packages/*'] }, null, 2)}\n` },
    // Config is looked up from the scanned folder upward: this one stops the search before the project's.
    { path: 'lumenguard.config.json', content: '{}\n' },
  ];
  const events = [...root_, ...files.map((f) => ({ path: f.path, content: joinLines(f.lines) }))];
  const bytes = events.reduce((n, e) => n + Buffer.byteLength(e.content), 0);
  log(`  many-files: generated ${events.length} files (${(bytes / 1e6).toFixed(1)} MB) in ${Date.now() - started} ms; importing and checking out`);

  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const repoDir = join(tmp, 'repo');
  initRepo(repoDir);
  const author = 'lumenguard bench <bench@example.com>';
  await importHistory(repoDir, [{ events, author, time: 1735732800, message: `Import ${events.length} files` }]);
  git(repoDir, ['reset', '--hard', '-q']);
  const manifest = { generator: 'lumenguard-bench-many-files', version: MANY_FILES_VERSION, seed, repo: 'repo',
    head: git(repoDir, ['rev-parse', 'HEAD']), stats: { files: events.length, bytes, decoyLines: decoys }, planted };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  log(`  many-files: ${target} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ...manifest, dir: target, repoDir: join(target, 'repo'), reused: false };
}
