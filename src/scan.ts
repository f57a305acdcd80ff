import { resolve } from "node:path";
import { planScan, resolveConfig, type ResolvedConfig } from "./config/resolve-config.js";
import { configBaseline, type Baseline } from "./config/baseline.js";
import { ScanError, UsageError } from "./errors.js";
import { checkScanOptions } from "./scan-options-check.js";
import { envForRepository, repositoryOfPaths, type RepositoryOfPaths } from "./git/repository-of-paths.js";
import { objectsBesideCommits, objectsOfAllRefs } from "./git/pushed-objects.js";
import { checkRevision } from "./git/revisions.js";
import { envForPath, runGit } from "./git/run-git.js";
import { findWorkTreeRoot } from "./git/work-tree-root.js";
import { ScanSession, type ScanRun as SessionRun } from "./scanning/session.js";
import type { RuleMeta } from "./engine/rule.js";
import { checkShard, ShardSelection, type Shard } from "./scanning/shard.js";
import type { Finding, ScanModeName, ScanResult, Severity, Warning } from "./types.js";
import { createTracer } from "./sources/source-maps.js";
import { scanStaged } from "./sources/staged.js";
import { isDirectory } from "./files.js";
import type { ScanMode, ScanOptions } from "./scan-types.js";

/*
 * Each mode's source is imported when that mode runs (import() below), not with this module: a
 * pre-commit hook's `scan --staged` then loads the index source alone, not the working tree's,
 * history's or the verifier's code (the CLI bundle puts each in its own chunk; scripts/bundle.js).
 * The index source itself is imported statically: it is the pre-commit hook's path, and so part
 * of the CLI's first chunk.
 */

export type { ScanMode, ScanOptions };

/**
 * What runScan() returns: the result, the configuration the scan ran with, each finding's file
 * on disk (`placed`, for baselines), and `ruleMeta`, the meta of every rule of this scan — the
 * built-in rules and one per config custom pattern — by rule id: `findingMessage(finding, run)`
 * renders any finding of the run, and `run.ruleMeta(finding.ruleId)` gives its `practice`, `why`,
 * `fix` steps and `revokeUrl`.
 */
export interface ScanRun extends SessionRun {
  ruleMeta(id: string): RuleMeta | undefined;
}

/**
 * Runs one scan and returns the report's data: `{ version: 1, mode, findings, warnings,
 * suppressed, stats }`. Reads files and runs git, but prints nothing and never touches
 * `process` beyond the defaults of `cwd` and `env`.
 * @throws UsageError (exit code 2) for an option of the wrong type, unknown, missing where its
 *   mode needs it, or contradicting another (ScanOptions says which), and for a bad revision;
 *   the message names the field.
 * @throws ConfigError (exit code 2) for an invalid config or baseline file, naming the field.
 * @throws ScanError (exit code 3) when the scan cannot run (not a repository, git missing,
 *   nothing readable, a shallow clone that lacks the commits asked for).
 */
export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  return (await runScan(options)).result;
}

/**
 * {@link scan}, keeping the resolved configuration, each finding's file on disk (for baselines)
 * and the meta of the scan's rules (ScanRun). Throws as scan() does.
 */
export async function runScan(options: ScanOptions = {}): Promise<ScanRun> {
  const run = await runSession(options);
  return { ...run, ruleMeta: (id) => run.resolved.ruleMeta(id) };
}

