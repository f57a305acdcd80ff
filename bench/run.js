#!/usr/bin/env node
// `npm run bench`: time lumenguard on the generated corpus (SPEC §9) beside node start-up, git grep,
// rg and git cat-file / git log -p pipes (scenarios worktree, staged, history, bundles), check the budgets,
// compare findings with the planted keys, and record everything in bench/results/latest.json.
//
//   node bench/run.js [--scale small|full] [--runs N] [--warmup N] [--seed N] [--only NAME] [--dir CORPUS_ROOT]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCorpus } from './corpus.js';
import { measureCommands } from './support/measure.js';
import { SCENARIOS } from './scenarios.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const DEFAULT_RUNS = 5;

/** Belt and braces: nothing this script prints may contain a key, whatever a tool wrote. */
function redactKeys(text) {
  return text.replace(/lmnfl_[A-Za-z0-9_]{3,64}\.[A-Za-z0-9_-]{16,}/g, 'lmnfl_<redacted>').replace(/lmnfl_[A-Za-z0-9_-]{24,}/g, 'lmnfl_<redacted>');
}

function tail(buffer, count = 8) {
  return redactKeys(buffer?.toString('utf8') ?? '').trimEnd().split('\n').slice(-count).map((l) => `  | ${l.slice(0, 200)}`);
}

function onPath(tool) {
  return !spawnSync(tool, ['--version'], { stdio: 'ignore' }).error;
}

/** Peak RSS of one run of `command`, through bench/with-rss.js. */
function peakRss(command) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  try {
    const out = join(dir, 'rss.json');
    spawnSync(process.execPath, [join(BENCH_DIR, 'with-rss.js'), '--out', out, '--', ...command.argv],
      { cwd: command.cwd, stdio: 'ignore', maxBuffer: 512 << 20 });
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lumenguardStatus() {
  if (!existsSync(join(ROOT, 'bin/lumenguard.js'))) return 'bin/lumenguard.js does not exist yet';
  if (!existsSync(join(ROOT, 'lib/src/cli/run.js'))) return 'not built: run `npm run build` (or `npm run bench`)';
  return null;
}

function printTable(scenario, results) {
  const base = results[scenario.baseline]?.median;
  const rows = [['command', 'median s', 'min s', `x ${scenario.baseline}`, 'exit']];
  for (const r of Object.values(results)) {
    const exits = [...new Set(r.statuses)].join(',');
    const ratio = base ? (r.median / base).toFixed(2) : '-';
    rows.push([r.command.label, r.median.toFixed(3), r.min.toFixed(3), ratio, r.failed ? `${exits} FAIL` : exits]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log('  ' + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}

function printChecks(checks) {
  for (const check of checks) {
    console.log(`  [${check.status}] ${check.name}: ${check.summary}`);
    for (const line of check.lines ?? []) console.log(`  ${line}`);
  }
}

async function runScenario(scenario, ctx, options) {
  console.log(`\n## ${scenario.name}: ${scenario.title}`);
  await scenario.setup?.(ctx);
  const commands = scenario.commands(ctx);
  // --runs applies to every scenario; without it, a scenario may set its own count (history: 3).
  const runs = options.runs ?? scenario.runs ?? DEFAULT_RUNS;
  const measured = measureCommands(commands, { ...options, runs });
  const results = Object.fromEntries(measured.map((r) => [r.command.id, r]));
  printTable(scenario, results);
  const checks = scenario.checks?.(ctx, results) ?? [];
  printChecks(checks);
  return {
    name: scenario.name, title: scenario.title, baseline: scenario.baseline, runs, checks: checks.map(({ lines, ...c }) => c),
    commands: measured.map((r) => ({ id: r.command.id, label: r.command.label, median: r.median, min: r.min,
      times: r.times, exitCodes: r.statuses, failed: r.failed })),
  };
}

async function main() {
  const { values } = parseArgs({ options: {
    scale: { type: 'string', default: 'full' }, runs: { type: 'string' }, warmup: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' }, only: { type: 'string' }, dir: { type: 'string' } } });
  const options = { runs: values.runs === undefined ? undefined : Math.max(1, Number(values.runs)), warmup: Math.max(0, Number(values.warmup)) };
  const corpus = await generateCorpus({ scale: values.scale, seed: Number(values.seed), ...(values.dir && { dir: values.dir }) });
  const missing = lumenguardStatus();
  const ctx = { root: ROOT, node: process.execPath, corpus, repoDir: corpus.repoDir, hasRg: onPath('rg'),
    lumenguardReady: !missing, lumenguardMissing: missing, peakRss, tail };
  console.log(`corpus ${values.scale} (seed ${corpus.seed}): ${corpus.stats.files} files, ${(corpus.stats.bytes / 1e6).toFixed(1)} MB, `
    + `${corpus.stats.commits} commits, ${corpus.planted.length} planted keys${corpus.reused ? ' (reused)' : ''}`);
  const scenarios = SCENARIOS.filter((s) => !values.only || s.name === values.only);
  const runsNote = options.runs ?? `${DEFAULT_RUNS}${scenarios.filter((s) => s.runs).map((s) => `, ${s.name} ${s.runs}`).join('')}`;
  console.log(`${cpus().length} CPUs, node ${process.version}; ${options.warmup} warm-up + ${runsNote} timed runs per command`);
  if (missing) console.log(`lumenguard skipped: ${missing}`);

  const report = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, platform: process.platform },
    options: { ...options, scale: values.scale, seed: corpus.seed },
    corpus: { dir: corpus.dir, head: corpus.head, stats: corpus.stats, planted: corpus.planted.length, history: corpus.history.length },
    scenarios: [],
  };
  for (const scenario of scenarios) report.scenarios.push(await runScenario(scenario, ctx, options));

  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(join(BENCH_DIR, 'results', 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  console.log('\nresults: bench/results/latest.json');
  // Only a broken run fails the script; a missed target is a finding of the benchmark, not an error.
  if (report.scenarios.some((s) => s.checks.some((c) => c.status === 'FAIL'))) process.exitCode = 1;
}

main().catch((error) => {
  console.error(redactKeys(String(error.stack ?? error)));
  process.exitCode = 1;
});
