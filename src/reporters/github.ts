import { compareSeverity } from "../severity.js";
import type { Finding, Severity } from "../types.js";
import { ciPath } from "./ci-path.js";
import { printable } from "./printable.js";
import { findingMessage, fixSteps } from "./render.js";
import { escapeData, escapeProperty, scopeAnnotations, type Command } from "./scope-annotations.js";
import type { ReportContext, Reporter } from "./types.js";

export { escapeData, escapeProperty };

/**
 * GitHub Actions workflow commands (https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands):
 * one `::error` / `::warning` / `::notice` annotation per finding, the file named from the
 * repository root (where GitHub looks for it), most severe first.
 *
 * GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and 50 per job,
 * and drops the rest without a word (https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md,
 * "Limitations"). So at most {@link ANNOTATIONS_PER_STEP} of each are printed — 9 notices, to
 * leave room for one more notice that says how many findings were not annotated and where to
 * read them all (the job summary: github-summary.ts). The findings left
 * out are the least severe.
 */

export const ANNOTATIONS_PER_STEP: Readonly<Record<Command, number>> = { error: 10, warning: 10, notice: 9 };


const COMMAND: Record<Severity, Command> = { critical: "error", high: "error", medium: "warning", low: "notice", info: "notice" };

const IDENTITY = "key id and last four as named above";

export const githubReporter: Reporter = (result, context) => {
  const scope = scopeAnnotations(result.warnings);
  const { shown, left } = annotated(result.findings, scope.used);
  const lines = [...scope.lines, ...shown.map((finding) => annotation(finding, context))];
  if (left > 0) lines.push(`::notice title=${escapeProperty("lumenguard: more findings")}::${escapeData(overflowNote(left, context))}`);
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
};

/** The findings that get an annotation (most severe first, within GitHub's per-step limits) and how many do not. */
export function annotated(findings: readonly Finding[], taken: Readonly<Record<Command, number>> = { error: 0, warning: 0, notice: 0 }): { shown: Finding[]; left: number } {
  const ordered = [...findings].sort((a, b) => compareSeverity(a.severity, b.severity));
  const used: Record<Command, number> = { ...taken };
  const shown = ordered.filter((finding) => used[COMMAND[finding.severity]]++ < ANNOTATIONS_PER_STEP[COMMAND[finding.severity]]);
  return { shown, left: findings.length - shown.length };
}

/** How many findings have no annotation, and where all of them can be read. */
export function overflowNote(left: number, context: ReportContext): string {
  const summary = context.env?.["GITHUB_STEP_SUMMARY"] ? "in this job's summary" : "";
  const run = runUrl(context.env);
  const files = (context.reportFiles ?? []).map(printable);
  const where = [summary ? `${summary}${run ? ` (${run})` : ""}` : "", files.length > 0 ? `in ${files.join(", ")}` : ""].filter(Boolean);
  return (
    `${left} more ${left === 1 ? "finding is" : "findings are"} not annotated: GitHub shows at most 10 error, 10 warning and 10 notice annotations per step. ` +
    (where.length > 0 ? `Every finding is ${where.join(" and ")}.` : "To see every finding, run lumenguard with --report sarif=lumenguard.sarif (code scanning) or --format text.")
  );
}

function annotation(finding: Finding, context: ReportContext): string {
  const meta = context.ruleMeta(finding.ruleId);
  // A name with control characters cannot be placed anyway; shown printable, it cannot reach the log raw.
  const properties = [`file=${escapeProperty(printable(ciPath(finding)))}`, `line=${finding.line}`];
  // GitHub reads col / endColumn only on one line; its endColumn is inclusive, ours exclusive.
  if (finding.endLine === finding.line) properties.push(`col=${finding.column}`);
  properties.push(`endLine=${finding.endLine}`);
  if (finding.endLine === finding.line) properties.push(`endColumn=${Math.max(finding.column, finding.endColumn - 1)}`);
  properties.push(`title=${escapeProperty(printable(`${finding.ruleId} (${finding.severity})`))}`);
  const body = [printable(findingMessage(finding, context)) + (finding.verified ? ` [--verify: ${finding.verified}]` : "")];
  if (meta) body.push(printable(`${meta.practice}. ${meta.why}`), ...fixSteps(meta.fix, IDENTITY).map((step, i) => `${i + 1}. ${printable(step)}`));
  return `::${COMMAND[finding.severity]} ${properties.join(",")}::${escapeData(body.join("\n"))}`;
}

/** The run's page, from the variables GitHub Actions sets; null elsewhere. */
export function runUrl(env: ReportContext["env"]): string | null {
  const server = env?.["GITHUB_SERVER_URL"];
  const repository = env?.["GITHUB_REPOSITORY"];
  const runId = env?.["GITHUB_RUN_ID"];
  return server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : null;
}
