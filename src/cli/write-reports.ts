import { appendFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { FORMATS, githubStepSummary, reportLimitNotes, reporters, textSummaryLine, type ReportContext } from "../reporters/index.js";
import { STEP_SUMMARY_LIMIT, SUMMARY_BYTES } from "../reporters/github-summary.js";
import { isDirectory, writeFileAtomic } from "../files.js";
import { envForPath, runGit } from "../git/run-git.js";
import type { ScanResult } from "../types.js";
import { messages } from "./messages.js";
import type { CliIO } from "./io.js";
import { UsageError } from "../errors.js";

/**
 * Where the reports of one scan go: `--format`/`--output`, plus any number of
 * `--report FORMAT=FILE` (`-` is standard output), so one CI run writes SARIF for code scanning
 * and annotations for the log together.
 */

export interface ReportTarget {
  format: string;
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
    if (!reporters[format] || file === "") throw new UsageError(messages.badReport(value, FORMATS));
    targets.push({ format, file });
  }
  if (flags.format !== undefined || flags.output !== undefined || targets.length === 0) {
    const format = flags.format ?? "text";
    if (!reporters[format]) throw new UsageError(messages.badFormat(format, FORMATS));
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
 * Writes each report where its target says; then, on stderr, what a format had to leave out
 * (SARIF beyond 25,000 results, annotations beyond GitHub's per-step limits), the summary line
 * (unless the text report is on stdout) and where files were written. `color` is the CLI's one
 * decision per stream; a report written to a file is never coloured.
 */
export function writeReports(
  targets: readonly ReportTarget[],
  result: ScanResult,
  context: ReportContext,
  io: CliIO,
  color: { stdout: boolean; stderr: boolean },
  /** Applied to a report's whole text before it is written to a file (merge scrubs reports of untrusted input once more). */
  fileText: (text: string) => string = (text) => text,
): void {
  for (const target of targets) {
    const reporter = reporters[target.format]!;
    if (target.file === "-") io.stdout.write(reporter(result, { ...context, color: target.format === "text" && color.stdout }));
    else writeFileAtomic(resolve(io.cwd, target.file), fileText(reporter(result, { ...context, color: false })));
    for (const note of reportLimitNotes(target.format, result, context)) io.stderr.write(`${messages.warning(note)}\n`);
  }
  // Whoever reads stderr gets the summary line unless the text report is already on stdout.
  if (!targets.some((target) => target.format === "text" && target.file === "-")) io.stderr.write(textSummary(result, { ...context, color: color.stderr }));
  for (const target of targets) if (target.file !== "-") io.stderr.write(`${messages.wroteReport(target.file)}\n`);
  appendStepSummary(targets, result, context, io);
}

/**
 * GitHub Actions: the job summary gets the findings when a github report was written, within
 * what the step's summary file may still take (GitHub refuses more than 1 MiB per step).
 */
function appendStepSummary(targets: readonly ReportTarget[], result: ScanResult, context: ReportContext, io: CliIO): void {
  const file = io.env["GITHUB_STEP_SUMMARY"];
  if (!file || !targets.some((target) => target.format === "github")) return;
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
    appendFileSync(file, githubStepSummary(result, context, room));
  } catch (error) {
    io.stderr.write(`${messages.warning(messages.stepSummaryFailed((error as Error).message))}\n`);
  }
}

/** Only the summary line of the text report (for stderr when the report goes elsewhere). */
export function textSummary(result: ScanResult, context: ReportContext): string {
  return textSummaryLine(result, context);
}
