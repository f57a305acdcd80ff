// Sharded history scans: `lumenguard scan --history --shard I/N --format json` for N = 1..4 on the
// generated monorepo, timed in the same rounds as the whole `scan --history` and the cat-file pipe.
// Each shard still walks every commit (git log --raw) but inflates and scans only the blobs whose
// id falls in it, so on N machines the wall time is the slowest shard's. Reported per N: each
// shard's median, the slowest as a share of the whole scan, and each shard's bytes as a share of
// the whole scan's; and a check that `lumenguard merge` of the shards' reports is the whole report.
// No speed target: what matters is that the split is even and the merge exact, which these show.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, lumenguard, mb, parseReport, secs } from './common.js';
import { countBlobs } from './history.js';

const NS = [1, 2, 3, 4];
const shardId = (i, n) => `shard-${i}-of-${n}`;

export const historyShards = {
  name: 'history-shards',
  title: 'History, generated monorepo, sharded: lumenguard scan --history --shard I/N (N = 1..4) beside the whole scan',
  baseline: 'lumenguard',
  runs: 3,
  quickRuns: 1,
  async setup(ctx) {
    ctx.corpus = await ctx.generated();
    ctx.historyObjects ??= countBlobs(ctx.corpus.repoDir);
  },
  corpusLabel: (ctx) => `generated, ${count(ctx.corpus.stats.commits)} commits / ${count(ctx.historyObjects.blobs)} blobs`,
  commands(ctx) {
    if (!ctx.lumenguardReady) return [];
    const repo = ctx.corpus.repoDir;
    const commands = [lumenguard(ctx, ['scan', '--history', '--format', 'json'], { cwd: repo, label: 'lumenguard scan --history --format json' })];
    for (const n of NS) {
      for (let i = 1; i <= n; i++) {
        const args = ['scan', '--history', '--shard', `${i}/${n}`, '--fail-on', 'none', '--format', 'json'];
        commands.push(lumenguard(ctx, args, { id: shardId(i, n), cwd: repo, label: `lumenguard ${args.join(' ')}` }));
      }
    }
    return commands;
  },
  checks(ctx, results) {
    const whole = results.lumenguard;
    if (!whole) return [{ name: 'lumenguard', status: 'SKIP', summary: ctx.lumenguardMissing }];
    const { report: wholeReport, fail } = parseReport(ctx, whole);
    if (fail) return [fail];
    const checks = [];
    let slowestOf4 = null;
    for (const n of NS) {
      const shards = [];
      for (let i = 1; i <= n; i++) {
        const result = results[shardId(i, n)];
        const parsed = parseReport(ctx, result);
        if (parsed.fail) return [parsed.fail];
        shards.push({ result, report: parsed.report });
      }
      const slowest = Math.max(...shards.map(({ result }) => result.median));
      if (n === 4) slowestOf4 = slowest;
      const bytes = shards.map(({ report }) => report.stats.bytes / wholeReport.stats.bytes);
      checks.push({ name: `N = ${n}`, status: 'INFO',
        summary: `slowest shard ${secs(slowest)} = ${(slowest / whole.median).toFixed(2)}x the whole scan (${secs(whole.median)}); `
          + `each shard: ${shards.map(({ result }) => secs(result.median)).join(', ')}; `
          + `bytes ${shards.map(({ report }) => mb(report.stats.bytes)).join(', ')} = ${bytes.map((share) => `${(share * 100).toFixed(1)} %`).join(', ')} of the whole scan's ${mb(wholeReport.stats.bytes)}; `
          + `blobs ${shards.map(({ report }) => count(report.stats.blobs)).join(', ')}`,
        data: { n, slowest, whole: whole.median, medians: shards.map(({ result }) => result.median), bytes: shards.map(({ report }) => report.stats.bytes), wholeBytes: wholeReport.stats.bytes } });
      checks.push(mergeCheck(ctx, n, shards.map(({ result }) => result.last.stdout), whole.last.stdout));
    }
    if (slowestOf4 !== null) {
      const ratio = slowestOf4 / whole.median;
      checks.push({ name: 'speed, 4 shards', status: 'INFO', summary: `the slowest of 4 shards takes ${ratio.toFixed(2)}x the whole scan`,
        data: { ratio },
        target: { measure: `slowest of 4 shards ${ratio.toFixed(2)}x the whole scan`, goal: '— (no target: shards run on 4 machines)', refs: ['lumenguard'] } });
    }
    return checks;
  },
};

/** `lumenguard merge` of the shards' reports (their last timed run) against the whole scan's report: PASS when equal. */
function mergeCheck(ctx, n, reports, wholeStdout) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-shards-'));
  try {
    const names = reports.map((stdout, i) => {
      const name = join(dir, `${i + 1}.json`);
      writeFileSync(name, stdout);
      return name;
    });
    let merged;
    try {
      merged = execFileSync(ctx.node, [join(ctx.root, 'bin', 'lumenguard.js'), 'merge', ...names, '--format', 'json'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      if (error.status !== 1) return { name: `merge of ${n}`, status: 'FAIL', summary: `lumenguard merge exited ${error.status}`, lines: ctx.tail(String(error.stderr)) };
      merged = error.stdout;
    }
    const same = comparable(JSON.parse(merged)) === comparable(JSON.parse(wholeStdout.toString('utf8')));
    return { name: `merge of ${n}`, status: same ? 'PASS' : 'FAIL', summary: same ? `the merged ${n} shard(s) equal the whole scan (findings, commits, counts, warnings)` : `the merged ${n} shard(s) differ from the whole scan` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A report as merged and whole reports must agree on: everything but the time taken, lists in a fixed order. */
function comparable(report) {
  const sorted = (items) => items.map((item) => JSON.stringify(item)).sort();
  return JSON.stringify({ findings: sorted(report.findings), warnings: sorted(report.warnings), suppressed: sorted(report.suppressed), stats: { ...report.stats, durationMs: 0 }, mode: report.mode });
}
