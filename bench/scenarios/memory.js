// Memory scenarios: corpora built to find unbounded memory, where the target is peak RSS
// (< 200 MB) and the time is shown as a same-run ratio without a target of its own.
// - many-keys: one ~21 MB file holding 400,000 keys (as many findings), in its own git repo;
//   lumenguard scan <repo> --format json beside git grep / rg on the same file.
// - big-map: build output with a ~400 MB source map holding one key in sourcesContent;
//   lumenguard scan --bundles <dist> --format json beside rg -uuu -c on the same folder.
import { prepareBigMap } from '../support/big-map.js';
import { compareManyKeys, MANY_KEYS, prepareManyKeys } from '../support/many-keys.js';
import { originalCheck } from './bundles.js';
import { accuracyCheck, at, count, describeFindings, lumenguard, mb, nodeStartup, parseReport, ratioInfo, rssCheck } from './common.js';

export const manyKeys = {
  name: 'many-keys',
  title: `Many findings: lumenguard scan on one ~21 MB file holding ${count(MANY_KEYS.keys)} keys vs git grep / rg`,
  baseline: 'git-grep',
  runs: 3,
  quickRuns: 1,
  setup(ctx) {
    const m = ctx.manyKeys = prepareManyKeys({ root: ctx.corpusRoot, seed: ctx.seed, log: ctx.log });
    ctx.log(`  corpus ${m.repoDir} (${m.reused ? 'reused' : 'generated now'}): ${m.file}, ${mb(m.stats.bytes)}, ${count(m.stats.keys)} keys`);
  },
  corpusLabel: (ctx) => `1 file, ${mb(ctx.manyKeys.stats.bytes)}, ${count(ctx.manyKeys.stats.keys)} keys`,
  commands(ctx) {
    const dir = ctx.manyKeys.repoDir;
    return [
      nodeStartup(ctx),
      { id: 'git-grep', label: 'git grep -F lmnfl_', argv: ['git', 'grep', '-F', 'lmnfl_'], cwd: dir, okExit: [0, 1] },
      ctx.hasRg && { id: 'rg', label: 'rg -F lmnfl_', argv: ['rg', '-F', 'lmnfl_'], cwd: dir, okExit: [0, 1] },
      ctx.lumenguardReady && lumenguard(ctx, ['scan', dir, '--format', 'json'], { label: 'lumenguard scan <repo> --format json' }),
    ].filter(Boolean);
  },
  checks(ctx, results) {
    const lg = results.lumenguard;
    if (!lg) return [{ name: 'lumenguard', status: 'SKIP', summary: ctx.lumenguardMissing }];
    const { report, fail } = parseReport(ctx, lg);
    if (fail) return [fail];
    const m = ctx.manyKeys;
    const findings = report.findings ?? [];
    const result = compareManyKeys(findings, ctx.seed);
    // lumenguard keeps at most 10,000 findings per file (src/engine/finding-cap.ts) and counts the
    // rest (stats.findingsOverCap, a findings-cap warning): every kept finding must be a planted key
    // at its exact place, and kept + counted must be all of them.
    const overCap = report.stats?.findingsOverCap ?? 0;
    const capWarned = overCap === 0 || (report.warnings ?? []).some((warning) => warning.code === 'findings-cap');
    const complete = result.found + overCap === m.stats.keys && result.exact === result.found && result.extra.length === 0 && result.other.length === 0 && capWarned;
    const stdoutMb = (lg.last.stdout?.length ?? 0) / 1e6;
    const checks = [
      ratioInfo('speed', lg, results['git-grep'], 'git grep'),
      { name: 'scope', status: 'INFO', summary: `lumenguard scanned ${count(report.stats?.files)} files / ${mb(report.stats?.bytes)}; `
        + `its JSON report is ${stdoutMb.toFixed(1)} MB; ${report.warnings?.length ?? 0} warnings` },
      { name: 'accuracy', status: complete ? 'PASS' : 'MISS',
        summary: `found ${count(result.found)}/${count(m.stats.keys)} keys (${count(result.exact)} at the exact line and column) and counted `
          + `${count(overCap)} more over the per-file cap (${capWarned ? 'said in a findings-cap warning' : 'NOT said in a warning'}), `
          + `${count(result.missed - overCap)} missed, ${count(result.extra.length)} extra key findings, ${count(result.other.length)} findings without a key`,
        lines: [...result.elsewhere.slice(0, 5).map((f) => `  elsewhere: ${at(f)}`), ...describeFindings(result.extra, 5), ...describeFindings(result.other, 5)],
        data: { found: result.found, exact: result.exact, missed: result.missed, extra: result.extra.length, other: result.other.length,
          short: `${count(result.found)} kept + ${count(overCap)} counted over the cap = ${count(result.found + overCap)}/${count(m.stats.keys)}, ${count(result.exact)} exact, ${count(result.extra.length + result.other.length)} extra` } },
      rssCheck(ctx, lg.command),
    ];
    return checks;
  },
};

