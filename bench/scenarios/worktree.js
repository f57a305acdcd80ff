// Working-tree scenarios: `lumenguard scan <repo> --format json` beside `git grep -F lmnfl_` and
// `rg -F lmnfl_` on the same checkout, judged by the worktree budget
// (lumenguard ≤ node -e 0 + 1.5 × git grep). Three corpora: the generated monorepo (~9,000 files),
// the real project's checkout (LUMENGUARD_BENCH_REAL_HISTORY, prettier by default) and the
// 200,000-small-file repository.
import { execFileSync } from 'node:child_process';
import { prepareManyFiles } from '../support/many-files.js';
import { accuracyCheck, count, describeFindings, lumenguard, mb, nodeStartup, parseReport, rssCheck, worktreeBudgetCheck } from './common.js';

/** The timed commands, all on `repoDir`: node start-up, git grep (lines and -c), rg, lumenguard. */
function worktreeCommands(ctx, repoDir) {
  return [
    nodeStartup(ctx),
    { id: 'git-grep', label: 'git grep -F lmnfl_', argv: ['git', 'grep', '-F', 'lmnfl_'], cwd: repoDir, okExit: [0, 1] },
    { id: 'git-grep-c', label: 'git grep -F -c lmnfl_', argv: ['git', 'grep', '-F', '-c', 'lmnfl_'], cwd: repoDir, okExit: [0, 1] },
    ctx.hasRg && { id: 'rg', label: 'rg -F lmnfl_', argv: ['rg', '-F', 'lmnfl_'], cwd: repoDir, okExit: [0, 1] },
    ctx.lumenguardReady && lumenguard(ctx, ['scan', repoDir, '--format', 'json'], { label: 'lumenguard scan <repo> --format json' }),
  ].filter(Boolean);
}

/** Budget, scope, then the corpus's own accuracy check and peak RSS. */
function worktreeChecks(ctx, results, { files, bytes, accuracy }) {
  const lg = results.lumenguard;
  if (!lg) return [{ name: 'lumenguard', status: 'SKIP', summary: ctx.lumenguardMissing }];
  const { report, fail } = parseReport(ctx, lg);
  if (fail) return [fail]; // a failed run's time means nothing
  const stats = report.stats ?? {};
  return [
    worktreeBudgetCheck(results, lg),
    { name: 'scope', status: 'INFO',
      summary: `lumenguard scanned ${count(stats.files)} files / ${mb(stats.bytes)}; the tree has ${count(files)} files`
        + `${bytes === undefined ? '' : ` / ${mb(bytes)}`}; ${report.warnings?.length ?? 0} warnings`,
      data: { files: stats.files, bytes: stats.bytes } },
    accuracy(report),
    rssCheck(ctx, lg.command),
  ];
}

export const worktree = {
  name: 'worktree',
  title: 'Working tree, generated monorepo: lumenguard scan <repo> vs git grep / rg',
  baseline: 'git-grep',
  runs: 5,
  quickRuns: 3,
  async setup(ctx) {
    ctx.corpus = await ctx.generated();
  },
  corpusLabel: (ctx) => `generated, ${count(ctx.corpus.stats.files)} files / ${mb(ctx.corpus.stats.bytes)}`,
  commands: (ctx) => worktreeCommands(ctx, ctx.corpus.repoDir),
  checks: (ctx, results) => worktreeChecks(ctx, results, { files: ctx.corpus.stats.files, bytes: ctx.corpus.stats.bytes,
    accuracy: (report) => accuracyCheck(ctx, report, ctx.corpus.planted) }),
};

/**
 * A real tree holds no planted key (the clone's checkout is left as the project has it). What
 * lumenguard reports there is listed; PASS when it reports nothing and `git grep` finds no
 * `lmnfl_` either, INFO (to be read) otherwise.
 */
function realTreeAccuracy(ctx, report, results) {
  const findings = report.findings ?? [];
  const grepHits = (results['git-grep-c'].last.stdout?.toString('utf8') ?? '').split('\n').filter(Boolean).length;
  const clean = findings.length === 0 && grepHits === 0;
  return { name: 'accuracy', status: clean ? 'PASS' : 'INFO',
    summary: `${findings.length} findings; git grep finds lmnfl_ in ${grepHits} files of the tree (no key planted in a real tree)`,
    lines: describeFindings(findings), data: { findings: findings.length, grepHits, short: `${findings.length} findings (none expected)` } };
}

export const worktreeReal = {
  name: 'worktree-real',
  title: 'Working tree, real project checkout: lumenguard scan <repo> vs git grep / rg',
  baseline: 'git-grep',
  runs: 5,
  quickRuns: 3,
  setup(ctx) {
    ctx.real ??= ctx.prepareReal();
  },
  skip: (ctx) => ctx.real.skip,
  corpusLabel: (ctx) => `${ctx.real.name} checkout, ${count(ctx.real.stats.trackedFiles)} files`,
  commands: (ctx) => worktreeCommands(ctx, ctx.real.repoDir),
  checks: (ctx, results) => worktreeChecks(ctx, results, { files: ctx.real.stats.trackedFiles,
    accuracy: (report) => realTreeAccuracy(ctx, report, results) }),
};

export const worktreeManyFiles = {
  name: 'worktree-200k',
  title: 'Working tree, 200,000 small files: lumenguard scan <repo> vs git grep / rg',
  baseline: 'git-grep',
  runs: 3,
  quickRuns: 1,
  async setup(ctx) {
    ctx.manyFiles = await prepareManyFiles({ root: ctx.corpusRoot, seed: ctx.seed, log: ctx.log });
    const m = ctx.manyFiles;
    // git's own count, so the table shows the tree git sees (the manifest counts what was written).
    m.tracked = Number(execFileSync('sh', ['-c', 'git ls-files | wc -l'], { cwd: m.repoDir, encoding: 'utf8' }).trim());
    ctx.log(`  corpus ${m.repoDir} (${m.reused ? 'reused' : 'generated now'}): ${count(m.tracked)} files, ${mb(m.stats.bytes)}, `
      + `${m.planted.length} planted keys, ${count(m.stats.decoyLines)} decoy lines`);
  },
  corpusLabel: (ctx) => `generated, ${count(ctx.manyFiles.tracked)} files / ${mb(ctx.manyFiles.stats.bytes)}`,
  commands: (ctx) => worktreeCommands(ctx, ctx.manyFiles.repoDir),
  checks: (ctx, results) => worktreeChecks(ctx, results, { files: ctx.manyFiles.tracked, bytes: ctx.manyFiles.stats.bytes,
    accuracy: (report) => accuracyCheck(ctx, report, ctx.manyFiles.planted) }),
};
