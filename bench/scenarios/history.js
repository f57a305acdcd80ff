// History scenarios: `lumenguard scan --history --format json` beside two pipes in the same run,
// cwd = the repository: `git cat-file --batch-all-objects --batch --unordered | rg -F -c lmnfl_`
// (the cost of inflating every blob once) and `git log -p --all | rg -F -c lmnfl_` (a diff-based
// scan). Targets: ≤ 1.2 × the cat-file pipe, and ≥ 3 × faster than the log -p pipe.
// Two repositories: the generated monorepo's 2,500 commits and the real project's full history.
import { execFileSync } from 'node:child_process';
import { compareHistoryFindings, describeHistoryAccuracy } from '../support/accuracy.js';
import { count, lumenguard, mb, parseReport, rssCheck, secs } from './common.js';

const HISTORY_MAX_RATIO = 1.2; // no more than 1.2x the cat-file pipe
const HISTORY_MIN_SPEEDUP = 3; // and at least 3x faster than a git log -p scan

/** Blobs reachable from any ref (what a history scan covers) and all blobs in the object store. */
export function countBlobs(repoDir) {
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
  // %(rest) makes cat-file split "sha path" lines from rev-list at the first space.
  const reachable = tally(sh("git rev-list --objects --all | git cat-file --batch-check='%(objecttype) %(objectsize) %(rest)'"));
  const stored = tally(sh("git cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)'"));
  return { ...reachable, stored };
}

function historyCommands(ctx, repoDir) {
  const search = ctx.hasRg ? 'rg -F -c lmnfl_' : 'grep -F -c lmnfl_';
  const pipe = (id, git) => ({ id, label: `${git} | ${search}`, argv: ['sh', '-c', `${git} | ${search}`], cwd: repoDir, okExit: [0, 1] });
  return [
    pipe('cat-file', 'git cat-file --batch-all-objects --batch --unordered'),
    pipe('log-p', 'git log -p --all'),
    ctx.lumenguardReady && lumenguard(ctx, ['scan', '--history', '--format', 'json'], { cwd: repoDir }),
  ].filter(Boolean);
}

/** Speed against both pipes, scope, accuracy against `expected` (with introducing commits), peak RSS. */
function historyChecks(ctx, results, { commits, objects, expected }) {
  const lg = results.lumenguard;
  if (!lg) return [{ name: 'lumenguard', status: 'SKIP', summary: ctx.lumenguardMissing }];
  const { report, fail } = parseReport(ctx, lg);
  if (fail) return [fail];
  const catFile = results['cat-file'].median;
  const logP = results['log-p'].median;
  const ratio = lg.median / catFile;
  const speedup = logP / lg.median;
  const checks = [
    { name: 'speed vs cat-file', status: ratio <= HISTORY_MAX_RATIO ? 'PASS' : 'MISS',
      summary: `lumenguard ${secs(lg.median)} vs cat-file pipe ${secs(catFile)}: ${ratio.toFixed(2)}x (target <= ${HISTORY_MAX_RATIO}x)`,
      data: { ratio, median: lg.median, catFile },
      target: { measure: `${ratio.toFixed(2)}x cat-file pipe`, goal: `≤ ${HISTORY_MAX_RATIO} × cat-file pipe`, refs: ['cat-file'] } },
    { name: 'speed vs log -p', status: speedup >= HISTORY_MIN_SPEEDUP ? 'PASS' : 'MISS',
      summary: `git log -p pipe ${secs(logP)} / lumenguard ${secs(lg.median)}: ${speedup.toFixed(2)}x faster (target >= ${HISTORY_MIN_SPEEDUP}x)`,
      data: { speedup, median: lg.median, logP },
      target: { measure: `${speedup.toFixed(2)}x faster than log -p pipe`, goal: `≥ ${HISTORY_MIN_SPEEDUP}× faster than log -p pipe`, refs: ['log-p'] } },
  ];
  const stats = report.stats ?? {};
  checks.push({ name: 'scope', status: 'INFO',
    summary: `lumenguard scanned ${count(stats.commits)} commits, ${count(stats.blobs)} blobs / ${mb(stats.bytes)}; the repository has `
      + `${count(commits)} commits, ${count(objects.blobs)} reachable blobs / ${mb(objects.bytes)} `
      + `(the cat-file pipe reads all ${count(objects.stored.blobs)} stored); ${report.warnings?.length ?? 0} warnings` });
  const result = compareHistoryFindings(report.findings ?? [], expected);
  const [summary, ...lines] = describeHistoryAccuracy(result, expected.length);
  const complete = result.found.length === expected.length && result.extra.length === 0;
  const exact = result.found.filter((f) => f.exact).length;
  checks.push({ name: 'accuracy', status: complete ? 'PASS' : 'MISS', summary, lines,
    data: { expected: expected.length, found: result.found.length, exact,
      wrongCommit: result.wrongCommit.length, missed: result.missed.length, extra: result.extra.length, other: result.other.length,
      short: `${result.found.length}/${expected.length} found with commit, ${exact} exact, ${result.extra.length + result.other.length} extra` } });
  checks.push(rssCheck(ctx, lg.command));
  return checks;
}

export const history = {
  name: 'history',
  title: 'History, generated monorepo: lumenguard scan --history vs cat-file and git log -p pipes',
  baseline: 'cat-file',
  runs: 3, // each run takes seconds
  quickRuns: 1,
  async setup(ctx) {
    ctx.corpus = await ctx.generated();
    ctx.historyObjects = countBlobs(ctx.corpus.repoDir);
  },
  corpusLabel: (ctx) => `generated, ${count(ctx.corpus.stats.commits)} commits / ${count(ctx.historyObjects.blobs)} blobs`,
  commands: (ctx) => historyCommands(ctx, ctx.corpus.repoDir),
  checks: (ctx, results) => historyChecks(ctx, results, { commits: ctx.corpus.stats.commits, objects: ctx.historyObjects,
    // every key the corpus ever held: in the tree, and removed from it
    expected: [...ctx.corpus.planted, ...ctx.corpus.history] }),
};

export const historyReal = {
  name: 'history-real',
  title: 'History, real project: lumenguard scan --history vs cat-file and git log -p pipes',
  baseline: 'cat-file',
  runs: 3,
  quickRuns: 1,
  setup(ctx) {
    ctx.real ??= ctx.prepareReal();
    if (ctx.real.skip) return;
    const real = ctx.real;
    ctx.log(`  corpus ${real.repoDir} (${real.cloned ? 'cloned now' : 'reused'} from ${real.source}, ${real.from === 'default' ? 'the default' : real.from}): `
      + `${count(real.stats.commits)} commits on ${count(real.stats.refs)} refs, ${count(real.stats.reachable.blobs)} blobs / ${mb(real.stats.reachable.bytes)}; `
      + `1 key planted on branch ${real.plant.branch} (${real.plant.commit.slice(0, 10)})`);
  },
  skip: (ctx) => ctx.real.skip,
  corpusLabel: (ctx) => `${ctx.real.name}, ${count(ctx.real.stats.commits)} commits / ${count(ctx.real.stats.reachable.blobs)} blobs / ${mb(ctx.real.stats.reachable.bytes)}`,
  commands: (ctx) => historyCommands(ctx, ctx.real.repoDir),
  checks: (ctx, results) => historyChecks(ctx, results, { commits: ctx.real.stats.commits,
    objects: { ...ctx.real.stats.reachable, stored: ctx.real.stats.stored }, expected: [ctx.real.plant] }),
};
