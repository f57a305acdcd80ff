import type { Finding, ScanResult } from "../types.js";
import { ciOriginalPath, ciPath } from "./ci-path.js";
import { runUrl } from "./github.js";
import { printable } from "./printable.js";
import { findingMessage, fixSteps } from "./render.js";
import type { ReportContext } from "./types.js";

/**
 * The GitHub Actions job summary (`$GITHUB_STEP_SUMMARY`, GitHub-flavoured markdown): every
 * finding in a table — as many as fit — then each broken practice with its fix. GitHub refuses
 * a step summary over 1 MiB ("$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size
 * of 1024k"), losing all of it, so the summary stays within `maxBytes` (UTF-8 bytes; default
 * {@link SUMMARY_BYTES}, below 1 MiB): rows that do not fit are counted in a last line that says
 * where the full report is. What comes from the scan is escaped for markdown and made printable.
 */

/** GitHub's limit for one step's summary. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;
/** What this summary takes at most, leaving room for what other steps' tools append to the same file. */
export const SUMMARY_BYTES = 768 * 1024;

const IDENTITY = "key id and last four as named above";

export function githubStepSummary(result: ScanResult, context: ReportContext, maxBytes = SUMMARY_BYTES): string {
  const head = ["## lumenguard", ""];
  if (result.findings.length === 0) {
    head.push(`No Lumenfall keys found (${result.stats.files} files scanned).`, "");
    return fit([head.join("\n")], maxBytes);
  }
  const noun = result.findings.length === 1 ? "finding" : "findings";
  head.push(`**${result.findings.length} ${noun}** (${result.stats.files} files scanned)`, "", "| Where | Severity | Rule | Finding |", "|---|---|---|---|");
  const practices = practiceSections(result.findings, context);
  // Practices get at most a quarter of the budget; the table gets the rest, less room for the last line.
  const practiceText = fit(practices, Math.floor(maxBytes / 4));
  const tableBudget = maxBytes - bytes(practiceText) - 1024;
  const out = [head.join("\n")];
  let used = bytes(out[0]!) + 1;
  let listed = 0;
  for (const finding of result.findings) {
    const line = row(finding, context);
    if (used + bytes(line) + 1 > tableBudget) break;
    out.push(line);
    used += bytes(line) + 1;
    listed++;
  }
  if (listed < result.findings.length) out.push("", truncationNote(result.findings.length - listed, context));
  return `${out.join("\n")}\n${practiceText}`;
}

function row(finding: Finding, context: ReportContext): string {
  const original = ciOriginalPath(finding);
  const where = `${ciPath(finding)}:${finding.line}:${finding.column}`;
  const from = finding.original ? ` (from ${original}:${finding.original.line}:${finding.original.column})` : "";
  const commit = finding.commit ? ` (added in ${finding.commit.sha.slice(0, 12)})` : "";
  return `| ${markdownText(where + from)} | ${finding.severity} | ${markdownText(finding.ruleId)} | ${markdownText(findingMessage(finding, context) + commit)} |`;
}

function practiceSections(findings: readonly Finding[], context: ReportContext): string[] {
  const sections: string[] = [];
  for (const id of new Set(findings.map((finding) => finding.ruleId))) {
    const meta = context.ruleMeta(id);
    if (!meta) continue;
    const lines = ["", `### ${markdownText(id)}: ${markdownText(meta.practice)}`, "", markdownText(meta.why), ""];
    fixSteps(meta.fix, IDENTITY).forEach((step, i) => lines.push(`${i + 1}. ${markdownText(step)}`));
    // A plain https address is left as it is, for GitHub to link; anything else is text.
    lines.push("", `Guide: ${/^https:\/\/[^\s<>()|[\]`*\\]+$/.test(meta.guideUrl) ? meta.guideUrl : markdownText(meta.guideUrl)}`);
    sections.push(`${lines.join("\n")}\n`);
  }
  return sections;
}

/** How many rows were left out, and where every finding can be read. */
function truncationNote(left: number, context: ReportContext): string {
  const files = (context.reportFiles ?? []).map((file) => `\`${markdownText(file).replaceAll("`", "")}\``);
  const run = runUrl(context.env);
  const where =
    files.length > 0
      ? `The full report is in ${files.join(", ")}${run ? ` (this run: ${run})` : ""}.`
      : `For the full report, run lumenguard with \`--format json --output lumenguard.json\` and keep the file as an artifact${run ? ` (this run: ${run})` : ""}.`;
  return `**${left} more ${left === 1 ? "finding is" : "findings are"} not listed here**: GitHub takes at most 1 MiB of summary per step. ${where}`;
}

/** The parts that fit in `maxBytes`, in order, whole. */
function fit(parts: readonly string[], maxBytes: number): string {
  let out = "";
  for (const part of parts) {
    if (bytes(out) + bytes(part) > maxBytes) break;
    out += part;
  }
  return out;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Text safe in markdown: printable, markup characters escaped, HTML as entities, one line. */
export function markdownText(text: string): string {
  return printable(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/[\\`*_[\]#|~!(){}]/g, (char) => `\\${char}`);
}
