import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { FORMATS, isFormat, loadReporter, type Format } from "../reporters/formats.js";
import { textSummaryLine } from "../reporters/text.js";
import type { ReportContext } from "../reporters/types.js";
import { appendToFile, assertWritableTarget, isDirectory, writeFileAtomic, writeRootFor } from "../files.js";
import { envForPath, runGit } from "../git/run-git.js";
import { repoRootOf } from "../git/work-tree-root.js";
import type { ScanResult } from "../types.js";
import { messages } from "./messages.js";
import type { CliIO } from "./io.js";
import { UsageError } from "../errors.js";
import { configBaseline } from "../config/baseline.js";
import type { LoadedConfig } from "../config/load-config.js";

/**
 * Where the reports of one scan go: `--format`/`--output`, plus any number of
 * `--report FORMAT=FILE` (`-` is standard output), so one CI run writes SARIF for code scanning
 * and annotations for the log together.
 */

export interface ReportTarget {
  format: Format;
  /** A path relative to the current directory, or `-` for standard output. */
  file: string;
}

export interface ReportFlags {
  format?: string | undefined;
  output?: string | undefined;
  report?: string[] | undefined;
}

export function reportTargets(flags: ReportFlags): ReportTarget[] {
  const targets: ReportTarget[] = [];
  for (const value of flags.report ?? []) {
    const at = value.indexOf("=");
    const format = at === -1 ? "" : value.slice(0, at);
    const file = at === -1 ? "" : value.slice(at + 1);
    if (!isFormat(format) || file === "") throw new UsageError(messages.badReport(value, FORMATS));
    targets.push({ format, file });
  }
  if (flags.format !== undefined || flags.output !== undefined || targets.length === 0) {
    const format = flags.format ?? "text";
    if (!isFormat(format)) throw new UsageError(messages.badFormat(format, FORMATS));
    targets.push({ format, file: flags.output ?? "-" });
  }
  if (targets.filter((target) => target.file === "-").length > 1) throw new UsageError(messages.reportsOnStdout());
  return targets;
}

/** The git HEAD at the scan root, for GitLab's `commit.sha`; undefined outside a repository. */
export function headShaAt(paths: readonly string[], io: CliIO): string | undefined {
  const first = paths.find((path) => path !== "-");
  let root = io.cwd;
  if (first !== undefined) {
    const path = resolve(io.cwd, first);
    root = isDirectory(path) ? path : dirname(path);
  }
  try {
    const git = runGit(["rev-parse", "--verify", "--quiet", "HEAD"], root, envForPath(io.env));
    return git.status === 0 ? git.stdout.toString("utf8").trim() || undefined : undefined;
  } catch {
    return undefined; // git missing or the folder gone: "not in git" for the report
  }
}

/**
 * The folders a file named on the command line may be written below without any link on the
 * way (src/files.ts `writeRootFor`): the current directory, each scanned folder, and the
 * repositories holding them. A repository may commit a link (`reports -> /home/me`), so a
 * path through it is refused whether it was typed relative or absolute.
 */
export function trustedWriteRoots(paths: readonly string[], cwd: string): string[] {
  const folders = [cwd, ...paths.filter((path) => path !== "-").map((path) => resolve(cwd, path)).map((path) => (isDirectory(path) ? path : dirname(path)))];
  const roots = folders.flatMap((folder) => [folder, repoRootOf(folder)]).filter((folder): folder is string => folder !== null);
  return [...new Set(roots)];
}

/**
 * Where `lumenguard baseline` writes: `--output` (below the folder the user named, see
 * trustedWriteRoots), else the config's `baseline` (inside the repository holding the config:
 * src/config/baseline.ts `configBaseline`), else `.lumenguard-baseline.json` in the current
 * directory — where scans look for it. `within` is the folder the write is confined to.
 * @throws ConfigError (exit 2) naming `baseline` when the config's leads outside the repository.
 */
export function baselineDestination(output: string | undefined, loaded: LoadedConfig, paths: readonly string[], cwd: string): { file: string; within: string } {
  const configured = output === undefined ? configBaseline(loaded) : null;
  if (configured !== null) return configured;
  const file = resolve(cwd, output ?? ".lumenguard-baseline.json");
  return { file, within: writeRootFor(file, trustedWriteRoots(paths, cwd)) };
}

