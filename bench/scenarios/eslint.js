// The ESLint plugin's cost: `eslint` on the generated monorepo's JavaScript with and without
// `lumenguard/eslint`, in the same rounds. Target: the plugin adds at most 10 % to ESLint with its
// recommended rules. ESLint's own traversal of every file's syntax tree starts as soon as any rule
// is on, so a second pair — one cheap core rule (`no-debugger`) with and without the plugin — shows
// the plugin's cost against the least a configured ESLint does (reported, no target). Each run
// also records the CPU time it used (support/eslint-cpu.js): on a shared machine the wall time
// moves with the load, the CPU time much less, so both ratios are printed and the target is
// judged on the CPU time.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { count, secs } from './common.js';

/** Build output is not linted (the five minified bundles of `apps/web/public/static/js/`), as projects configure ESLint. */
const IGNORES = ['**/public/static/**'];

/** The flat configs timed: ESLint's recommended core rules, or `no-debugger` alone, each with and without the plugin. */
function writeConfigs(ctx, dir) {
  mkdirSync(dir, { recursive: true });
  const require = createRequire(join(ctx.root, 'package.json'));
  const unsupported = pathToFileURL(require.resolve('eslint/use-at-your-own-risk')).href;
  const plugin = pathToFileURL(join(ctx.root, 'lib/src/plugins/eslint.js')).href;
  const files = {
    'recommended.mjs': [
      `import { builtinRules } from ${JSON.stringify(unsupported)};`,
      'const rules = Object.fromEntries([...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, "error"]));',
      `export default [{ ignores: ${JSON.stringify(IGNORES)} }, { files: ["**/*.js"], rules }];`,
    ],
    'one-rule.mjs': [`export default [{ ignores: ${JSON.stringify(IGNORES)} }, { files: ["**/*.js"], rules: { "no-debugger": "error" } }];`],
  };
  for (const base of ['recommended', 'one-rule']) {
    files[`${base}-lumenguard.mjs`] = [
      `import base from "./${base}.mjs";`,
      `import lumenguard from ${JSON.stringify(plugin)};`,
      'export default [...base, lumenguard.configs.recommended];',
    ];
  }
  for (const [name, lines] of Object.entries(files)) writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
}

/** The file a command's runs append their CPU seconds to, one line per run. */
const cpuLog = (ctx, id) => join(ctx.eslintConfigs, `cpu-${id}.log`);

function eslintCommand(ctx, id, config, label) {
  rmSync(cpuLog(ctx, id), { force: true });
  return { id, label, short: label,
    argv: [ctx.node, join(ctx.root, 'bench/support/eslint-cpu.js'), cpuLog(ctx, id), ctx.eslintBin, '--config', join(ctx.eslintConfigs, config), '--format', 'json', '.'],
    cwd: ctx.corpus.repoDir, okExit: [0, 1] };
}

/** Median CPU seconds of a command's timed runs (the last lines of its log: the warm-up pass came first). */
function cpuMedian(ctx, result) {
  const lines = readFileSync(cpuLog(ctx, result.command.id), 'utf8').trim().split('\n').map(Number);
  const timed = lines.slice(-result.times.length).sort((a, b) => a - b);
  const mid = timed.length >> 1;
  return timed.length % 2 ? timed[mid] : (timed[mid - 1] + timed[mid]) / 2;
}

/** The JSON results of a run, or null when it printed none. */
function parsed(result) {
  try {
    return JSON.parse(result.last.stdout.toString('utf8'));
  } catch {
    return null;
  }
}

