import type { ScanOptions } from "../scan.js";
import type { HistoryProgress } from "../modes/history.js";
import { messages } from "./messages.js";
import type { CliIO } from "./run.js";

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
  baseline?: string;
  verify?: boolean;
  "only-live"?: boolean;
}

export class UsageFailure extends Error {}

/**
 * Turns flags into ScanOptions, refusing combinations that mean nothing (exit 2). `finish()`
 * clears the progress line before the report is written.
 */
export async function scanOptionsFrom(paths: string[], flags: ScanFlags, io: CliIO, command = "scan"): Promise<{ options: ScanOptions; finish(): void }> {
  if (command === "ci") return ciOptions(paths, flags, io);
  const modes = (["staged", "history", "pre-push", "pack"] as const).filter((mode) => flags[mode]);
  if (modes.length > 1) throw new UsageFailure(messages.oneMode(modes.map((mode) => `--${mode}`)));
  if ((flags.range || flags["since-commit"] || flags.all) && !flags.history) throw new UsageFailure(messages.rangeNeedsHistory());
  if (flags.range && flags["since-commit"]) throw new UsageFailure(messages.rangeOrSince());
  if (flags["stdin-filename"] !== undefined && !paths.includes("-")) throw new UsageFailure(messages.stdinFilenameWithoutStdin());
  // A pre-push hook passes git's remote name and URL on ("$@"): they are not paths.
  const gitHookArgs = flags["pre-push"] && paths.length <= 2;
  // --pack takes the package folder: one path, or none for the current directory.
  const packFolder = flags.pack && paths.length === 1 && paths[0] !== "-";
  if (flags.pack && paths.length > 0 && !packFolder) throw new UsageFailure(messages.packOneFolder());
  if (modes.length > 0 && paths.length > 0 && !gitHookArgs && !packFolder) throw new UsageFailure(messages.modeWithPaths(`--${modes[0]}`));
  if (modes.length > 0 && flags.bundles?.length) throw new UsageFailure(messages.bundlesWithMode(`--${modes[0]}`));
  const options: ScanOptions = {
    ...commonOptions(flags, io),
    paths: gitHookArgs ? [] : paths,
    stdin: io.stdin,
    stdinFilename: flags["stdin-filename"],
    bundles: flags.bundles ?? [],
    staged: flags.staged ?? false,
    history: flags.history ?? false,
    prePush: flags["pre-push"] ?? false,
    pack: flags.pack ?? false,
  };
  if (flags.history) options.revisions = historyRevisions(flags);
  if (flags["pre-push"]) options.prePushRefs = await readAll(io.stdin);
  const progress = flags.history || flags["pre-push"] ? progressLine(io) : null;
  if (progress) options.onProgress = progress.update;
  return { options, finish: () => progress?.clear() };
}

/** `lumenguard ci [--range A..B]`: the working tree and the CI run's commits. */
function ciOptions(paths: string[], flags: ScanFlags, io: CliIO): { options: ScanOptions; finish(): void } {
  if (paths.length > 0) throw new UsageFailure(messages.modeWithPaths("ci"));
  if (flags.staged || flags.history || flags["pre-push"] || flags["since-commit"] || flags.all) throw new UsageFailure(messages.ciFlags());
  const progress = progressLine(io);
  const options: ScanOptions = { ...commonOptions(flags, io), ci: true, range: flags.range };
  if (progress) options.onProgress = progress.update;
  return { options, finish: () => progress?.clear() };
}

/** What every scan takes: where, which config and baseline, and `--verify` (`--only-live` implies it: SPEC §8). */
function commonOptions(flags: ScanFlags, io: CliIO): ScanOptions {
  const onlyLive = flags["only-live"] ?? false;
  return {
    cwd: io.cwd,
    env: io.env,
    configFile: flags.config,
    includePlaceholders: flags["include-placeholders"] ?? false,
    baselineFile: flags.baseline,
    verify: (flags.verify ?? false) || onlyLive,
    onlyLive,
  };
}

/** `--range A..B`, `--since-commit SHA` (the commits after it, up to HEAD), or every ref. */
function historyRevisions(flags: ScanFlags): string[] | undefined {
  if (flags.range) return [flags.range];
  if (flags["since-commit"]) return [`${flags["since-commit"]}..HEAD`];
  return undefined;
}

async function readAll(stdin: AsyncIterable<Uint8Array> | undefined): Promise<string> {
  if (!stdin) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Progress for long scans (SPEC §5): one line redrawn on stderr, only when it is a terminal and
 * not CI — never in pipes or logs. Cleared when the scan ends.
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