export const bigMap = {
  name: 'big-map',
  title: 'One big source map: lumenguard scan --bundles on a ~400 MB .map with a key in sourcesContent vs rg -uuu',
  baseline: 'rg',
  runs: 3,
  quickRuns: 1,
  setup(ctx) {
    const m = ctx.bigMap = prepareBigMap({ root: ctx.corpusRoot, seed: ctx.seed, log: ctx.log });
    ctx.log(`  corpus ${m.dir} (${m.reused ? 'reused' : 'generated now'}): ${m.map} ${mb(m.stats.mapBytes)} (${count(m.stats.sources)} sources), `
      + `${m.bundle} ${mb(m.stats.bundleBytes)}`);
  },
  corpusLabel: (ctx) => `dist/, one ${mb(ctx.bigMap.stats.mapBytes)} .map`,
  commands(ctx) {
    const m = ctx.bigMap;
    // cwd = the corpus folder: report names are dist/..., and its lumenguard.config.json stops the config search.
    return [
      nodeStartup(ctx),
      ctx.hasRg
        ? { id: 'rg', label: 'rg -uuu -F -c lmnfl_ dist', argv: ['rg', '-uuu', '-F', '-c', 'lmnfl_', 'dist'], cwd: m.dir, okExit: [0, 1] }
        : { id: 'rg', label: 'grep -r -F -c lmnfl_ dist', argv: ['grep', '-r', '-F', '-c', 'lmnfl_', 'dist'], cwd: m.dir, okExit: [0, 1] },
      ctx.lumenguardReady && lumenguard(ctx, ['scan', '--bundles', m.distDir, '--format', 'json'], { cwd: m.dir,
        label: 'lumenguard scan --bundles <corpus>/dist --format json' }),
    ].filter(Boolean);
  },
  checks(ctx, results) {
    const lg = results.lumenguard;
    if (!lg) return [{ name: 'lumenguard', status: 'SKIP', summary: ctx.lumenguardMissing }];
    const { report, fail } = parseReport(ctx, lg);
    if (fail) return [fail];
    const m = ctx.bigMap;
    const accuracy = accuracyCheck(ctx, report, m.planted);
    const checks = [
      ratioInfo('speed', lg, results.rg, results.rg.command.argv[0] === 'rg' ? 'rg -uuu -c' : 'grep -r -c'),
      { name: 'scope', status: 'INFO', summary: `lumenguard scanned ${count(report.stats?.files)} files / ${mb(report.stats?.bytes)}; `
        + `the folder has 2 files / ${mb(m.stats.mapBytes + m.stats.bundleBytes)}; ${report.warnings?.length ?? 0} warnings`,
        lines: (report.warnings ?? []).slice(0, 5).map((w) => `  warning ${w.code}: ${w.file ?? ''} ${w.message ?? ''}`) },
      accuracy,
    ];
    const plant = m.planted[0];
    const hit = (report.findings ?? []).find((f) => f.file === plant.file && f.secret?.fingerprint === plant.fingerprint);
    if (hit) checks.push(originalCheck(plant, hit));
    checks.push(rssCheck(ctx, lg.command));
    return checks;
  },
};