/** Same lint with the plugin, plus the plugin's findings where ESLint could parse the file; keys in files ESLint cannot parse are said. */
function findingsCheck(ctx, results) {
  const without = parsed(results.eslint);
  const withPlugin = parsed(results.lumenguard);
  if (!without || !withPlugin) return { name: 'findings', status: 'FAIL', summary: 'eslint printed no JSON results' };
  const fatal = new Set(withPlugin.filter((f) => f.messages.some((m) => m.fatal)).map((f) => f.filePath));
  const others = (files) => files.reduce((n, f) => n + f.messages.filter((m) => !m.ruleId?.startsWith('lumenguard/')).length, 0);
  const ours = withPlugin.flatMap((f) => f.messages.filter((m) => m.ruleId?.startsWith('lumenguard/')).map((m) => `${f.filePath.slice(ctx.corpus.repoDir.length + 1)}:${m.line}:${m.column}`));
  const plantedJs = ctx.corpus.planted.filter((p) => p.file.endsWith('.js') && !p.file.includes('/public/static/'));
  const expected = plantedJs.filter((p) => !fatal.has(join(ctx.corpus.repoDir, p.file))).map((p) => `${p.file}:${p.line}:${p.column}`);
  const unparsed = plantedJs.length - expected.length;
  const same = others(without) === others(withPlugin) && JSON.stringify(ours.sort()) === JSON.stringify(expected.sort());
  return { name: 'findings', status: same ? 'PASS' : 'MISS',
    summary: `${count(withPlugin.length)} files linted (${count(fatal.size)} do not parse, so ESLint runs no rule there); `
      + `${count(others(withPlugin))} core-rule problems with the plugin, ${count(others(without))} without; `
      + `lumenguard problems ${ours.length}, expected ${expected.length} (planted keys in parsed .js files)`
      + (unparsed ? `; ${unparsed} planted key(s) in .js files ESLint cannot parse` : '') };
}

const percent = (ratio) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;

/** The plugin's cost as two same-run ratios: CPU time (judged against the target when there is one) and wall time. */
function overheadCheck(ctx, name, results, withId, withoutId, target) {
  const cpu = { with: cpuMedian(ctx, results[withId]), without: cpuMedian(ctx, results[withoutId]) };
  const cpuRatio = cpu.with / cpu.without;
  const wallRatio = results[withId].median / results[withoutId].median;
  const check = { name, status: target ? (cpuRatio <= 1.1 ? 'PASS' : 'MISS') : 'INFO',
    summary: `CPU time ${secs(cpu.with)} with the plugin vs ${secs(cpu.without)}: ${cpuRatio.toFixed(3)}x (${percent(cpuRatio)}); `
      + `wall ${secs(results[withId].median)} vs ${secs(results[withoutId].median)}: ${wallRatio.toFixed(3)}x (${percent(wallRatio)})`,
    data: { cpuRatio, wallRatio, cpu, wall: { with: results[withId].median, without: results[withoutId].median } } };
  if (target) check.target = { measure: `CPU ${cpuRatio.toFixed(3)}x (${percent(cpuRatio)}), wall ${wallRatio.toFixed(3)}x`, goal: '≤ 1.10 × eslint (recommended rules), CPU time', refs: [withoutId] };
  return check;
}

export const eslint = {
  name: 'eslint',
  title: 'ESLint on the generated monorepo\'s JavaScript, with and without lumenguard/eslint',
  baseline: 'eslint',
  runs: 5,
  quickRuns: 3,
  async setup(ctx) {
    ctx.corpus = await ctx.generated();
    ctx.eslintBin = join(ctx.root, 'node_modules/eslint/bin/eslint.js');
    ctx.eslintConfigs = join(ctx.corpusRoot, 'eslint-configs');
    writeConfigs(ctx, ctx.eslintConfigs);
  },
  skip: (ctx) => ctx.lumenguardMissing ?? null,
  corpusLabel: (ctx) => `generated, ${count(ctx.corpus.planted.length)} planted keys; its .js files outside public/static`,
  commands: (ctx) => [
    eslintCommand(ctx, 'eslint', 'recommended.mjs', 'eslint (recommended rules)'),
    eslintCommand(ctx, 'lumenguard', 'recommended-lumenguard.mjs', 'eslint (recommended rules) + lumenguard/eslint'),
    eslintCommand(ctx, 'eslint-one-rule', 'one-rule.mjs', 'eslint (no-debugger only)'),
    eslintCommand(ctx, 'lumenguard-one-rule', 'one-rule-lumenguard.mjs', 'eslint (no-debugger only) + lumenguard/eslint'),
  ],
  checks: (ctx, results) => [
    overheadCheck(ctx, 'speed', results, 'lumenguard', 'eslint', true),
    overheadCheck(ctx, 'speed, one cheap rule', results, 'lumenguard-one-rule', 'eslint-one-rule', false),
    findingsCheck(ctx, results),
  ],
};
