#!/usr/bin/env node
// Deterministic benchmark corpus for lumenguard's bench: a git repository whose final tree
// looks like a real monorepo (~9,000 files, ~38 MB at full scale), ~2,500 commits of history,
// decoy placeholders everywhere, and generated keys at positions recorded in manifest.json.
// Same seed and scale → the same files, bytes and commit ids.
//
//   node bench/corpus.js [--scale small|full] [--seed N] [--force] [--dir CORPUS_ROOT]
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from './support/prng.js';
import { SCALES, planTree, finalizeTree, uniquePath } from './support/tree.js';
import { plantWorktreeKeys, recordBigFilePlants } from './support/worktree-plants.js';
import { planHistoryPlants } from './support/history-plants.js';
import { scheduleCommits, stampCommits, importHistory, initRepo, git } from './support/history.js';
import { LANGUAGES, joinLines } from './support/textgen.js';
import { noun } from './support/words.js';

// Bump whenever the output changes, so stale corpora are regenerated instead of reused.
export const GENERATOR_VERSION = 2;
export const DEFAULT_DIR = join(dirname(fileURLToPath(import.meta.url)), '.corpus');

/** Files that exist for a while and are then deleted (history-only content, no keys). */
function transientFiles(rng, tree, params) {
  return Array.from({ length: Math.round(params.textFiles * params.transientShare) }, () => {
    const base = rng.pick(tree.text);
    const path = uniquePath(tree.used, `${posix.dirname(base.path)}/old-${noun(rng)}.${LANGUAGES[base.lang].ext}`);
    return { path, versions: [{ content: joinLines(LANGUAGES[base.lang].lines(rng, rng.between(300, 3000))) }, { delete: true }] };
  });
}

/** Interleave every path's versions into `params.commits` commits; history plants go in at fixed commits. */
function buildCommits(rng, files, transient, history, params) {
  const root = files.filter((f) => f.root);
  const rest = files.filter((f) => !f.root && !f.scheduledByHistory);
  const toChain = (f) => ({ path: f.path, versions: [...f.older.map((content) => ({ content })), { content: f.content }] });
  const chains = [...root.map(toChain), ...rng.shuffle([...rest.map(toChain), ...transient])];
  const commits = scheduleCommits(rng, chains, params.commits);
  for (const chain of history.chains) {
    chain.versions.forEach((version, i) => commits[chain.commitAt[i]].events.push({ path: chain.path, ...version }));
  }
  commits[0].message = 'Initial commit';
  for (const plant of history.plants) {
    commits[plant.introduce].message = `chore: add local ${noun(rng)} settings`;
    commits[plant.remove].message = plant.kind === 'file-deleted' ? 'chore: remove debug script' : 'fix: read Lumenfall key from the environment';
  }
  stampCommits(rng, commits);
  return commits;
}

function firstCommitOfPath(commits) {
  const first = new Map();
  commits.forEach((commit, i) => commit.events.forEach((e) => first.has(e.path) || first.set(e.path, i)));
  return first;
}

/** The manifest of an existing corpus if it was made by this generator with these options. */
function reusableManifest(target, seed, scale) {
  try {
    const manifest = JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8'));
    if (manifest.generatorVersion !== GENERATOR_VERSION || manifest.seed !== seed || manifest.scale !== scale) return null;
    const repo = join(target, manifest.repo);
    if (git(repo, ['rev-parse', 'HEAD']) !== manifest.head) return null;
    if (git(repo, ['status', '--porcelain', '--untracked-files=no']) !== '') return null; // someone edited it
    return manifest;
  } catch {
    return null;
  }
}

function treeStats(files, commits) {
  const bytes = (f) => (Buffer.isBuffer(f.content) ? f.content.length : Buffer.byteLength(f.content));
  return {
    files: files.length,
    bytes: files.reduce((n, f) => n + bytes(f), 0),
    binaryFiles: files.filter((f) => Buffer.isBuffer(f.content)).length,
    commits: commits.length,
    blobWrites: commits.reduce((n, c) => n + c.events.filter((e) => !e.delete).length, 0),
  };
}

export async function generateCorpus({ dir = DEFAULT_DIR, seed = 1, scale = 'full', force = false, log = (m) => console.error(m) } = {}) {
  const params = SCALES[scale];
  if (!params) throw new Error(`unknown scale "${scale}" (small | full)`);
  const target = join(dir, `${scale}-seed${seed}`);
  const existing = !force && reusableManifest(target, seed, scale);
  if (existing) return { ...existing, dir: target, repoDir: join(target, existing.repo), reused: true };

  const started = Date.now();
  const rng = new Rng(seed);
  const tree = planTree(rng.fork('tree'), params);
  const planted = plantWorktreeKeys(rng.fork('plants'), tree, params);
  const history = planHistoryPlants(rng.fork('history-plants'), tree, params);
  const files = finalizeTree(rng.fork('finalize'), tree);
  recordBigFilePlants(tree, planted);
  const commits = buildCommits(rng.fork('schedule'), files, transientFiles(rng.fork('transient'), tree, params), history, params);
  log(`corpus: generated ${files.length} files in ${Date.now() - started} ms; importing ${commits.length} commits`);

  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const repoDir = join(tmp, 'repo');
  initRepo(repoDir);
  const shas = await importHistory(repoDir, commits);
  git(repoDir, ['reset', '--hard', '-q']);

  const first = firstCommitOfPath(commits);
  const sha = (index) => shas.get(commits[index].mark);
  const manifest = {
    generator: 'lumenguard-bench-corpus', generatorVersion: GENERATOR_VERSION, seed, scale, repo: 'repo',
    head: git(repoDir, ['rev-parse', 'HEAD']), stats: { ...treeStats(files, commits), decoyLines: tree.decoys },
    planted: planted.map((p) => ({ ...p, commit: sha(first.get(p.file)) })),
    history: history.plants.map(({ introduce, remove, ...p }) => ({ ...p, commit: sha(introduce), removedIn: sha(remove) })),
  };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  log(`corpus: ${target} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ...manifest, dir: target, repoDir: join(target, 'repo'), reused: false };
}

async function main() {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: 'full' }, seed: { type: 'string', default: '1' },
    force: { type: 'boolean', default: false }, dir: { type: 'string', default: DEFAULT_DIR } } });
  const corpus = await generateCorpus({ scale: values.scale, seed: Number(values.seed), force: values.force, dir: values.dir });
  const { stats } = corpus;
  console.log(`${corpus.reused ? 'reused' : 'generated'} ${corpus.repoDir}`);
  console.log(`  ${stats.files} files, ${(stats.bytes / 1e6).toFixed(1)} MB (${stats.binaryFiles} binary), ${stats.commits} commits, head ${corpus.head.slice(0, 12)}`);
  console.log(`  ${corpus.planted.length} keys planted in the tree, ${corpus.history.length} only in history, ${stats.decoyLines} decoy lines`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error.stack ?? error);
    process.exitCode = 1;
  });
}
