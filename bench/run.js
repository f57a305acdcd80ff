#!/usr/bin/env node
// `npm run bench`: time lumenguard beside node start-up, git grep, rg and git cat-file / git log -p
// pipes on generated and real corpora, in the same run, as ratios; check the speed targets, peak
// RSS and accuracy (planted keys at their exact positions, nothing extra); print one summary table
// and write it to bench/results/latest.md (with the date and machine) and everything to
// bench/results/latest.json.
//
//   node bench/run.js [--only NAME[,NAME...]] [--quick] [--runs N] [--warmup N] [--seed N]
//                     [--scale small|full] [--dir CORPUS_ROOT] [--before LUMENGUARD_CHECKOUT] [--update-readme] [--list]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, parseArgs } from 'node:util';
import { DEFAULT_DIR, generateCorpus } from './corpus.js';
import { measureCommands } from './support/measure.js';
import { prepareRealRepo, REAL_HISTORY_ENV } from './support/real-repo.js';
import { RSS_LIMIT_MB, secs } from './scenarios/common.js';
import { SCENARIOS } from './scenarios.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const RESULTS_DIR = join(BENCH_DIR, 'results');
// The last full run's table is copied into both: bench/README.md, and the project README's Speed section.
const READMES = [join(BENCH_DIR, 'README.md'), join(BENCH_DIR, '..', 'README.md')];
const README_START = '<!-- bench-results:start -->';
const README_END = '<!-- bench-results:end -->';
const DEFAULT_RUNS = 5;

const USAGE = `usage: node bench/run.js [options]   (npm run bench builds first, then runs this)
  --only NAME[,NAME...]  only these scenarios (see --list)
  --quick                fewer timed runs: each scenario's quickRuns (1 for the heavy ones, 5 for staged)
  --runs N               timed runs per command in every scenario (default: each scenario's own)
  --warmup N             untimed warm-up passes before timing (default 1)
  --seed N               corpus seed (default 1)
  --scale small|full     size of the generated monorepo corpus (default full)
  --dir DIR              where corpora live (default bench/.corpus/)
  --before DIR           also time DIR's lumenguard (another built checkout, e.g. of main) in the
                         staged scenarios, in the same rounds: "at most 3 % slower than before"
  --update-readme        after a full run (no --only, --quick, --runs, --scale small), copy the
                         summary into bench/README.md and the README's Speed section
  --list                 list the scenarios and exit
environment: ${REAL_HISTORY_ENV}=PATH  the real repository for the *-real scenarios (\`off\` skips them)`;

/** Belt and braces: nothing this script prints may contain a key, whatever a tool wrote. */
function redactKeys(text) {
  return text.replace(/lmnfl_[A-Za-z0-9_]{3,64}\.[A-Za-z0-9_-]{16,}/g, 'lmnfl_<redacted>').replace(/lmnfl_[A-Za-z0-9_-]{24,}/g, 'lmnfl_<redacted>');
}

function tail(buffer, count = 8) {
  return redactKeys(buffer?.toString('utf8') ?? '').trimEnd().split('\n').slice(-count).map((l) => `  | ${l.slice(0, 200)}`);
}

/** Everything printed through `log` is kept for the Markdown file's details section. */
const transcript = [];
function log(...args) {
  const text = redactKeys(format(...args));
  transcript.push(text);
  console.log(text);
}

