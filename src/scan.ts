import { resolve } from "node:path";
import type { LumenguardConfig } from "./config/load-config.js";
import { planScan, resolveConfig, type ResolvedConfig } from "./config/resolve-config.js";
import { UsageError } from "./errors.js";
import { ScanSession, type ScanRun } from "./scanning/session.js";
import type { ScanModeName, ScanResult } from "./types.js";
import { mergeCiRuns, planCi } from "./sources/ci.js";
import { scanHistory, type HistoryProgress } from "./sources/history.js";
import { listPackage, scanPack } from "./sources/pack.js";
import { scanPrePush } from "./sources/pre-push.js";
import { createTracer } from "./sources/source-maps.js";
import { scanStaged } from "./sources/staged.js";
import { scanStdin } from "./sources/stdin.js";
import { defaultJobs } from "./sources/threads.js";
import { scanWorktree } from "./sources/worktree.js";
import { createKeyVerifier } from "./verify/verify-findings.js";
import type { VerifyTuning } from "./verify/verify-keys.js";
import { isDirectory } from "./files.js";

/**
 * What to scan — one of:
 * - `worktree`: files and folders (default `.`; folders are listed by git when inside a
 *   repository), client output folders (`bundles`), and standard input (`-` among `paths`);
 * - `staged`: what the next commit records (the index);
 * - `history`: every blob reachable from `revisions` (git log syntax, e.g. `["A..B"]`; default
 *   every ref);
 * - `pre-push`: the commits a push sends (`refs`: the pre-push hook's standard input; `remote`:
 *   its first argument);
 * - `ci`: the working tree plus the commits of the CI run (or `range`);
 * - `pack`: the files `npm pack` would ship from the package in `dir`.
 */
export type ScanMode =
  | { kind: "worktree"; paths?: string[]; bundles?: string[]; stdin?: AsyncIterable<Uint8Array>; stdinFilename?: string }
  | { kind: "staged" }
  | { kind: "history"; revisions?: string[] }
  | { kind: "pre-push"; refs: string; remote?: string }
  | { kind: "ci"; range?: string }
  | { kind: "pack"; dir?: string };

/** One scan's options. Relative paths are relative to `cwd`. */
export interface ScanOptions {
  /** Default `{ kind: "worktree" }`. */
  mode?: ScanMode;
  /** Default `process.cwd()`. Git context comes from the scanned path, never from elsewhere. */
  cwd?: string;
  /** Default `process.env`: git's variables, CI variables, `--verify`'s test override. */
  env?: NodeJS.ProcessEnv;
  /** A config file instead of the nearest one. */
  configFile?: string;
  /** A config object instead of any file. */
  config?: LumenguardConfig;
  /** Report placeholders as `info` findings. */
  includePlaceholders?: boolean;
  /** A baseline file (relative to `cwd`) instead of the config's `baseline`. */
  baselineFile?: string;
  /** `false`: apply no baseline at all (writing a new one). */
  useBaseline?: boolean;
  /**
   * Ask the Lumenfall API whether each reported key is still live (network, opt-in): sets
   * `finding.verified`. An object tunes timeout and retries.
   */
  verify?: boolean | Partial<VerifyTuning>;
  /** Keep only findings whose key verified live; implies `verify`. */
  onlyLive?: boolean;
  /** History, pre-push and ci: called at most every 100 ms while commits are walked. */
  onProgress?: (progress: HistoryProgress) => void;
  /** Called once per file read from disk on the main thread, for progress displays. */
  onFile?: (path: string) => void;
  /** Threads for large trees (default: the cores, at most 4); 1 scans on the main thread only. */
  jobs?: number;
  /** Scan at most this many megabytes (1,000,000 bytes) of each file, over the config's `maxFileMegabytes`. */
  maxFileMegabytes?: number;
}

export type { ScanRun };

/**
 * Runs one scan and returns the report's data: `{ version: 1, mode, findings, warnings,
 * suppressed, stats }`. Reads files and runs git, but prints nothing and never touches
 * `process` beyond the defaults of `cwd` and `env`.
 * @throws UsageError (exit code 2) for options that contradict each other or a bad revision.
 * @throws ConfigError (exit code 2) for an invalid config or baseline file, naming the field.
 * @throws ScanError (exit code 3) when the scan cannot run (not a repository, git missing,
 *   nothing readable, a shallow clone that lacks the commits asked for).
 */
export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  return (await runScan(options)).result;
}

/** {@link scan}, keeping the resolved configuration and each finding's file on disk (for baselines). */
export async function runScan(options: ScanOptions = {}): Promise<ScanRun> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const mode = options.mode ?? { kind: "worktree" };
  checkMode(mode);
  // npm judges package.json first: it says more about a broken one than the config lookup would.
  const packed = mode.kind === "pack" ? listPackage(resolve(cwd, mode.dir ?? "."), env) : undefined;
  const resolved = resolveConfig({ startDir: configRoot(mode, cwd), explicitFile: options.configFile, cwd, config: options.config, overrides: { maxFileMegabytes: options.maxFileMegabytes } });
  if (!options.verify && !options.onlyLive) return runMode(mode, resolved, { ...options, packed }, cwd, env);
  // The engine hands keys to the verifier, never to the result (src/verify/verify-findings.ts).
  const verifier = createKeyVerifier(env, typeof options.verify === "object" ? options.verify : {});
  try {
    const run = await runMode(mode, resolved, { ...options, packed, onKey: (key, fingerprint) => verifier.collect(key, fingerprint) }, cwd, env);
    return await verifier.finish(run, options.onlyLive ?? false);
  } finally {
    verifier.discard();
  }
}

