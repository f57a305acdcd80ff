import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import { isDirectory } from "../files.js";
import { parseShard } from "../scanning/shard.js";
import type { ScanMode, ScanOptions } from "../scan.js";
import type { HistoryProgress } from "../sources/history.js";
import type { CliIO } from "./io.js";
import { messages } from "./messages.js";

/** The scan flags, as parsed by run.ts. */
export interface ScanFlags {
  staged?: boolean;
  history?: boolean;
  "pre-push"?: boolean;
  range?: string;
  "since-commit"?: string;
  all?: boolean;
  bundles?: string[];
  fix?: boolean;
  pack?: boolean;
  "stdin-filename"?: string;
  config?: string;
  "include-placeholders"?: boolean;
  "max-file-megabytes"?: string;
  baseline?: string;
  verify?: boolean;
  "only-live"?: boolean;
  "fail-on-existing"?: boolean;
  shard?: string;
}

/**
 * Turns flags into ScanOptions with exactly one mode, refusing combinations that mean nothing
 * (UsageError, exit 2). `finish()` clears the progress line before the report is written.
 */
export async function scanOptionsFrom(paths: string[], flags: ScanFlags, io: CliIO, command = "scan"): Promise<{ options: ScanOptions; finish(): void }> {
  const progress = progressLine(io);
  const options: ScanOptions = { ...commonOptions(flags, io), mode: await modeFrom(paths, flags, io, command) };
  if (progress) options.onProgress = progress.update;
  return { options, finish: () => progress?.clear() };
}

async function modeFrom(paths: string[], flags: ScanFlags, io: CliIO, command: string): Promise<ScanMode> {
  if (flags["fail-on-existing"] && (command === "ci" || !flags.staged)) throw new UsageError(messages.failOnExistingNeedsStaged());
  if (command === "ci") {
    if (paths.includes("-")) throw new UsageError(messages.stdinWithGitMode("ci"));
    if (flags.staged || flags.history || flags["pre-push"] || flags["since-commit"] || flags.all || flags.pack) throw new UsageError(messages.ciFlags());
    return { kind: "ci", ...(flags.range === undefined ? {} : { range: flags.range }), ...(paths.length > 0 ? { paths } : {}) };
  }
  const modes = (["staged", "history", "pre-push", "pack"] as const).filter((mode) => flags[mode]);
  if (modes.length > 1) throw new UsageError(messages.oneMode(modes.map((mode) => `--${mode}`)));
  if ((flags.range !== undefined || flags["since-commit"] !== undefined || flags.all) && !flags.history) throw new UsageError(messages.rangeNeedsHistory());
  if (flags.range !== undefined && flags["since-commit"] !== undefined) throw new UsageError(messages.rangeOrSince());
  if (flags["stdin-filename"] !== undefined && !paths.includes("-")) throw new UsageError(messages.stdinFilenameWithoutStdin());
  if (modes.length > 0 && flags.bundles?.length) throw new UsageError(messages.bundlesWithMode(`--${modes[0]}`));
  if (modes.length > 0 && modes[0] !== "pack" && paths.includes("-")) throw new UsageError(messages.stdinWithGitMode(`--${modes[0]}`));
  if (flags["pre-push"]) return prePushMode(paths, io);
  if (flags.pack) {
    // --pack takes the package folder: one path, or none for the current directory.
    if (paths.length > 1 || paths[0] === "-") throw new UsageError(messages.packOneFolder());
    return paths[0] === undefined ? { kind: "pack" } : { kind: "pack", dir: paths[0] };
  }
  // A path with a git mode names the repository that holds it, and narrows the scan to it.
  const named = paths.length > 0 ? { paths } : {};
  if (flags.staged) return { kind: "staged", ...named, ...(flags["fail-on-existing"] ? { failOnExisting: true } : {}) };
  if (flags.history) {
    const revisions = historyRevisions(flags);
    return { kind: "history", ...(revisions === undefined ? {} : { revisions }), ...named };
  }
  const mode: ScanMode = { kind: "worktree", paths, bundles: flags.bundles ?? [] };
  if (paths.includes("-") && io.stdin) mode.stdin = io.stdin;
  if (flags["stdin-filename"] !== undefined) mode.stdinFilename = flags["stdin-filename"];
  return mode;
}

