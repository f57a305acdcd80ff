// Git history for the corpus, written with one `git fast-import` stream instead of thousands of
// `git commit` calls (2,500 commits import in seconds). Dates and authors are derived from the
// seed, so the same seed gives the same commit ids.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noun, pascal } from './words.js';

const AUTHORS = ['Ada Moreau', 'Bilal Haddad', 'Chen Wei', 'Dana Okafor', 'Emil Lindqvist', 'Farah Nasser',
  'Goran Petrov', 'Hana Sato', 'Ivo Costa', 'Jules Martin', 'Kira Novak', 'Luis Ortega'];
const TYPES = ['feat', 'fix', 'chore', 'refactor', 'docs', 'test', 'perf', 'build'];
const START_TIME = Date.UTC(2022, 0, 3) / 1000;

/**
 * Each chain is the list of versions of one path, oldest first ({ content } or { delete: true }).
 * Chains are introduced in order and interleaved at random, then cut into `commitCount` commits of
 * at least one event each. Versions of one path keep their order across commits.
 */
export function scheduleCommits(rng, chains, commitCount) {
  const events = [];
  const active = [];
  let next = 0;
  let pendingInActive = 0;
  while (next < chains.length || active.length > 0) {
    const introduce = next < chains.length && rng.float() < (chains.length - next) / (chains.length - next + pendingInActive);
    const chain = introduce ? { path: chains[next].path, versions: chains[next++].versions, at: 0 } : rng.pick(active);
    if (introduce) {
      active.push(chain);
      pendingInActive += chain.versions.length;
    }
    events.push({ path: chain.path, ...chain.versions[chain.at++] });
    pendingInActive--;
    if (chain.at === chain.versions.length) active.splice(active.indexOf(chain), 1);
  }
  if (events.length < commitCount) throw new Error(`only ${events.length} events for ${commitCount} commits`);
  const cuts = rng.shuffle(Array.from({ length: events.length - 1 }, (_, i) => i + 1)).slice(0, commitCount - 1);
  cuts.sort((a, b) => a - b);
  const bounds = [0, ...cuts, events.length];
  return bounds.slice(1).map((end, i) => ({ events: events.slice(bounds[i], end) }));
}

function commitMessage(rng) {
  return `${rng.pick(TYPES)}(${noun(rng)}): ${rng.pick(['add', 'update', 'fix', 'remove', 'rework'])} ${noun(rng)} ${pascal(rng, 1).toLowerCase()}`;
}

/** Fill in author, date and message for every commit (kept if already set). */
export function stampCommits(rng, commits) {
  let time = START_TIME;
  for (const commit of commits) {
    time += rng.between(300, 60000);
    const name = rng.pick(AUTHORS);
    commit.author ??= `${name} <${name.toLowerCase().replace(' ', '.')}@example.com>`;
    commit.time = time;
    commit.message ??= commitMessage(rng);
  }
}

/** Write the stream to `git fast-import`, honouring back-pressure. Returns mark → commit sha. */
export async function importHistory(repoDir, commits, branch = 'main') {
  const marksFile = join(repoDir, '.git', 'bench-marks');
  const child = spawn('git', ['fast-import', '--quiet', `--export-marks=${marksFile}`], { cwd: repoDir, stdio: ['pipe', 'inherit', 'inherit'] });
  const exited = once(child, 'exit');
  const write = async (chunk) => {
    if (!child.stdin.write(chunk)) await once(child.stdin, 'drain');
  };
  let mark = 0;
  for (const [index, commit] of commits.entries()) {
    const changes = [];
    for (const event of commit.events) {
      if (event.delete) {
        changes.push(`D ${event.path}\n`);
        continue;
      }
      const data = Buffer.isBuffer(event.content) ? event.content : Buffer.from(event.content, 'utf8');
      await write(`blob\nmark :${++mark}\ndata ${data.length}\n`);
      await write(data);
      await write('\n');
      changes.push(`M 100644 :${mark} ${event.path}\n`);
    }
    commit.mark = ++mark;
    const who = `${commit.author} ${commit.time} +0000`;
    const msg = Buffer.from(commit.message + '\n');
    await write(`commit refs/heads/${branch}\nmark :${commit.mark}\nauthor ${who}\ncommitter ${who}\ndata ${msg.length}\n`);
    await write(msg);
    await write(index > 0 ? `from :${commits[index - 1].mark}\n` : '');
    await write(changes.join('') + '\n');
  }
  child.stdin.end();
  const [code] = await exited;
  if (code !== 0) throw new Error(`git fast-import exited with ${code}`);
  return readMarks(marksFile);
}

function readMarks(marksFile) {
  const shas = new Map();
  for (const line of readFileSync(marksFile, 'utf8').split('\n')) {
    const [mark, sha] = line.split(' ');
    if (sha) shas.set(Number(mark.slice(1)), sha);
  }
  return shas;
}

export function git(repoDir, args) {
  return execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
}

/** A fresh repository, configured so that nothing outside the corpus (user config, hooks) leaks in. */
export function initRepo(repoDir) {
  execFileSync('git', ['init', '-q', '-b', 'main', repoDir]);
  git(repoDir, ['config', 'user.name', 'lumenguard bench']);
  git(repoDir, ['config', 'user.email', 'bench@example.com']);
  git(repoDir, ['config', 'core.autocrlf', 'false']);
  git(repoDir, ['config', 'gc.auto', '0']);
}
