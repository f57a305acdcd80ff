// Helpers shared by the scenarios: the commands every scenario times the same way (node start-up,
// lumenguard), the checks they share (accuracy against planted keys, peak RSS), and the `target`
// records that run.js turns into the summary table.
//
// A check is { name, status: 'PASS'|'MISS'|'FAIL'|'INFO'|'SKIP', summary, lines?, data?, target? }.
// A check with `target` becomes one line of the summary table:
//   target: { measure: 'what was measured, as a same-run ratio', goal: 'the target in words' }
// and the scenario's `peak RSS` and `accuracy` checks fill that line's memory and accuracy columns.
import { join } from 'node:path';
import { compareFindings, describeAccuracy } from '../support/accuracy.js';

/** Peak RSS limit on every corpus, in MB (MiB, as /usr/bin/time reports kilobytes). */
export const RSS_LIMIT_MB = 200;

export const mb = (bytes) => `${((bytes ?? 0) / 1e6).toFixed(1)} MB`;
export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
export const secs = (seconds) => `${seconds.toFixed(3)} s`;
export const count = (n) => Number(n ?? 0).toLocaleString('en-US');
export const at = (x) => `${x.file}:${x.line}:${x.column}`;

export function nodeStartup(ctx) {
  return { id: 'node', label: 'node -e 0', argv: [ctx.node, '-e', '0'], cwd: ctx.root };
}

/**
 * lumenguard as a command (from the project root unless `cwd` is given, e.g. a clone for --staged).
 * Exit 1 = findings (expected), 0 = none; anything else is a failure. `label` replaces the
 * printed command line (absolute corpus paths are long and machine-specific).
 */
export function lumenguard(ctx, args, { id = 'lumenguard', cwd = ctx.root, label } = {}) {
  return { id, label: label ?? `lumenguard ${args.join(' ')}`,
    argv: [ctx.node, join(ctx.root, 'bin', 'lumenguard.js'), ...args], cwd, okExit: [0, 1] };
}

/** The JSON report of a lumenguard run, or a FAIL check explaining why there is none. */
export function parseReport(ctx, result) {
  if (result.failed) {
    const summary = `exit status ${[...new Set(result.statuses)].join(', ')}`;
    return { fail: { name: 'lumenguard ran', status: 'FAIL', summary, lines: ctx.tail(result.last.stderr) } };
  }
  try {
    return { report: JSON.parse(result.last.stdout.toString('utf8')) };
  } catch (error) {
    const summary = `unparsable output: ${error.message}`;
    return { fail: { name: 'lumenguard JSON', status: 'FAIL', summary, lines: ctx.tail(result.last.stderr) } };
  }
}

/** Findings against planted keys (file + fingerprint, then exact line and column). */
export function accuracyCheck(ctx, report, planted, { name = 'accuracy' } = {}) {
  const result = compareFindings(report.findings ?? [], planted);
  const [summary, ...lines] = describeAccuracy(result, planted.length);
  const complete = result.missed.length === 0 && result.extra.length === 0 && result.elsewhere.length === 0;
  const found = result.exact.length + result.elsewhere.length;
  return { name, status: complete ? 'PASS' : 'MISS', summary, lines,
    data: { planted: planted.length, exact: result.exact.length, elsewhere: result.elsewhere.length,
      missed: result.missed.length, extra: result.extra.length, other: result.other.length,
      short: `${found}/${planted.length} found, ${result.exact.length} exact, ${result.extra.length + result.other.length} extra` } };
}

/** One extra run of `command` through bench/with-rss.js; MISS at or above RSS_LIMIT_MB. */
export function rssCheck(ctx, command) {
  const { peakRssKb, exitCode, method } = ctx.peakRss(command);
  const peakMb = peakRssKb / 1024;
  return { name: 'peak RSS', status: peakMb < RSS_LIMIT_MB ? 'PASS' : 'MISS',
    summary: `${peakMb.toFixed(1)} MB (limit ${RSS_LIMIT_MB} MB, ${method}, exit ${exitCode})`, data: { peakRssKb, peakMb } };
}

/** Lines describing findings without their keys: rule, position, shortened fingerprint. */
export function describeFindings(findings, limit = 10) {
  const lines = findings.slice(0, limit).map((f) => `  ${f.ruleId} at ${at(f)}${f.secret?.fingerprint ? ` fp ${f.secret.fingerprint.slice(0, 12)}` : ''}`);
  if (findings.length > limit) lines.push(`  ... and ${findings.length - limit} more`);
  return lines;
}

/**
 * The worktree budget: lumenguard's median ≤ median(node -e 0) + 1.5 × median(git grep -F lmnfl_).
 * Returns a check with a summary-table target.
 */
export function worktreeBudgetCheck(results, lg) {
  const node = results.node.median;
  const grep = results['git-grep'].median;
  const budget = node + 1.5 * grep;
  return { name: 'speed', status: lg.median <= budget ? 'PASS' : 'MISS',
    summary: `lumenguard ${secs(lg.median)} vs budget ${secs(budget)} (node -e 0 ${secs(node)} + 1.5 x git grep ${secs(grep)}): `
      + `${(lg.median / budget).toFixed(2)}x the budget`,
    data: { budget, median: lg.median, node, gitGrep: grep, ratio: lg.median / budget },
    target: { measure: `${(lg.median / budget).toFixed(2)}x budget (${secs(budget)})`, goal: '≤ node -e 0 + 1.5 × git grep', refs: ['node', 'git-grep'] } };
}

/** A speed line for the summary table with no target of its own (memory corpora): lumenguard / reference. */
export function ratioInfo(name, lg, ref, refLabel) {
  const ratio = lg.median / ref.median;
  return { name, status: 'INFO', summary: `lumenguard ${secs(lg.median)} vs ${refLabel} ${secs(ref.median)}: ${ratio.toFixed(2)}x`,
    data: { ratio, median: lg.median, reference: ref.median },
    target: { measure: `${ratio.toFixed(2)}x ${refLabel}`, goal: '— (memory corpus: RSS only)', refs: [ref.command.id] } };
}