/**
 * Writes each report where its target says; then, on stderr, what a format had to leave out
 * (SARIF beyond 25,000 results, annotations beyond GitHub's per-step limits), the summary line
 * (unless the text report is on stdout) and where files were written. `color` is the CLI's one
 * decision per stream; a report written to a file is never coloured.
 */
export async function writeReports(
  targets: readonly ReportTarget[],
  result: ScanResult,
  context: ReportContext,
  io: CliIO,
  color: { stdout: boolean; stderr: boolean },
  options: {
    /** Applied to a report's whole text before it is written to a file (merge scrubs reports of untrusted input once more). */
    fileText?: (text: string) => string;
    /** The folders a report file may be written below with no link on the way (trustedWriteRoots); the current directory by default. */
    trusted?: readonly string[];
  } = {},
): Promise<void> {
  const fileText = options.fileText ?? ((text: string) => text);
  const trusted = options.trusted ?? [io.cwd];
  // Every destination is checked before any is written: a refused one leaves the others unwritten too.
  for (const target of targets) if (target.file !== "-") assertWritableTarget(resolve(io.cwd, target.file), writeRootFor(resolve(io.cwd, target.file), trusted));
  // Every reporter is loaded before the first report is written: a failing import writes nothing.
  const loaded = await Promise.all(targets.map((target) => loadReporter(target.format)));
  const limited = targets.some((target) => target.format === "sarif" || target.format === "github") ? await import("../reporters/limits.js") : null;
  for (const [index, target] of targets.entries()) {
    const reporter = loaded[index]!;
    if (target.file === "-") io.stdout.write(reporter(result, { ...context, color: target.format === "text" && color.stdout }));
    else {
      const file = resolve(io.cwd, target.file);
      writeFileAtomic(file, fileText(reporter(result, { ...context, color: false })), { within: writeRootFor(file, trusted) });
    }
    for (const note of limited?.reportLimitNotes(target.format, result, context) ?? []) io.stderr.write(`${messages.warning(note)}\n`);
  }
  // Whoever reads stderr gets the summary line unless the text report is already on stdout.
  if (!targets.some((target) => target.format === "text" && target.file === "-")) io.stderr.write(textSummary(result, { ...context, color: color.stderr }));
  for (const target of targets) if (target.file !== "-") io.stderr.write(`${messages.wroteReport(target.file)}\n`);
  await appendStepSummary(targets, result, context, io);
}

/**
 * GitHub Actions: the job summary gets the findings when a github report was written, within
 * what the step's summary file may still take (GitHub refuses more than 1 MiB per step).
 * Appended, never through a link (src/files.ts `appendToFile`): the runner makes the file, and
 * a link or a FIFO at that name is refused with a warning.
 */
async function appendStepSummary(targets: readonly ReportTarget[], result: ScanResult, context: ReportContext, io: CliIO): Promise<void> {
  const file = io.env["GITHUB_STEP_SUMMARY"];
  if (!file || !targets.some((target) => target.format === "github")) return;
  const [{ STEP_SUMMARY_LIMIT, SUMMARY_BYTES }, { githubStepSummary }] = await Promise.all([import("../reporters/github-summary.js"), import("../reporters/index.js")]);
  try {
    let existing = 0;
    try {
      existing = statSync(file).size;
    } catch {
      // not there yet: appending creates it
    }
    const room = Math.min(SUMMARY_BYTES, STEP_SUMMARY_LIMIT - existing - 4096);
    if (room < 4096) {
      io.stderr.write(`${messages.warning(messages.stepSummaryFull())}\n`);
      return;
    }
    appendToFile(file, githubStepSummary(result, context, room));
  } catch (error) {
    io.stderr.write(`${messages.warning(messages.stepSummaryFailed((error as Error).message))}\n`);
  }
}

/** Only the summary line of the text report (for stderr when the report goes elsewhere). */
export function textSummary(result: ScanResult, context: ReportContext): string {
  return textSummaryLine(result, context);
}
