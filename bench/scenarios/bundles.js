// The bundles scenario: `lumenguard scan --bundles <corpus>/node_modules --format json` on a real
// node_modules (installed by the bench with npm, see support/bundles-corpus.js) beside
// `rg -uuu -F lmnfl_` on the same tree in the same run. Target: within 1.5 × rg's time.
// The older goal of ≥ 1 GB/s of warm-cache input is shown beside it (INFO).
import { BUNDLE_PACKAGES, prepareBundlesCorpus } from '../support/bundles-corpus.js';
import { compareFindings, describeAccuracy } from '../support/accuracy.js';
import { at, count, lumenguard, mb, nodeStartup, parseReport, rssCheck, secs } from './common.js';

const BUNDLES_MAX_RG_RATIO = 1.5; // within 1.5x rg -uuu -F lmnfl_ in the same run
const BUNDLES_MIN_GBPS = 1; // earlier goal: at least 1 GB/s of warm-cache input on a node_modules-sized tree

const gbps = (bytes, seconds) => bytes / 1e9 / seconds;

/** Files in which the literal search counted `lmnfl_` (`path:count` lines). */
function searchHits(stdout) {
  return (stdout?.toString('utf8') ?? '').split('\n').map((line) => /^(.*):(\d+)$/.exec(line)).filter((m) => m && Number(m[2]) > 0)
    .map((m) => ({ file: m[1], count: Number(m[2]) }));
}