async function runSession(options: ScanOptions): Promise<SessionRun> {
  checkOptions(options);
  const mode = options.mode ?? { kind: "worktree" };
  checkMode(mode);
  const { cwd, repository } = scanPlace(mode, resolve(options.cwd ?? process.cwd()), options.env ?? process.env);
  const env = repository === null ? options.env ?? process.env : envForRepository(repository, resolve(options.cwd ?? process.cwd()), options.env ?? process.env);
  // npm judges package.json first: it says more about a broken one than the config lookup would.
  const packed = mode.kind === "pack" ? (await import("./sources/pack.js")).listPackage(resolve(cwd, mode.dir ?? "."), env) : undefined;
  const resolved = resolveConfig({
    startDir: configRoot(mode, cwd, repository),
    explicitFile: options.configFile,
    cwd: resolve(options.cwd ?? process.cwd()),
    // A server reads only its own configuration, never a file found near the repository.
    config: options.config ?? (mode.kind === "pre-receive" && options.configFile === undefined ? {} : undefined),
    overrides: { maxFileMegabytes: options.maxFileMegabytes },
    beforeCustomPatterns: options.beforeCustomPatterns,
  });
  const place = { cwd, repository, callerCwd: resolve(options.cwd ?? process.cwd()) };
  if (!options.verify && !options.onlyLive) return runMode(mode, resolved, { ...options, packed }, place, env);
  // The engine hands keys to the verifier, never to the result (src/verify/verify-findings.ts).
  const { createKeyVerifier } = await import("./verify/verify-findings.js");
  const verifier = createKeyVerifier(env, typeof options.verify === "object" ? options.verify : {});
  try {
    const run = await runMode(mode, resolved, { ...options, packed, onKey: (key, fingerprint) => verifier.collect(key, fingerprint) }, place, env);
    return await verifier.finish(run, options.onlyLive ?? false);
  } finally {
    verifier.discard();
  }
}

/** Where a scan runs: `cwd`, or for a git mode given paths, the repository that holds them. */
interface ScanPlace {
  cwd: string;
  /** The repository the paths of a git mode named, or null when none were given. */
  repository: RepositoryOfPaths | null;
  /** The directory the caller ran from (`--config` and `--baseline` are relative to it). */
  callerCwd: string;
}

function scanPlace(mode: ScanMode, cwd: string, env: NodeJS.ProcessEnv): Omit<ScanPlace, "callerCwd"> {
  const paths = mode.kind === "staged" || mode.kind === "history" || mode.kind === "pre-push" || mode.kind === "ci" ? (mode.paths ?? []) : [];
  if (paths.length === 0) return { cwd, repository: null };
  const repository = repositoryOfPaths(paths, cwd, env);
  return { cwd: repository.root, repository };
}

type RunOptions = ScanOptions & { onKey?: (key: string, fingerprint: string) => void; packed?: string[] | undefined };