type RunOptions = ScanOptions & { onKey?: (key: string, fingerprint: string) => void; packed?: string[] | undefined };

async function runMode(mode: ScanMode, resolved: ResolvedConfig, options: RunOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<ScanRun> {
  const session = (name: ScanModeName) =>
    new ScanSession({
      mode: name,
      resolved,
      plan: planScan(resolved, { includePlaceholders: options.includePlaceholders ?? false, ...(options.onKey ? { onKey: options.onKey } : {}) }),
      baselineFile: options.useBaseline === false ? null : configuredBaseline(options.baselineFile, cwd, resolved),
      trace: createTracer(),
    });
  switch (mode.kind) {
    case "worktree":
      return scanWorktreeMode(session("worktree"), mode, resolved, options, cwd, env);
    case "staged": {
      const current = session("staged");
      await scanStaged(current, { cwd, env });
      return current.finish();
    }
    case "history": {
      const current = session("history");
      await scanHistory(current, { cwd, env, revisions: mode.revisions, onProgress: options.onProgress });
      return current.finish();
    }
    case "pre-push": {
      const current = session("pre-push");
      await scanPrePush(current, { cwd, env, refs: mode.refs, remote: mode.remote, onProgress: options.onProgress });
      return current.finish();
    }
    case "pack": {
      const current = session("pack");
      scanPack(current, { dir: resolve(cwd, mode.dir ?? "."), files: options.packed ?? [], onFile: options.onFile });
      return current.finish();
    }
    case "ci": {
      const ci = planCi(cwd, env, mode.range);
      const tree = await scanWorktreeMode(session("ci"), { kind: "worktree", paths: ["."] }, resolved, options, cwd, env);
      if (ci.revisions === null) return mergeCiRuns(tree, null, ci.warnings);
      const history = session("ci");
      await scanHistory(history, { cwd, env, revisions: ci.revisions === "all" ? undefined : ci.revisions, onProgress: options.onProgress });
      return mergeCiRuns(tree, await history.finish(), ci.warnings);
    }
  }
}

async function scanWorktreeMode(session: ScanSession, mode: Extract<ScanMode, { kind: "worktree" }>, resolved: ResolvedConfig, options: RunOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<ScanRun> {
  const given = mode.paths ?? [];
  const bundlesOnly = given.length === 0 && (mode.bundles ?? []).length > 0;
  const paths = given.length > 0 ? given : bundlesOnly ? [] : ["."];
  const bundles = [...(mode.bundles ?? []).map((dir) => resolve(cwd, dir)), ...(resolved.loaded.config.bundles ?? []).map((dir) => resolve(resolved.loaded.dir, dir))].filter(isDirectory);
  await scanWorktree(session, {
    cwd,
    env,
    root: configRoot({ kind: "worktree", paths }, cwd),
    paths: paths.filter((path) => path !== "-"),
    bundles,
    discoverClient: !bundlesOnly,
    jobs: options.jobs ?? defaultJobs(),
    onFile: options.onFile,
  });
  if (paths.includes("-")) await scanStdin(session, { cwd, stdin: mode.stdin, filename: mode.stdinFilename });
  return session.finish();
}

/**
 * The scan root: the positional folder when one is given, else the current directory — also for
 * file arguments, so lint-staged passing one file or fifty finds the same config. The package
 * folder for `pack`. Report paths are relative to it, and the config is looked for from it up.
 */
function configRoot(mode: ScanMode, cwd: string): string {
  if (mode.kind === "pack") return resolve(cwd, mode.dir ?? ".");
  if (mode.kind !== "worktree") return cwd;
  const paths = mode.paths ?? [];
  const single = paths.length === 1 && paths[0] !== "-" ? resolve(cwd, paths[0]!) : null;
  return single !== null && isDirectory(single) ? single : cwd;
}

/** The baseline in use: `baselineFile` (relative to cwd), else the config's (relative to the config file). */
export function configuredBaseline(flag: string | undefined, cwd: string, resolved: ResolvedConfig): string | null {
  if (flag) return resolve(cwd, flag);
  const configured = resolved.loaded.config.baseline;
  return configured ? resolve(resolved.loaded.dir, configured) : null;
}

/**
 * Values that reach git as revisions must be revisions: one starting with `-` would be read as
 * an option (`--output=/tmp/x` writes a file), and an empty endpoint (`..HEAD`, an unset `$BASE`
 * in CI) silently means HEAD — a range of nothing that passes.
 * @throws UsageError naming the value.
 */
function checkMode(mode: ScanMode): void {
  const revisions = mode.kind === "history" ? (mode.revisions ?? []) : mode.kind === "ci" && mode.range !== undefined ? [mode.range] : [];
  for (const revision of revisions) checkRevision(revision);
}

export function checkRevision(revision: string): void {
  if (revision.trim() === "") throw new UsageError("an empty revision was given; name a commit, branch or range (A..B)");
  if (revision.startsWith("-")) throw new UsageError(`"${revision}" is not a revision (it starts with "-", which git would read as an option)`);
  const range = /^(.*?)(\.\.\.?)(.*)$/.exec(revision);
  if (range && (range[1]!.trim() === "" || range[3]!.trim() === "")) {
    throw new UsageError(`"${revision}" has an empty end: both sides of ${range[2]} must name a commit (is a variable such as $BASE unset?)`);
  }
  if (range && (range[3]!.startsWith("-") || range[1]!.startsWith("-"))) throw new UsageError(`"${revision}" is not a revision range`);
}
