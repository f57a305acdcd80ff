import { compactReporter } from "./compact.js";
import { githubReporter } from "./github.js";
import { githubStepSummary as rawStepSummary } from "./github-summary.js";
import { gitlabReporter } from "./gitlab.js";
import { htmlReporter } from "./html.js";
import { jsonReporter } from "./json.js";
import { junitReporter } from "./junit.js";
import { sarifReporter } from "./sarif.js";
import { safeReporter, scrubContext, scrubResult } from "./scrub-result.js";
import { textReporter } from "./text.js";
export { textSummaryLine } from "./text.js";
import type { ReportContext, Reporter } from "./types.js";
import type { ScanResult } from "../types.js";

export type { ReportContext, Reporter } from "./types.js";
export { reportLimitNotes } from "./limits.js";

/**
 * Every output format, in one registry. Each entry scrubs every string of the result of keys
 * (scrub-result.ts) before its format renders it, so no format can print a key that hid in a
 * file name, a reason or an author.
 */
export const reporters: Readonly<Record<string, Reporter>> = {
  text: safeReporter(textReporter),
  json: safeReporter(jsonReporter),
  sarif: safeReporter(sarifReporter),
  github: safeReporter(githubReporter),
  gitlab: safeReporter(gitlabReporter),
  junit: safeReporter(junitReporter),
  compact: safeReporter(compactReporter),
  html: safeReporter(htmlReporter),
};

export { FORMATS } from "./formats.js";

/**
 * The GitHub Actions job summary (markdown) for `$GITHUB_STEP_SUMMARY`, scrubbed like every report.
 * `maxBytes`: what the step summary file may still take (GitHub refuses more than 1 MiB per step).
 */
export function githubStepSummary(result: ScanResult, context: ReportContext, maxBytes?: number): string {
  return rawStepSummary(scrubResult(result), scrubContext(context), maxBytes);
}