async function runMode(mode: ScanMode, resolved: ResolvedConfig, options: RunOptions, place: ScanPlace, env: NodeJS.ProcessEnv): Promise<SessionRun> {
  const { cwd, repository } = place;
  const shard = shardSelection(mode, options.shard, cwd, env);
  const session = (name: ScanModeName, settings: { resolved: ResolvedConfig; baselineFile: string | null; baseline?: Baseline } = { resolved, baselineFile: baselineOf(resolved) }) =>
    new ScanSession({
      shard,
      mode: name,
      resolved: settings.resolved,
      // A server's hook decides on inline allows itself (its settings): the pusher wrote the file.
      plan: planScan(settings.resolved, { includePlaceholders: options.includePlaceholders ?? false, ...(options.onKey ? { onKey: options.onKey } : {}), ...(name === "pre-receive" ? { inlineAllows: "report" as const } : {}) }),
      baselineFile: options.useBaseline === false ? null : settings.baselineFile,
      baseline: options.useBaseline === false ? undefined : settings.baseline,
      trace: createTracer(),
      ...(options.prefilter === false ? { prefilter: false } : {}),
    });
  function baselineOf(config: ResolvedConfig): string | null {
    return configuredBaseline(options.baselineFile, place.callerCwd, config);
  }
  switch (mode.kind) {
    case "worktree": {
      // Key ages (config `rotation`, src/sources/key-ages.ts): read before the scan, recorded after it.
      const early: Warning[] = [];
      const { trackKeyAges } = await import("./sources/key-ages.js");
      const keyAges = trackKeyAges(resolved, configRoot(mode, cwd), env, (warning) => void early.push(warning));
      const current = keyAges ? session("worktree", { resolved: keyAges.resolved, baselineFile: baselineOf(resolved) }) : session("worktree");
      for (const warning of early) current.warn(warning);
      const run = await scanWorktreeMode(current, mode, resolved, options, cwd, env);
      // A shard reads the recorded ages but records none: the shards of one scan must all read the same.
      if (keyAges && !shard) run.result.warnings.push(...keyAges.record(current));
      return run;
    }
    case "staged": {
      const current = session("staged");
      await scanStaged(current, { cwd, env, pathspecs: repository?.pathspecs, displayRoot: repository?.displayRoot, failOnExisting: mode.failOnExisting });
      return current.finish();
    }
    case "history": {
      const current = session("history");
      const revisions = { tips: mode.revisions ?? [], allRefs: mode.revisions === undefined, paths: repository?.pathspecs ?? [] };
      // Every ref: also its name, and annotated tags (every tag of a chain) and refs to blobs and trees; not when paths narrow the scan.
      const refs = revisions.allRefs && revisions.paths.length === 0 ? objectsOfAllRefs(cwd, env) : undefined;
      const { scanHistory } = await import("./sources/history.js");
      await scanHistory(current, { cwd, env, revisions, displayRoot: repository?.displayRoot, onProgress: options.onProgress, objects: refs?.objects, refNames: refs?.refNames, shard });
      return current.finish();
    }
    case "pre-push": {
      const current = session("pre-push");
      const { scanPrePush } = await import("./sources/pre-push.js");
      await scanPrePush(current, { cwd, env, refs: mode.refs, remote: mode.remote, url: mode.url, onProgress: options.onProgress });
      return current.finish();
    }
    case "pre-receive": {
      const current = session("pre-receive");
      const { parseRefUpdates, scanReceived } = await import("./sources/pre-receive.js");
      const { updates, malformed } = parseRefUpdates(mode.updates);
      if (malformed.length > 0) throw new ScanError(`the pre-receive hook's standard input is not git's "<old> <new> <ref>" lines (${malformed.length} other line(s)); nothing was checked`);
      await scanReceived(current, { cwd, env, updates, signal: mode.signal, acceptedRefs: mode.acceptedRefs, lfs: mode.lfs });
      return current.finish();
    }
    case "pack": {
      const current = session("pack");
      const { scanPack } = await import("./sources/pack.js");
      scanPack(current, { dir: resolve(cwd, mode.dir ?? "."), files: options.packed ?? [], onFile: options.onFile });
      return current.finish();
    }
    case "ci":
      return runCi(mode, resolved, options, place, env, session);
  }
}

/**
 * `ci`: the working tree, and the commits of the CI run, in one report. For a change under
 * review, both are scanned with the settings of its base commit, and what the change does to
 * them is reported for the reviewer (src/sources/review-settings.ts).
 */