export const bundles = {
  name: 'bundles',
  title: `Client bundles: lumenguard scan --bundles on a real node_modules (${Object.entries(BUNDLE_PACKAGES).map(([n, v]) => `${n}@${v}`).join(' ')}) vs rg -uuu`,
  baseline: 'rg',
  runs: 5,
  quickRuns: 1,
  setup(ctx) {
    try {
      ctx.bundles = prepareBundlesCorpus({ root: ctx.corpusRoot, seed: ctx.seed, log: ctx.log });
    } catch (error) {
      ctx.bundles = { error: error.message };
      return;
    }
    const b = ctx.bundles;
    ctx.log(`  corpus ${b.dir} (${b.installed ? 'installed now' : 'reused'}): node_modules has ${count(b.stats.files)} files / `
      + `${mb(b.stats.bytes)}; ${b.planted.length} keys planted in node_modules/.lumenguard-bench/ (${b.written} files rewritten)`);
  },
  skip: (ctx) => (ctx.bundles.error ? `no bundles corpus: ${ctx.bundles.error}` : null),
  corpusLabel: (ctx) => `node_modules, ${count(ctx.bundles.stats.files)} files / ${mb(ctx.bundles.stats.bytes)}`,
  commands(ctx) {
    const b = ctx.bundles;
    // cwd = the corpus folder: report names are relative to it (node_modules/...), and its own
    // lumenguard.config.json stops the config search before the project's (which ignores bench/.corpus/).
    const rg = ctx.hasRg
      ? [{ id: 'rg', label: 'rg -uuu -F lmnfl_ node_modules', argv: ['rg', '-uuu', '-F', 'lmnfl_', 'node_modules'], cwd: b.dir, okExit: [0, 1] },
        { id: 'rg-c', label: 'rg -uuu -F -c lmnfl_ node_modules', argv: ['rg', '-uuu', '-F', '-c', 'lmnfl_', 'node_modules'], cwd: b.dir, okExit: [0, 1] }]
      : [{ id: 'grep', label: 'grep -r -F -c lmnfl_ node_modules', argv: ['grep', '-r', '-F', '-c', 'lmnfl_', 'node_modules'], cwd: b.dir, okExit: [0, 1] }];
    return [
      nodeStartup(ctx),
      ...rg,
      ctx.lumenguardReady && lumenguard(ctx, ['scan', '--bundles', b.nodeModules, '--format', 'json'], { cwd: b.dir,
        label: 'lumenguard scan --bundles <corpus>/node_modules --format json' }),
    ].filter(Boolean);
  },
  checks(ctx, results) {
    const b = ctx.bundles;
    const { stats } = b;
    const checks = [{ name: 'corpus', status: 'INFO',
      summary: `${Object.entries(b.versions).map(([n, v]) => `${n}@${v}`).join(' ')}: ${count(stats.files)} files / ${mb(stats.bytes)} under node_modules `
        + `(${count(stats.binaryFiles)} binary files / ${mb(stats.binaryBytes)}, the largest ${stats.largest.file} ${mb(stats.largest.bytes)}; `
        + `${count(stats.files - stats.binaryFiles)} text files / ${mb(stats.bytes - stats.binaryBytes)}), ${stats.nestedNodeModules} nested node_modules folders` }];
    const search = results['rg-c'] ?? results.grep;
    const hits = searchHits(search.last.stdout);
    checks.push({ name: search.command.argv[0], status: 'INFO',
      summary: `${search.command.label} counts lmnfl_ in ${hits.length} files: ${hits.map((h) => h.file.replace(/^node_modules\//, '')).join(', ') || 'none'}` });
    const lg = results.lumenguard;
    if (!lg) return [...checks, { name: 'lumenguard', status: 'SKIP', summary: ctx.lumenguardMissing }];
    const { report, fail } = parseReport(ctx, lg);
    if (fail) return [...checks, fail];

    const rate = gbps(stats.bytes, lg.median);
    if (results.rg) {
      const ratio = lg.median / results.rg.median;
      checks.push({ name: 'speed vs rg', status: ratio <= BUNDLES_MAX_RG_RATIO ? 'PASS' : 'MISS',
        summary: `lumenguard ${secs(lg.median)} vs rg -uuu -F lmnfl_ ${secs(results.rg.median)}: ${ratio.toFixed(2)}x (target <= ${BUNDLES_MAX_RG_RATIO}x); `
          + `rg -c ${secs(results['rg-c'].median)}`,
        data: { ratio, median: lg.median, rg: results.rg.median },
        target: { measure: `${ratio.toFixed(2)}x rg -uuu`, goal: `≤ ${BUNDLES_MAX_RG_RATIO} × rg -uuu -F lmnfl_`, refs: ['rg'] } });
    } else {
      checks.push({ name: 'speed vs rg', status: 'SKIP', summary: 'rg is not installed (apt-get install ripgrep): no rg to compare with',
        target: { measure: 'rg not installed', goal: `≤ ${BUNDLES_MAX_RG_RATIO} × rg -uuu -F lmnfl_`, refs: ['grep'] } });
    }
    const base = results.rg ?? results.grep;
    const net = lg.median - results.node.median;
    checks.push({ name: 'throughput', status: rate >= BUNDLES_MIN_GBPS ? 'PASS' : 'MISS',
      summary: `${rate.toFixed(3)} GB/s: ${mb(stats.bytes)} in ${secs(lg.median)} (earlier goal >= ${BUNDLES_MIN_GBPS} GB/s); `
        + `${base.command.argv[0]} ${gbps(stats.bytes, base.median).toFixed(3)} GB/s`,
      lines: [
        `  text bytes only (${mb(stats.bytes - stats.binaryBytes)}, without the ${stats.binaryFiles} binary files) over the same time: `
          + `${gbps(stats.bytes - stats.binaryBytes, lg.median).toFixed(3)} GB/s`,
        `  without node start-up (median - node -e 0 = ${net.toFixed(3)} s): ${gbps(stats.bytes, net).toFixed(3)} GB/s`,
        `  lumenguard's own durationMs ${report.stats?.durationMs} ms: ${gbps(stats.bytes, (report.stats?.durationMs ?? NaN) / 1000).toFixed(3)} GB/s`,
      ],
      data: { gbps: rate, bytes: stats.bytes, median: lg.median } });
    checks.push({ name: 'scope', status: 'INFO',
      summary: `lumenguard scanned ${count(report.stats?.files)} files / ${mb(report.stats?.bytes)} (the .gz counted inflated); the tree has `
        + `${count(stats.files)} files / ${mb(stats.bytes)}; ${report.stats?.skipped ?? 0} skipped, ${report.warnings?.length ?? 0} warnings`,
      lines: (report.warnings ?? []).slice(0, 5).map((w) => `  warning ${w.code}: ${w.file ?? ''}`) });

    // Every planted key, by file + fingerprint (a .gz finding names the compressed file); nothing else anywhere.
    const findings = report.findings ?? [];
    const result = compareFindings(findings, b.planted);
    const plantFiles = new Set(b.planted.map((p) => p.file));
    const outside = findings.filter((f) => !plantFiles.has(f.file));
    const [summary, ...lines] = describeAccuracy(result, b.planted.length);
    const complete = result.missed.length === 0 && result.extra.length === 0 && outside.length === 0;
    const found = result.exact.length + result.elsewhere.length;
    checks.push({ name: 'accuracy', status: complete ? 'PASS' : 'MISS',
      summary: `${summary}; ${outside.length} findings outside the planted files`,
      lines: [...lines, ...outside.slice(0, 10).map((f) => `  outside:   ${f.ruleId} at ${at(f)}`)],
      data: { planted: b.planted.length, exact: result.exact.length, elsewhere: result.elsewhere.length,
        missed: result.missed.length, extra: result.extra.length, other: result.other.length, outside: outside.length,
        short: `${found}/${b.planted.length} found, ${result.exact.length} exact, ${result.extra.length + outside.length} extra` } });

    // The sourcesContent plant: does the finding name the source (and line) the map holds it in?
    const mapPlant = b.planted.find((p) => p.source);
    const mapHit = mapPlant && findings.find((f) => f.file === mapPlant.file && f.secret?.fingerprint === mapPlant.fingerprint);
    if (mapHit) checks.push(originalCheck(mapPlant, mapHit));
    checks.push(rssCheck(ctx, lg.command));
    return checks;
  },
};

/** INFO: the `original` lumenguard gives for a key in a map's sourcesContent, beside where it was planted. */
export function originalCheck(plant, finding) {
  const want = plant.source;
  const got = finding.original;
  const same = got && got.file === want.name && got.line === want.line && got.column === want.column;
  return { name: 'sourcesContent original', status: 'INFO',
    summary: got ? `reported ${got.file}:${got.line}:${got.column}; planted at line ${want.line}, column ${want.column} of `
      + `sourcesContent[${want.index}] (${want.name})${same ? ': same' : ': differs'}` : 'no original reported' };
}