function toolVersion(tool, args = ['--version']) {
  const run = spawnSync(tool, args, { encoding: 'utf8' });
  return run.error || run.status !== 0 ? null : run.stdout.split('\n')[0].trim();
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

/** Why the lumenguard checkout at `root` cannot run (null when it can). */
function builtStatus(root) {
  if (!existsSync(join(root, 'bin/lumenguard.js'))) return `${join(root, 'bin/lumenguard.js')} does not exist`;
  if (!existsSync(join(root, 'lib/src/cli/run.js'))) return `${root} is not built: run \`npm run build\` there`;
  return null;
}

function lumenguardStatus() {
  return builtStatus(ROOT);
}

/** The machine, for the results file: nproc, CPU model, memory, Node, tool versions, load. */
function machine() {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  return {
    nproc: Number(toolVersion('nproc', [])) || cpus().length,
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    memGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    git: toolVersion('git'),
    rg: toolVersion('rg'),
    platform: `${process.platform} ${process.arch}`,
  };
}

/** The lumenguard source being measured: commit, and whether src/ rules/ bin/ differ from it. */
function lumenguardRevision(root = ROOT) {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'rules', 'bin'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' + uncommitted changes in src/, rules/ or bin/' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function printDetailTable(scenario, results) {
  const base = results[scenario.baseline]?.median;
  const rows = [['command', 'median s', 'min s', `x ${scenario.baseline}`, 'exit']];
  for (const r of Object.values(results)) {
    const exits = [...new Set(r.statuses)].join(',');
    const ratio = base ? (r.median / base).toFixed(2) : '-';
    rows.push([r.command.label, r.median.toFixed(3), r.min.toFixed(3), ratio, r.failed ? `${exits} FAIL` : exits]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) log('  ' + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}

function printChecks(checks) {
  for (const check of checks) {
    log(`  [${check.status}] ${check.name}: ${check.summary}`);
    for (const line of check.lines ?? []) log(`  ${line}`);
  }
}

const SEVERITY = ['PASS', 'INFO', 'SKIP', 'MISS', 'FAIL'];
const worst = (statuses) => statuses.reduce((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a), 'PASS');

/** A short name for a reference command in the summary table. */
function shortLabel(command) {
  return command.short ?? {
    node: 'node -e 0', 'git-grep': 'git grep -F', 'cat-file': 'cat-file pipe', 'log-p': 'log -p pipe', rg: command.argv[0] === 'rg' ? 'rg -uuu' : command.argv[0],
  }[command.id] ?? command.label;
}

/**
 * The summary-table lines of one scenario: one per check with a `target` (or one line without a
 * target), each with lumenguard's median, the references' medians, the peak RSS and the accuracy.
 */
function summaryRows(scenario, corpus, results, checks) {
  const lg = results.lumenguard;
  const rss = checks.find((c) => c.name === 'peak RSS');
  const accuracyChecks = checks.filter((c) => c.name.startsWith('accuracy'));
  const failed = checks.find((c) => c.status === 'FAIL');
  const base = {
    scenario: scenario.name, corpus, lumenguard: lg?.median ?? null, runs: lg?.times.length ?? 0,
    rssMb: rss?.data?.peakMb ?? null, rssStatus: rss?.status ?? '—',
    accuracy: accuracyChecks.length ? `${worst(accuracyChecks.map((c) => c.status))}: ${accuracyChecks.map((c) => c.data?.short ?? c.summary).join('; ')}` : '—',
  };
  const targets = checks.filter((c) => c.target);
  if (targets.length === 0) {
    const why = failed ? `${failed.name}: ${failed.summary}` : checks.find((c) => c.status === 'SKIP')?.summary ?? '—';
    return [{ ...base, references: '', measure: why, goal: '—', status: failed ? 'FAIL' : 'SKIP' }];
  }
  return targets.map((c) => ({
    ...base,
    references: (c.target.refs ?? [scenario.baseline]).map((id) => results[id]).filter(Boolean)
      .map((r) => `${shortLabel(r.command)} ${secs(r.median)}`).join(', '),
    measure: c.target.measure, goal: c.target.goal,
    status: c.status === 'INFO' ? '—' : c.status,
  }));
}

async function runScenario(scenario, ctx, options) {
  const started = Date.now();
  log(`\n## ${scenario.name}: ${scenario.title}`);
  const done = (extra) => ({ name: scenario.name, title: scenario.title, seconds: (Date.now() - started) / 1000, ...extra });
  try {
    await scenario.setup?.(ctx);
  } catch (error) {
    const summary = redactKeys(String(error.message ?? error)).split('\n')[0];
    log(`  [FAIL] setup: ${summary}`);
    return done({ checks: [{ name: 'setup', status: 'FAIL', summary }], commands: [],
      rows: [{ scenario: scenario.name, corpus: '—', lumenguard: null, references: '', measure: `setup failed: ${summary}`, goal: '—',
        status: 'FAIL', rssMb: null, rssStatus: '—', accuracy: '—' }] });
  }
  const skip = scenario.skip?.(ctx);
  if (skip) {
    log(`  [SKIP] ${skip}`);
    return done({ skipped: skip, checks: [{ name: 'corpus', status: 'SKIP', summary: skip }], commands: [],
      rows: [{ scenario: scenario.name, corpus: '—', lumenguard: null, references: '', measure: `SKIP: ${skip}`, goal: '—',
        status: 'SKIP', rssMb: null, rssStatus: '—', accuracy: '—' }] });
  }
  const commands = scenario.commands(ctx);
  // --runs applies to every scenario; without it each scenario has its own count (and --quick its quickRuns).
  const runs = options.runs ?? (options.quick ? scenario.quickRuns ?? 1 : scenario.runs ?? DEFAULT_RUNS);
  log(`  ${options.warmup} warm-up + ${runs} timed runs per command, round-robin`);
  const measured = measureCommands(commands, { warmup: options.warmup, runs });
  const results = Object.fromEntries(measured.map((r) => [r.command.id, r]));
  printDetailTable(scenario, results);
  const checks = scenario.checks?.(ctx, results) ?? [];
  printChecks(checks);
  const corpus = scenario.corpusLabel?.(ctx) ?? '';
  return done({
    baseline: scenario.baseline, runs, corpus,
    checks: checks.map(({ lines, ...c }) => c),
    commands: measured.map((r) => ({ id: r.command.id, label: r.command.label, median: r.median, min: r.min,
      times: r.times, exitCodes: r.statuses, failed: r.failed })),
    rows: summaryRows(scenario, corpus, results, checks),
  });
}

const cell = (text) => String(text).replace(/\|/g, '\\|');

/** The summary as a Markdown table, one line per target. */
function markdownTable(rows) {
  const head = ['scenario', 'corpus', 'lumenguard', 'reference (same run)', 'measured', 'target', 'result', 'peak RSS', `RSS < ${RSS_LIMIT_MB} MB`, 'accuracy'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(`| ${[r.scenario, r.corpus, r.lumenguard === null ? '—' : secs(r.lumenguard), r.references || '—', r.measure, r.goal,
      r.status, r.rssMb === null ? '—' : `${r.rssMb.toFixed(0)} MB`, r.rssStatus, r.accuracy].map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

function duration(seconds) {
  return seconds < 90 ? `${seconds.toFixed(0)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function header(report) {
  const m = report.machine;
  const rows = report.scenarios.flatMap((s) => s.rows);
  const counts = rows.reduce((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
  const verdicts = ['PASS', 'MISS', 'SKIP', 'FAIL'].filter((k) => counts[k]).map((k) => `${counts[k]} ${k}`).join(', ') || 'none';
  // Peak RSS is one figure per scenario (the scenario's lines repeat it).
  const rss = report.scenarios.map((s) => s.rows[0]?.rssStatus).filter((x) => x === 'PASS' || x === 'MISS');
  return [
    `Run of ${report.startedAt} (UTC), ${duration(report.seconds)} in all${report.options.partial ? ` (partial: ${report.options.partial})` : ''}.`,
    `Machine: nproc ${m.nproc}, ${m.cpu}, ${m.memGiB} GiB RAM, ${m.platform}; Node ${m.node}; ${m.git ?? 'git ?'}; ${m.rg ?? 'rg not installed'}.`,
    `Load average ${report.load.start.map((x) => x.toFixed(2)).join(' / ')} at the start and ${report.load.end.map((x) => x.toFixed(2)).join(' / ')} at the end `
      + '(1 / 5 / 15 min): the machine is shared, so absolute times are noisy; compare the ratios within one run.',
    `lumenguard ${report.lumenguard}; seed ${report.options.seed}, generated monorepo scale ${report.options.scale}, `
      + `${report.options.warmup} warm-up pass, timed runs per command: ${report.scenarios.filter((s) => s.runs).map((s) => `${s.name} ${s.runs}`).join(', ')}.`,
    `Speed targets: ${verdicts}${counts['—'] ? ` (and ${counts['—']} memory corpora without a speed target)` : ''}; `
      + `peak RSS under ${RSS_LIMIT_MB} MB in ${rss.filter((x) => x === 'PASS').length} of ${rss.length} scenarios.`,
  ];
}

function writeMarkdown(report, table) {
  const text = [
    '# lumenguard bench: last run', '',
    ...header(report).map((l) => `${l}  `), '',
    'Times are medians of warm-cache runs (lumenguard and its references run round-robin in the same run); '
      + '`measured` is the ratio the target is stated in. See bench/README.md for what each line means.', '',
    table, '',
    '## Details', '', '```text', ...transcript, '```', '',
  ].join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.md'), text);
}

function updateReadme(report, table) {
  const block = [README_START, '', ...header(report).map((l) => `${l}  `), '', table, '', README_END].join('\n');
  for (const readme of READMES) {
    const text = readFileSync(readme, 'utf8');
    const start = text.indexOf(README_START);
    const end = text.indexOf(README_END);
    if (start === -1 || end < start) throw new Error(`${readme} has no ${README_START} … ${README_END} block`);
    writeFileSync(readme, text.slice(0, start) + block + text.slice(end + README_END.length));
  }
}

async function main() {
  const { values } = parseArgs({ options: {
    scale: { type: 'string', default: 'full' }, runs: { type: 'string' }, warmup: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' }, only: { type: 'string' }, dir: { type: 'string' }, quick: { type: 'boolean', default: false },
    before: { type: 'string' }, 'update-readme': { type: 'boolean', default: false }, list: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(14)} ${s.title}`);
    return;
  }
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length) {
    console.error(`unknown scenario ${unknown.join(', ')}; one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const options = { runs: values.runs === undefined ? undefined : Math.max(1, Number(values.runs)), warmup: Math.max(0, Number(values.warmup)),
    quick: values.quick };
  const seed = Number(values.seed);
  const corpusRoot = values.dir ?? DEFAULT_DIR;
  const missing = lumenguardStatus();
  let generated = null;
  const ctx = {
    root: ROOT, node: process.execPath, seed, scale: values.scale, corpusRoot, hasRg: Boolean(toolVersion('rg')),
    lumenguardReady: !missing, lumenguardMissing: missing, peakRss, tail, log,
    /** The generated monorepo corpus (corpus.js), made or reused on first use. */
    generated: async () => {
      if (!generated) {
        generated = await generateCorpus({ scale: values.scale, seed, dir: corpusRoot });
        log(`  generated corpus ${values.scale} (seed ${seed}): ${generated.stats.files} files, ${(generated.stats.bytes / 1e6).toFixed(1)} MB, `
          + `${generated.stats.commits} commits, ${generated.planted.length} planted keys${generated.reused ? ' (reused)' : ''}`);
      }
      return generated;
    },
    before: values.before === undefined ? null : { root: resolve(values.before), missing: builtStatus(resolve(values.before)) },
    /** The real repository's clone (support/real-repo.js), or { skip }. */
    prepareReal: () => prepareRealRepo({ root: corpusRoot, seed, log }),
  };
  const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.name));
  const partial = [only && `--only ${only.join(',')}`, values.quick && '--quick', options.runs && `--runs ${options.runs}`,
    values.scale !== 'full' && `--scale ${values.scale}`].filter(Boolean).join(' ');
  const report = {
    startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), machine: machine(), lumenguard: lumenguardRevision(),
    load: { start: loadavg() }, options: { ...options, scale: values.scale, seed, partial: partial || null }, scenarios: [],
  };
  log(`lumenguard bench: ${scenarios.map((s) => s.name).join(', ')}`);
  log(`machine: nproc ${report.machine.nproc}, ${report.machine.cpu}, node ${report.machine.node}, ${report.machine.rg ?? 'rg not installed'}; `
    + `load average ${report.load.start.map((x) => x.toFixed(2)).join(' ')}`);
  if (!ctx.hasRg) log('rg is not installed (apt-get install ripgrep): rg rows use grep, and the bundles target is SKIP');
  if (missing) log(`lumenguard skipped: ${missing}`);
  if (ctx.before) log(ctx.before.missing ? `--before ignored: ${ctx.before.missing}` : `--before: ${ctx.before.root} (${lumenguardRevision(ctx.before.root)}) is timed beside this build in the staged scenarios`);

  const started = Date.now();
  for (const scenario of scenarios) report.scenarios.push(await runScenario(scenario, ctx, options));
  report.seconds = (Date.now() - started) / 1000;
  report.load.end = loadavg();

  const rows = report.scenarios.flatMap((s) => s.rows);
  const table = markdownTable(rows);
  log('\n## Summary\n');
  for (const line of header(report)) log(line);
  log('');
  log(table);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  writeMarkdown(report, table);
  log('\nresults: bench/results/latest.md (table and details), bench/results/latest.json');
  if (values['update-readme']) {
    if (partial) log(`bench/README.md and README.md not updated: its table is a full run's, and this one was partial (${partial})`);
    else {
      updateReadme(report, table);
      log('bench/README.md and README.md: last-run table updated');
    }
  }
  // Only a broken run fails the script; a missed target is a finding of the benchmark, not an error.
  if (report.scenarios.some((s) => s.checks.some((c) => c.status === 'FAIL'))) process.exitCode = 1;
}

main().catch((error) => {
  console.error(redactKeys(String(error.stack ?? error)));
  process.exitCode = 1;
});