async function runCi(
  mode: Extract<ScanMode, { kind: "ci" }>,
  resolved: ResolvedConfig,
  options: RunOptions,
  place: ScanPlace,
  env: NodeJS.ProcessEnv,
  session: (name: ScanModeName, settings?: { resolved: ResolvedConfig; baselineFile: string | null; baseline?: Baseline }) => ScanSession,
): Promise<SessionRun> {
  const { cwd } = place;
  const { mergeCiRuns, planCi } = await import("./sources/ci.js");
  const ci = planCi(cwd, env, mode.range);
  let settings: { resolved: ResolvedConfig; baselineFile: string | null; baseline?: Baseline } = { resolved, baselineFile: configuredBaseline(options.baselineFile, place.callerCwd, resolved) };
  let changes: Finding[] = [];
  let review: { base: string; root: string; severity: Severity | "off" } | null = null;
  if (ci.reviewBase !== null) {
    review = { base: fullSha(ci.reviewBase, cwd, env), root: findWorkTreeRoot(cwd, env), severity: "off" };
    const { reviewSettings } = await import("./sources/review-settings.js");
    const reviewed = await reviewSettings({
      root: review.root,
      base: review.base,
      startDir: configRoot(mode, cwd, place.repository),
      cwd: place.callerCwd,
      env,
      explicitFile: options.configFile,
      baselineFlag: options.baselineFile,
      head: resolved,
      headBaselineFile: settings.baselineFile,
      beforeCustomPatterns: options.beforeCustomPatterns,
    });
    settings = reviewed.baseline === undefined ? { resolved: reviewed.resolved, baselineFile: reviewed.baselineFile } : { resolved: reviewed.resolved, baselineFile: reviewed.baselineFile, baseline: reviewed.baseline };
    changes = reviewed.findings;
    review.severity = reviewed.severity;
  }
  const tree = await scanWorktreeMode(session("ci", settings), { kind: "worktree", paths: ["."] }, settings.resolved, options, cwd, env);
  let history: SessionRun | null = null;
  if (ci.revisions !== null) {
    const current = session("ci", settings);
    // What the run is about besides its commits: a tag pushed (its chain), every ref on a full scan, the ref names.
    const refs = ci.revisions.allRefs ? objectsOfAllRefs(cwd, env) : { objects: objectsBesideCommits(ci.revisions.tips.map((sha) => ({ sha, ref: ci.refNames[0] ?? sha })), cwd, env), refNames: ci.refNames };
    const { scanHistory } = await import("./sources/history.js");
    await scanHistory(current, { cwd, env, revisions: ci.revisions, displayRoot: cwd, onProgress: options.onProgress, objects: refs.objects, refNames: refs.refNames });
    history = await current.finish();
  }
  if (review !== null) {
    // The base's versions of files are run through the engine aside: no key of theirs is verified or reported.
    const aside = new ScanSession({ mode: "ci", resolved: settings.resolved, plan: planScan(settings.resolved, { includePlaceholders: options.includePlaceholders ?? false }), baselineFile: null });
    const suppressed = [...tree.result.suppressed, ...(history?.result.suppressed ?? [])];
    const { inlineAllowsAdded } = await import("./sources/review-allows.js");
    changes = [...changes, ...(await inlineAllowsAdded({ root: review.root, base: review.base, displayRoot: cwd, env, suppressed, session: aside, severity: review.severity }))];
  }
  return mergeCiRuns(tree, history, ci.warnings, changes);
}

/** The full object id of a commit named by a CI payload (already known to exist). */
function fullSha(rev: string, cwd: string, env: NodeJS.ProcessEnv): string {
  const result = runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], cwd, env);
  const sha = result.stdout.toString("utf8").trim();
  if (result.status !== 0 || sha === "") throw new ScanError(`${rev} is not a commit of this repository`);
  return sha;
}

