import type { LumenguardConfig } from "./config/load-config.js";
import type { Shard } from "./scanning/shard.js";
import type { HistoryProgress } from "./sources/history.js";
import type { VerifyTuning } from "./verify/verify-keys.js";

/**
 * What to scan — one of:
 * - `worktree`: files and folders (default `.`; folders are listed by git when inside a
 *   repository), client output folders (`bundles`), and standard input (`-` among `paths`);
 * - `staged`: what the next commit records (the index), judged on the keys it adds (a key HEAD
 *   already has in the same file is reported as already committed, at low severity, unless
 *   `failOnExisting`);
 * - `history`: every blob and commit message reachable from `revisions` (git log syntax, e.g.
 *   `["A..B"]`; default every ref);
 * - `pre-push`: the commits a push sends (`refs`: the pre-push hook's standard input; `remote`
 *   and `url`: its first and second arguments; the remote is asked what it has, `git ls-remote`);
 * - `ci`: the working tree plus the commits of the CI run (or `range`);
 * - `pre-receive`: the commits a push brings to a server (`updates`: the pre-receive hook's
 *   standard input), read from git's quarantine; no config file is looked for (give `config`
 *   or `configFile`: the server's own); a finding a `lumenguard-allow` comment covers stays a
 *   finding, carrying `inlineAllow` (the server's settings decide whether it passes); commits
 *   reachable from the refs `acceptedRefs` matches (git `--glob` patterns, default
 *   `refs/heads/*` and `refs/tags/*`) count as already on the server; `lfs` says where the
 *   server keeps Git LFS content (`{ objects: folder }`, relative to `cwd`) or that only
 *   pointers are scanned;
 * - `pack`: the files `npm pack` would ship from the package in `dir`.
 *
 * `paths` of the git modes name the repository (the one that holds them, whatever `cwd` is);
 * `staged` and `history` also scan only those paths' files.
 */
export type ScanMode =
  | { kind: "worktree"; paths?: string[]; bundles?: string[]; stdin?: AsyncIterable<Uint8Array>; stdinFilename?: string }
  | { kind: "staged"; paths?: string[]; failOnExisting?: boolean }
  | { kind: "history"; revisions?: string[]; paths?: string[] }
  | { kind: "pre-push"; refs: string; remote?: string; url?: string; paths?: string[] }
  | { kind: "ci"; range?: string; paths?: string[] }
  | { kind: "pre-receive"; updates: string; signal?: AbortSignal; acceptedRefs?: string[]; lfs?: { objects: string } | "pointer-only" }
  | { kind: "pack"; dir?: string };

/**
 * One scan's options. Relative paths are relative to `cwd`. scan() checks them as JavaScript
 * passes them (src/scan-options-check.ts): a field of another type than the one below (no
 * coercion: the string "false" is not `false`), a field no option or mode has, a mode without its
 * required field (`refs`, `updates`), `config` with `configFile`, or `stdin` / `stdinFilename`
 * without `"-"` among `paths` is a UsageError naming the field; a field set to `undefined` counts
 * as not given.
 */
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
   * `finding.verified`. An object tunes the requests: `{ concurrency?, timeoutMs?, attempts?, backoffMs?,
   * maxDelayMs? }` (milliseconds; VerifyTuning says what each does).
   */
  verify?: boolean | Partial<VerifyTuning>;
  /** Keep only findings whose key verified live; implies `verify` (with `verify: false` it is a UsageError). */
  onlyLive?: boolean;
  /** History, pre-push and ci: called at most every 100 ms while commits are walked. */
  onProgress?: (progress: HistoryProgress) => void;
  /** Called once per file read from disk on the main thread, for progress displays. */
  onFile?: (path: string) => void;
  /** Threads for large trees, a whole number from 1 to 64 (default: the cores, at most 4); 1 scans on the main thread only. */
  jobs?: number;
  /**
   * `false`: the engine reads every file, instead of only those that hold one of the rules'
   * literals — found by `git grep` in a working tree, by a byte search for blobs and files read
   * whole. The results are the same; tests and the bench compare both ways.
   */
  prefilter?: boolean;
  /**
   * Scan one shard of `total` (`index` 1-based, `total` at most 256): a deterministic 1/total of
   * the blobs (`history`) or files (`worktree`); the result carries `shard` for `lumenguard merge`
   * (see ShardInfo). Other modes do not shard.
   */
  shard?: Shard;
  /** Scan at most this many megabytes (1,000,000 bytes) of each file, over the config's `maxFileMegabytes`. */
  maxFileMegabytes?: number;
  /**
   * Called once before custom patterns are compiled, only when the config has any (the CLI turns
   * on V8's linear-time regular expression engine there; see `resolveConfig`).
   */
  beforeCustomPatterns?: () => void;
}