/**
 * `--pre-push [PATH] [REMOTE [URL]]`: git passes a pre-push hook the remote's name and its URL
 * (`"$@"`); a path before them names the repository. One argument alone is a path when it is
 * a folder, else the remote's name.
 */
async function prePushMode(paths: string[], io: CliIO): Promise<ScanMode> {
  if (paths.length > 3) throw new UsageError(messages.prePushArguments());
  const first = paths[0];
  const firstIsPath = paths.length === 3 || (paths.length === 1 && first !== undefined && isDirectory(resolve(io.cwd, first)));
  const repositoryPath = firstIsPath ? first : undefined;
  const remote = firstIsPath ? paths[1] : first;
  const url = firstIsPath ? paths[2] : paths[1];
  const refs = await readAll(io.stdin);
  return { kind: "pre-push", refs, ...(remote === undefined ? {} : { remote }), ...(url === undefined ? {} : { url }), ...(repositoryPath === undefined ? {} : { paths: [repositoryPath] }) };
}

/** What every scan takes: where, which config and baseline, and `--verify` (`--only-live` implies it). */
function commonOptions(flags: ScanFlags, io: CliIO): ScanOptions {
  const onlyLive = flags["only-live"] ?? false;
  const options: ScanOptions = {
    cwd: io.cwd,
    env: io.env,
    includePlaceholders: flags["include-placeholders"] ?? false,
    verify: (flags.verify ?? false) || onlyLive,
    onlyLive,
  };
  if (flags["max-file-megabytes"] !== undefined) options.maxFileMegabytes = megabytes(flags["max-file-megabytes"]);
  if (flags.config !== undefined) options.configFile = flags.config;
  if (flags.baseline !== undefined) options.baselineFile = flags.baseline;
  if (flags.shard !== undefined) options.shard = parseShard(flags.shard);
  return options;
}

/** `--max-file-megabytes N`: a number of megabytes greater than 0 (decimals allowed). */
function megabytes(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number <= 0) throw new UsageError(messages.badMaxFileMegabytes(value));
  return number;
}

/** `--range A..B`, `--since-commit SHA` (the commits after it, up to HEAD), or every ref. */
function historyRevisions(flags: ScanFlags): string[] | undefined {
  if (flags.range !== undefined) return [flags.range];
  if (flags["since-commit"] !== undefined) {
    if (flags["since-commit"].trim() === "" || flags["since-commit"].startsWith("-") || flags["since-commit"].includes("..")) throw new UsageError(messages.badSinceCommit(flags["since-commit"]));
    return [`${flags["since-commit"]}..HEAD`];
  }
  return undefined;
}

async function readAll(stdin: AsyncIterable<Uint8Array> | undefined): Promise<string> {
  if (!stdin) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Progress for long scans: one line redrawn on stderr, only when it is a terminal and not CI —
 * never in pipes or logs. Cleared when the scan ends.
 */
function progressLine(io: CliIO): { update(progress: HistoryProgress): void; clear(): void } | null {
  if (!io.stderr.isTTY || io.env["CI"] || io.env["TERM"] === "dumb") return null;
  let drawn = false;
  return {
    update(progress) {
      const mib = (progress.bytes / (1024 * 1024)).toFixed(1);
      io.stderr.write(`\r\u001b[2Klumenguard: ${progress.commits} commits, ${progress.blobs} blobs, ${mib} MiB scanned…`);
      drawn = true;
    },
    clear() {
      if (drawn) io.stderr.write("\r\u001b[2K");
    },
  };
}