async function scanWorktreeMode(session: ScanSession, mode: Extract<ScanMode, { kind: "worktree" }>, resolved: ResolvedConfig, options: RunOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<SessionRun> {
  const given = mode.paths ?? [];
  const bundlesOnly = given.length === 0 && (mode.bundles ?? []).length > 0;
  const paths = given.length > 0 ? given : bundlesOnly ? [] : ["."];
  const bundles = [...(mode.bundles ?? []).map((dir) => resolve(cwd, dir)), ...(resolved.loaded.config.bundles ?? []).map((dir) => resolve(resolved.loaded.dir, dir))].filter(isDirectory);
  const [{ scanWorktree }, { defaultJobs }] = await Promise.all([import("./sources/worktree.js"), import("./sources/threads.js")]);
  await scanWorktree(session, {
    cwd,
    env,
    root: configRoot({ kind: "worktree", paths }, cwd),
    paths: paths.filter((path) => path !== "-"),
    bundles,
    discoverClient: !bundlesOnly,
    jobs: options.jobs ?? defaultJobs(),
    onFile: options.onFile,
    plan: session.plan,
    ...(options.prefilter === false ? { prefilter: false } : {}),
    shard: session.shard,
  });
  if (paths.includes("-")) await (await import("./sources/stdin.js")).scanStdin(session, { cwd, stdin: mode.stdin, filename: mode.stdinFilename });
  return session.finish();
}

/**
 * The scan root: the positional folder when one is given, else the current directory — also for
 * file arguments, so lint-staged passing one file or fifty finds the same config. The package
 * folder for `pack`; for a git mode given paths, the folder given (or the repository root).
 * Report paths are relative to it, and the config is looked for from it up.
 */
function configRoot(mode: ScanMode, cwd: string, repository: RepositoryOfPaths | null = null): string {
  if (mode.kind === "pack") return resolve(cwd, mode.dir ?? ".");
  if (repository !== null) return repository.displayRoot;
  if (mode.kind !== "worktree") return cwd;
  const paths = mode.paths ?? [];
  const single = paths.length === 1 && paths[0] !== "-" ? resolve(cwd, paths[0]!) : null;
  return single !== null && isDirectory(single) ? single : cwd;
}

/**
 * The baseline in use: `baselineFile` (relative to cwd), else the config's (relative to the
 * config file, and inside the repository that holds it: src/config/baseline.ts `configBaseline`).
 * @throws ConfigError naming `baseline` when the config's leads outside the repository.
 */
export function configuredBaseline(flag: string | undefined, cwd: string, resolved: ResolvedConfig): string | null {
  if (flag) return resolve(cwd, flag);
  return configBaseline(resolved.loaded)?.file ?? null;
}

/**
 * The options, checked against their one description (src/scan-options-check.ts): a field scan()
 * does not know, of the wrong type, missing where a mode needs it, or contradicting another is an
 * error, never coerced or ignored: `verify: "false"` must not send keys to the network.
 * @throws UsageError naming the field.
 */
function checkOptions(options: ScanOptions): void {
  checkScanOptions(options);
  if (options.shard !== undefined) checkShardedMode(checkShard(options.shard), options.mode ?? { kind: "worktree" });
}

/**
 * Only a history scan and a working-tree scan of files on disk split into shards: the others
 * scan a handful of commits or files (staged, pre-push, pre-receive), read a stream (standard
 * input), or combine two scans whose results depend on each other (`ci` reports a key still in
 * the tree once, not again from history).
 * @throws UsageError naming the mode.
 */
function checkShardedMode(shard: Shard, mode: ScanMode): void {
  const names: Record<ScanMode["kind"], string | null> = { worktree: null, history: null, staged: "--staged", "pre-push": "--pre-push", "pre-receive": "--pre-receive", pack: "--pack", ci: "lumenguard ci" };
  const what = mode.kind === "worktree" && (mode.paths ?? []).includes("-") ? "standard input (-)" : names[mode.kind];
  if (what !== null) {
    throw new UsageError(`--shard ${shard.index}/${shard.total} goes with scan --history and a plain scan of the working tree; ${what} is not split into shards`);
  }
}

/** The shard's selection for a sharded history or working-tree scan; undefined when the scan is not sharded. */
function shardSelection(mode: ScanMode, shard: Shard | undefined, cwd: string, env: NodeJS.ProcessEnv): ShardSelection | undefined {
  if (shard === undefined || (mode.kind !== "history" && mode.kind !== "worktree")) return undefined;
  const revisions = mode.kind === "history" ? (mode.revisions ?? null) : null;
  return new ShardSelection(shard, { mode: mode.kind, revisions, paths: [...(mode.paths ?? [])], head: headCommit(cwd, mode.kind === "worktree" ? envForPath(env) : env) });
}

/** The commit HEAD names in the repository holding `cwd`; null outside git or before the first commit. */
function headCommit(cwd: string, env: NodeJS.ProcessEnv): string | null {
  try {
    const result = runGit(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cwd, env);
    const sha = result.stdout.toString("utf8").trim();
    return result.status === 0 && sha !== "" ? sha : null;
  } catch {
    return null; // git missing: a scan outside git
  }
}

/**
 * Values that reach git as revisions must be revisions (src/git/revisions.ts says why).
 * @throws UsageError naming the value.
 */
function checkMode(mode: ScanMode): void {
  const revisions = mode.kind === "history" ? (mode.revisions ?? []) : mode.kind === "ci" && mode.range !== undefined ? [mode.range] : [];
  for (const revision of revisions) checkRevision(revision);
}

export { checkRevision };
