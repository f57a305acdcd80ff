import { compareSeverity } from "../severity.js";
import type { Finding, ScanResult, Severity } from "../types.js";
import { findingMessage, fixSteps } from "./render.js";
import type { ReportContext, Reporter } from "./types.js";

/**
 * GitHub Actions workflow commands: one annotation per finding, most severe
 * first, at most {@link ANNOTATION_CAP} — GitHub shows no more than that per job — then one
 * line saying how many were left out and where the rest are. The step summary (markdown, every
 * finding) is rendered by {@link githubStepSummary}; the CLI appends it to
 * `$GITHUB_STEP_SUMMARY`, since reporters write nothing themselves.
 */

export const ANNOTATION_CAP = 50;

const COMMAND: Record<Severity, "error" | "warning" | "notice"> = { critical: "error", high: "error", medium: "warning", low: "notice", info: "notice" };

const IDENTITY = "key id and last four as named above";

export const githubReporter: Reporter = (result, context) => {
  const ordered = [...result.findings].sort((a, b) => compareSeverity(a.severity, b.severity));
  const lines = ordered.slice(0, ANNOTATION_CAP).map((finding) => annotation(finding, context));
  const left = ordered.length - ANNOTATION_CAP;
  if (left > 0) {
    const where = runUrl(context.env);
    const message =
      `${left} more ${left === 1 ? "finding is" : "findings are"} not annotated (GitHub shows at most ${ANNOTATION_CAP} annotations per job). ` +
      `Every finding is in the job summary${where ? ` (${where})` : ""}; for code scanning alerts, upload --report sarif=lumenguard.sarif.`;
    lines.push(`::warning title=${escapeProperty("lumenguard: more findings")}::${escapeData(message)}`);
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
};

function annotation(finding: Finding, context: ReportContext): string {
  const meta = context.ruleMeta(finding.ruleId);
  const properties = [`file=${escapeProperty(finding.file)}`, `line=${finding.line}`];
  // GitHub reads col / endColumn only on one line; its endColumn is inclusive, ours exclusive.
  if (finding.endLine === finding.line) properties.push(`col=${finding.column}`);
  properties.push(`endLine=${finding.endLine}`);
  if (finding.endLine === finding.line) properties.push(`endColumn=${Math.max(finding.column, finding.endColumn - 1)}`);
  properties.push(`title=${escapeProperty(`${finding.ruleId} (${finding.severity})`)}`);
  const body = [findingMessage(finding, context) + (finding.verified ? ` [--verify: ${finding.verified}]` : "")];
  if (meta) body.push(`${meta.practice}. ${meta.why}`, ...fixSteps(meta.fix, IDENTITY).map((step, i) => `${i + 1}. ${step}`));
  return `::${COMMAND[finding.severity]} ${properties.join(",")}::${escapeData(body.join("\n"))}`;
}

/** Workflow-command data: `%`, CR and LF escaped, so a message cannot start a command of its own. */
export function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** Workflow-command property values: as data, plus the `:` and `,` that delimit properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

function runUrl(env: ReportContext["env"]): string | null {
  const server = env?.["GITHUB_SERVER_URL"];
  const repository = env?.["GITHUB_REPOSITORY"];
  const runId = env?.["GITHUB_RUN_ID"];
  return server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : null;
}

/**
 * The job summary: every finding in a table, then each broken practice with its fix. Markdown,
 * with what came from file names escaped so a name cannot inject markup.
 */
export function githubStepSummary(result: ScanResult, context: ReportContext): string {
  const lines = ["## lumenguard", ""];
  if (result.findings.length === 0) {
    lines.push(`No Lumenfall keys found (${result.stats.files} files scanned).`, "");
    return `${lines.join("\n")}\n`;
  }
  const noun = result.findings.length === 1 ? "finding" : "findings";
  lines.push(`**${result.findings.length} ${noun}** (${result.stats.files} files scanned)`, "");
  lines.push("| Where | Severity | Rule | Finding |", "|---|---|---|---|");
  for (const finding of result.findings) {
    const where = `${finding.file}:${finding.line}:${finding.column}`;
    const from = finding.original ? ` (from ${finding.original.file}:${finding.original.line}:${finding.original.column})` : "";
    const commit = finding.commit ? ` (added in ${finding.commit.sha.slice(0, 12)})` : "";
    lines.push(`| ${markdownText(where + from)} | ${finding.severity} | ${markdownText(finding.ruleId)} | ${markdownText(findingMessage(finding, context) + commit)} |`);
  }
  for (const id of new Set(result.findings.map((finding) => finding.ruleId))) {
    const meta = context.ruleMeta(id);
    if (!meta) continue;
    lines.push("", `### ${markdownText(id)}: ${markdownText(meta.practice)}`, "", markdownText(meta.why), "");
    fixSteps(meta.fix, IDENTITY).forEach((step, i) => lines.push(`${i + 1}. ${markdownText(step)}`));
    lines.push("", `Guide: ${meta.guideUrl}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Text safe in markdown: markup characters escaped, HTML as entities, one line. */
function markdownText(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/[\\`*_[\]#|~!(){}]/g, (char) => `\\${char}`);
}
