// Benchmark scenarios. Each is { name, title, baseline, commands(ctx), checks(ctx, results) }:
// `commands` lists what to time (the runner measures them all the same way), `baseline` names
// the command the ratio column divides by, `checks` turns the timings into SPEC §9 verdicts.
// To add a scenario (staged 5-file change, history, bundles), append an object to SCENARIOS;
// use `setup(ctx)` for anything it needs prepared (it runs once, before timing).
import { join } from 'node:path';
import { compareFindings, describeAccuracy } from './support/accuracy.js';

const RSS_LIMIT_MB = 200; // SPEC §9

export function nodeStartup(ctx) {
  return { id: 'node', label: 'node -e 0', argv: [ctx.node, '-e', '0'], cwd: ctx.root };
}

/**
 * lumenguard as a command (from the project root unless `cwd` is given, e.g. a clone for --staged).
 * Exit 1 = findings (expected), 0 = none; anything else is a failure.
 */
export function lumenguard(ctx, args, { id = 'lumenguard', cwd = ctx.root } = {}) {
  return { id, label: `lumenguard ${args.map((a) => (a === ctx.repoDir ? '<corpus>' : a)).join(' ')}`,
    argv: [ctx.node, join(ctx.root, 'bin', 'lumenguard.js'), ...args], cwd, okExit: [0, 1] };
}

/** The JSON report of a lumenguard run, or a FAIL check explaining why there is none. */
function parseReport(ctx, result) {
  if (result.failed) {
    const summary = `exit status ${result.statuses.join(', ')}`;
    return { fail: { name: 'lumenguard ran', status: 'FAIL', summary, lines: ctx.tail(result.last.stderr) } };
  }
  try {
    return { report: JSON.parse(result.last.stdout.toString('utf8')) };
  } catch (error) {
    const summary = `unparsable output: ${error.message}`;
    return { fail: { name: 'lumenguard JSON', status: 'FAIL', summary, lines: ctx.tail(result.last.stderr) } };
  }
}

export function accuracyCheck(ctx, report, planted) {
  const result = compareFindings(report.findings ?? [], planted);
  const [summary, ...lines] = describeAccuracy(result, planted.length);
  const complete = result.missed.length === 0 && result.extra.length === 0 && result.elsewhere.length === 0;
  return { name: 'accuracy', status: complete ? 'PASS' : 'MISS', summary, lines,
    data: { planted: planted.length, exact: result.exact.length, elsewhere: result.elsewhere.length,
      missed: result.missed.length, extra: result.extra.length, other: result.other.length } };
}

export function rssCheck(ctx, command) {
  const { peakRssKb, exitCode, method } = ctx.peakRss(command);
  const mb = peakRssKb / 1024;
  return { name: 'peak RSS', status: mb < RSS_LIMIT_MB ? 'PASS' : 'MISS',
    summary: `${mb.toFixed(1)} MB (limit ${RSS_LIMIT_MB} MB, ${method}, exit ${exitCode})`, data: { peakRssKb } };
}

const worktree = {
  name: 'worktree',
  title: 'Working tree: lumenguard scan <corpus> vs git grep / rg',
  baseline: 'git-grep',
  commands: (ctx) => [
    nodeStartup(ctx),
    { id: 'git-grep', label: 'git grep -F lmnfl_', argv: ['git', 'grep', '-F', 'lmnfl_'], cwd: ctx.repoDir, okExit: [0, 1] },
    { id: 'git-grep-c', label: 'git grep -F -c lmnfl_', argv: ['git', 'grep', '-F', '-c', 'lmnfl_'], cwd: ctx.repoDir, okExit: [0, 1] },
    ctx.hasRg && { id: 'rg', label: 'rg -F lmnfl_', argv: ['rg', '-F', 'lmnfl_'], cwd: ctx.repoDir, okExit: [0, 1] },
    ctx.lumenguardReady && lumenguard(ctx, ['scan', ctx.repoDir, '--format', 'json']),
  ].filter(Boolean),
  checks(ctx, results) {
    const lg = results.lumenguard;
    if (!lg) return [{ name: 'lumenguard', status: 'SKIP', summary: ctx.lumenguardMissing }];
    const { report, fail } = parseReport(ctx, lg);
    if (fail) return [fail]; // a failed run's time means nothing
    // SPEC §9: no more than the Node start-up plus 1.5x git grep on the same files.
    const budget = results.node.median + 1.5 * results['git-grep'].median;
    const checks = [{ name: 'speed', status: lg.median <= budget ? 'PASS' : 'MISS',
      summary: `lumenguard ${lg.median.toFixed(3)} s vs budget ${budget.toFixed(3)} s (node -e 0 + 1.5 x git grep)`,
      data: { budget, median: lg.median } }];
    const stats = report.stats ?? {};
    const mb = (bytes) => `${((bytes ?? 0) / 1e6).toFixed(1)} MB`;
    checks.push({ name: 'scope', status: 'INFO',
      summary: `lumenguard scanned ${stats.files} files / ${mb(stats.bytes)}; the corpus tree has `
        + `${ctx.corpus.stats.files} files / ${mb(ctx.corpus.stats.bytes)}; ${report.warnings?.length ?? 0} warnings` });
    checks.push(accuracyCheck(ctx, report, ctx.corpus.planted));
    checks.push(rssCheck(ctx, lg.command));
    return checks;
  },
};

export const SCENARIOS = [worktree];
