// The real-history corpus: the full history and source tree of a large public JavaScript project,
// read from an existing local git repository (bare or not) that the bench never writes to.
//
// - Where: LUMENGUARD_BENCH_REAL_HISTORY (a path; `off` skips the real scenarios), else
//   DEFAULT_REAL_HISTORY when it exists. Nothing is downloaded: without a repository the real
//   scenarios print SKIP with the reason.
// - The bench clones it into <corpus root>/real-history/<name>/repo with `git clone --no-local`:
//   a local clone, but through git's pack protocol, so the clone holds exactly the objects
//   reachable from the source's branches and tags (a mirror's refs/pull/* objects stay behind).
//   That keeps the `git cat-file --batch-all-objects` pipe honest: it reads the same blobs a
//   history scan reaches, not every object the mirror ever fetched.
// - One generated key is planted in the clone (never in the source): a commit on the branch
//   PLANT_BRANCH, child of HEAD, that adds one line to an existing file. Author, dates and key come
//   from the seed, so the same seed gives the same commit id. The key lives only in that commit's
//   blob (gitignored cache, like every corpus); manifest.json records its fingerprint, never the key.
// - A lumenguard.config.json `{}` in <name>/ (beside the clone, not in it) stops lumenguard's
//   upward config search before the project's own, which ignores bench/.corpus/**.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fingerprint, makeKey } from './plants.js';
import { Rng } from './prng.js';

export const REAL_HISTORY_ENV = 'LUMENGUARD_BENCH_REAL_HISTORY';
export const DEFAULT_REAL_HISTORY = '/work/.mirror/prettier+prettier/repo';
export const PLANT_BRANCH = 'lumenguard-bench-plant';
// Bump when the clone's layout or the plant changes, so a stale clone is rebuilt.
export const REAL_VERSION = 1;

const KEY_LINE = 'const LUMENFALL_API_KEY = "{key}";';
const PLANT_EXTS = ['.js', '.mjs', '.cjs', '.ts', '.md'];

const git = (cwd, args, options = {}) => execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 << 20,
  stdio: ['pipe', 'pipe', 'pipe'], ...options }).trim();

/** Where the real repository comes from: { path, from } or { skip: reason }. */
export function realHistorySource(env = process.env) {
  const value = env[REAL_HISTORY_ENV];
  if (value === 'off') return { skip: `${REAL_HISTORY_ENV}=off` };
  if (value) {
    const path = resolve(value);
    return existsSync(path) ? { path, from: REAL_HISTORY_ENV } : { skip: `${REAL_HISTORY_ENV}=${value} does not exist` };
  }
  if (existsSync(DEFAULT_REAL_HISTORY)) return { path: DEFAULT_REAL_HISTORY, from: 'default' };
  return { skip: `no real repository: ${DEFAULT_REAL_HISTORY} does not exist; set ${REAL_HISTORY_ENV} to a local git repository (bare or not)` };
}

/** A folder name for the cache: `prettier+prettier` for …/prettier+prettier/repo, `x` for …/x.git. */
function cacheName(path) {
  const base = basename(path);
  const name = ['repo', '.git'].includes(base) ? basename(dirname(path)) : base.replace(/\.git$/, '');
  return name.replace(/[^A-Za-z0-9._+-]/g, '_') || 'repo';
}

function readManifest(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** The clone is reusable when it was made by this version from the same source at the same HEAD, and is untouched. */
function reusable(manifest, repoDir, sourcePath, sourceHead, seed) {
  if (!manifest || manifest.version !== REAL_VERSION || manifest.source !== sourcePath || manifest.sourceHead !== sourceHead
    || manifest.seed !== seed) return false;
  try {
    return git(repoDir, ['rev-parse', 'HEAD']) === manifest.head
      && git(repoDir, ['rev-parse', `refs/heads/${PLANT_BRANCH}`]) === manifest.plant.commit
      && git(repoDir, ['status', '--porcelain', '--untracked-files=no']) === '';
  } catch {
    return false;
  }
}

/** 1-based line of the middle of `text` where a new line can go, and the text with the key line there. */
function insertAtMiddle(text, key) {
  const lines = text.split('\n');
  const at = Math.max(1, Math.floor(lines.length / 2));
  const line = KEY_LINE.replace('{key}', key);
  lines.splice(at, 0, line);
  return { content: lines.join('\n'), line: at + 1, column: KEY_LINE.indexOf('{key}') + 1 };
}

/** A tracked text file of 2–20 KB (JavaScript or Markdown), chosen from the seed. */
function choosePlantFile(repoDir, rng) {
  const rows = git(repoDir, ['ls-tree', '-r', '-l', 'HEAD']).split('\n');
  const candidates = rows.map((row) => {
    const [meta, path] = row.split('\t');
    const [mode, type, blob, size] = meta.split(/\s+/);
    return { mode, type, blob, bytes: Number(size), path };
  }).filter((f) => f.type === 'blob' && f.mode === '100644' && !f.path.startsWith('"') && f.bytes >= 2000 && f.bytes <= 20000
    && PLANT_EXTS.includes(extname(f.path)))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  if (candidates.length === 0) throw new Error('no 2–20 KB .js/.ts/.md file at HEAD to plant a key in');
  for (let tries = 0; tries < 50; tries++) {
    const file = rng.pick(candidates);
    const text = execFileSync('git', ['cat-file', 'blob', file.blob], { cwd: repoDir, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (!text.includes('\0') && !text.includes('\r')) return { ...file, text };
  }
  throw new Error('no plain-text candidate file to plant a key in');
}

/**
 * The plant commit: HEAD's tree with one file changed (a key line in its middle), written through a
 * temporary index so the clone's own index and working tree are untouched.
 */
function plantKey(repoDir, seed) {
  const rng = new Rng(seed).fork('real-history-plant');
  const file = choosePlantFile(repoDir, rng);
  const key = makeKey(rng);
  const edit = insertAtMiddle(file.text, key);
  const index = join(repoDir, '.git', 'lumenguard-bench-plant.index');
  const when = '1735732800 +0000'; // 2025-01-01T12:00:00Z
  const env = { ...process.env, GIT_INDEX_FILE: index, GIT_AUTHOR_NAME: 'lumenguard bench', GIT_AUTHOR_EMAIL: 'bench@example.com',
    GIT_COMMITTER_NAME: 'lumenguard bench', GIT_COMMITTER_EMAIL: 'bench@example.com', GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when };
  try {
    git(repoDir, ['read-tree', 'HEAD'], { env });
    const blob = git(repoDir, ['hash-object', '-w', '--stdin'], { env, input: edit.content });
    git(repoDir, ['update-index', '--cacheinfo', `${file.mode},${blob},${file.path}`], { env });
    const tree = git(repoDir, ['write-tree'], { env });
    const commit = git(repoDir, ['commit-tree', tree, '-p', 'HEAD', '-m', 'chore: local settings for the demo'], { env });
    git(repoDir, ['update-ref', `refs/heads/${PLANT_BRANCH}`, commit]);
    return { kind: 'history-plant', file: file.path, line: edit.line, column: edit.column, fingerprint: fingerprint(key),
      encoding: 'raw', commit, branch: PLANT_BRANCH };
  } finally {
    rmSync(index, { force: true });
  }
}

/** Commits, refs and blobs of the clone: reachable from its refs, and stored (what the cat-file pipe reads). */
function countObjects(repoDir) {
  const tally = (out) => {
    let blobs = 0;
    let bytes = 0;
    for (const line of out.split('\n')) {
      const [type, size] = line.split(' ');
      if (type === 'blob') {
        blobs++;
        bytes += Number(size);
      }
    }
    return { blobs, bytes };
  };
  const sh = (script) => execFileSync('sh', ['-c', script], { cwd: repoDir, encoding: 'utf8', maxBuffer: 512 << 20 });
  return {
    commits: Number(git(repoDir, ['rev-list', '--all', '--count'])),
    refs: git(repoDir, ['for-each-ref', '--format=%(refname)']).split('\n').filter(Boolean).length,
    trackedFiles: git(repoDir, ['ls-files']).split('\n').filter(Boolean).length,
    reachable: tally(sh("git rev-list --objects --all | git cat-file --batch-check='%(objecttype) %(objectsize) %(rest)'")),
    stored: tally(sh("git cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)'")),
  };
}

/**
 * Clone (or reuse) the real repository under `<root>/real-history/<name>/` and plant its key.
 * Returns { dir, repoDir, source, from, name, head, plant, stats, cloned } or { skip: reason }.
 */
export function prepareRealRepo({ root, seed, log = console.log }) {
  const source = realHistorySource();
  if (source.skip) return { skip: source.skip };
  let sourceHead;
  try {
    sourceHead = git(source.path, ['rev-parse', 'HEAD']);
  } catch (error) {
    return { skip: `${source.path} is not a git repository with a HEAD (${String(error.stderr ?? error.message).trim().split('\n')[0]})` };
  }
  const name = cacheName(source.path);
  const dir = join(root, 'real-history', name);
  const repoDir = join(dir, 'repo');
  const manifest = readManifest(dir);
  if (reusable(manifest, repoDir, source.path, sourceHead, seed)) {
    return { ...manifest, dir, repoDir, from: source.from, name, cloned: false };
  }
  mkdirSync(dir, { recursive: true });
  rmSync(repoDir, { recursive: true, force: true });
  rmSync(join(dir, 'staged-repo'), { recursive: true, force: true });
  log(`  cloning ${source.path} into ${repoDir} (git clone --no-local: reachable objects only)`);
  const started = Date.now();
  try {
    execFileSync('git', ['clone', '-q', '--no-local', source.path, repoDir], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  } catch (error) {
    rmSync(repoDir, { recursive: true, force: true });
    return { skip: `git clone --no-local ${source.path} failed: ${String(error.stderr ?? error.message).trim().split('\n').slice(-2).join(' | ')}` };
  }
  git(repoDir, ['config', 'gc.auto', '0']);
  git(repoDir, ['config', 'core.autocrlf', 'false']);
  git(repoDir, ['config', 'user.name', 'lumenguard bench']);
  git(repoDir, ['config', 'user.email', 'bench@example.com']);
  const plant = plantKey(repoDir, seed);
  const stats = countObjects(repoDir);
  writeFileSync(join(dir, 'lumenguard.config.json'), '{}\n');
  const fresh = { version: REAL_VERSION, source: source.path, sourceHead, seed, head: git(repoDir, ['rev-parse', 'HEAD']), plant, stats };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(fresh, null, 2) + '\n');
  log(`  cloned and planted in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ...fresh, dir, repoDir, from: source.from, name, cloned: true };
}
