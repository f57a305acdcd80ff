import type { Finding, ScanResult, Severity } from "../types.js";
import { atOrAbove } from "../severity.js";
import type { RuleMeta } from "../engine/rule.js";
import { painter, type Paint, type Style } from "./ansi.js";
import { displayPath } from "./display-path.js";
import { printable } from "./printable.js";
import { findingMessage, revokeUrlOf } from "./render.js";
import type { ReportContext, Reporter } from "./types.js";

/**
 * The report a person reads in a terminal or a hook: where, what practice is broken, which key
 * (redacted, as the dashboard lists it), and the fix, step by step. Every string that comes from
 * the scan goes through `printable` (one line, controls shown as escapes); colour is plain SGR,
 * on only when `context.color` says so.
 */

const SEVERITY_STYLE: Record<Severity, Style | Style[]> = {
  critical: ["red", "bold"],
  high: "red",
  medium: "yellow",
  low: "cyan",
  info: "gray",
};

export const textReporter: Reporter = (result, context) => {
  const paint = painter(context.color);
  const sections = result.findings.map((finding) => renderFinding(finding, context, paint));
  const ruleIds = [...new Set(result.findings.filter((f) => !f.placeholder).map((f) => f.ruleId))];
  for (const id of ruleIds) {
    const meta = context.ruleMeta(id);
    if (meta) sections.push(renderPractice(meta, paint));
  }
  const lines = sections.length > 0 ? [sections.join("\n\n"), ""] : [];
  lines.push(summaryLine(result, context, paint));
  for (const allowed of result.suppressed.filter((s) => s.by === "inline")) {
    const reason = allowed.reason ? ` (${printable(allowed.reason)})` : "";
    lines.push(paint("gray", `  allowed inline: ${where(allowed.file, allowed.line, allowed.column, context)} ${printable(allowed.ruleId)}${reason}`));
  }
  return `${lines.join("\n")}\n`;
};

/** `file:line:column`, the file from the current directory and printable. */
function where(file: string, line: number, column: number, context: ReportContext): string {
  return `${printable(displayPath(file, context.pathBase))}:${line}:${column}`;
}

/** Where, how bad, which rule and key, and the one step that cannot wait: revoking this key. */
function renderFinding(finding: Finding, context: ReportContext, paint: Paint): string {
  const severity = paint(SEVERITY_STYLE[finding.severity], finding.severity.toUpperCase());
  const lines = [`${paint("bold", where(finding.file, finding.line, finding.column, context))}  ${severity}  ${printable(finding.ruleId)}`];
  lines.push(`  ${printable(findingMessage(finding, context))}${finding.encoding ? ` (written ${printable(finding.encoding)})` : ""}`);
  if (finding.snippet) lines.push(`  ${paint("gray", "│")} ${printable(finding.snippet)}`);
  if (finding.original) {
    const { file, line, column } = finding.original;
    lines.push(`  ${paint("gray", "from")} ${where(file, line, column, context)} (through the source map)`);
  }
  if (finding.commit) {
    const { sha, author, date } = finding.commit;
    lines.push(`  ${paint("gray", "added in")} ${printable(sha.slice(0, 12))} by ${printable(author)}, ${printable(date.slice(0, 10))}`);
  }
  if (finding.secret && !finding.placeholder) {
    const url = revokeUrlOf(finding, context);
    const at = url ? `at ${printable(url)}` : "with the provider that issued it";
    const action = context.ruleMeta(finding.ruleId)?.keyAction === "rotate" ? `rotate ${identity(finding)}: create a new key, deploy it, then revoke this one ${at}` : `revoke ${identity(finding)} ${at}`;
    lines.push(`  ${paint("gray", "→")} ${action}${finding.verified ? `  ${verdict(finding.verified, paint)}` : ""}`);
  }
  return lines.join("\n");
}

/** Once per rule: the practice from the guide, why it matters, and the fix step by step. */
function renderPractice(meta: RuleMeta, paint: Paint): string {
  const lines = [`${paint("bold", printable(meta.id))}: ${printable(meta.practice)} (${printable(meta.guideUrl)})`, `  ${printable(meta.why)}`];
  meta.fix.forEach((step, index) => lines.push(`  ${index + 1}. ${printable(step.replace("{identity}", "find it by key id and last four, as listed above"))}`));
  return lines.join("\n");
}

/** `--verify`'s answer beside the key: a live key is the one to revoke first. */
function verdict(verified: NonNullable<Finding["verified"]>, paint: Paint): string {
  if (verified === "live") return paint(["red", "bold"], "[live — revoke now]");
  return verified === "revoked" ? paint("green", "[revoked]") : paint("yellow", "[unknown — could not verify]");
}

/** How the dashboard lists the key: key id and last four. */
function identity(finding: Finding): string {
  const secret = finding.secret;
  if (!secret) return "the key";
  const [redacted, keyId, lastFour] = [printable(secret.redacted), printable(secret.keyId ?? ""), printable(secret.lastFour)];
  if (!secret.redacted.startsWith("lmnfl_")) return `${redacted} (last four ${lastFour})`;
  // A partial key's last four are not known: it was found only in part (split across lines or strings).
  if (secret.partial) return secret.keyId === null ? `${redacted} (dotless key found only in part, last four unknown)` : `${redacted} (key id ${keyId}, found only in part: last four unknown)`;
  return secret.keyId === null ? `${redacted} (dotless key, last four ${lastFour})` : `${redacted} (key id ${keyId}, last four ${lastFour})`;
}

/** The text report's last line alone (for stderr when the report goes elsewhere), with its newline. */
export function textSummaryLine(result: ScanResult, context: ReportContext): string {
  return `${summaryLine(result, context, painter(context.color))}\n`;
}

/** What was found (by severity) and what was scanned; only counts, nothing from the scanned files. */
function summaryLine(result: ScanResult, context: ReportContext, paint: Paint): string {
  const { stats } = result;
  const scanned = `${scope(result)}, ${formatBytes(stats.bytes)} scanned in ${stats.durationMs} ms`;
  const live = new Set(result.findings.filter((finding) => finding.verified === "live").map((finding) => finding.secret?.fingerprint)).size;
  const extras = [
    live > 0 ? `${live} live ${live === 1 ? "key" : "keys"}` : "",
    stats.findingsOverCap ? `${stats.findingsOverCap.toLocaleString("en-US")} more not kept` : "",
    stats.suppressed > 0 ? `${stats.suppressed} suppressed` : "",
    stats.skipped > 0 ? `${stats.skipped} unreadable` : "",
  ].filter(Boolean);
  const tail = extras.length > 0 ? ` (${extras.join(", ")})` : "";
  if (result.findings.length === 0) return paint("green", `✔ No Lumenfall keys found`) + ` · ${scanned}${tail}`;
  const counts = new Map<Severity, number>();
  for (const finding of result.findings) counts.set(finding.severity, (counts.get(finding.severity) ?? 0) + 1);
  const bySeverity = (["critical", "high", "medium", "low", "info"] as const)
    .filter((severity) => counts.has(severity))
    .map((severity) => `${counts.get(severity)} ${severity}`)
    .join(", ");
  const failing = result.findings.some((finding) => atOrAbove(finding.severity, context.failOn));
  const mark = failing ? paint(["red", "bold"], "✖") : paint("yellow", "!");
  const noun = result.findings.length === 1 ? "finding" : "findings";
  return `${mark} ${result.findings.length} ${noun} (${bySeverity}) · ${scanned}${tail}`;
}

/** What was scanned, in the words of the mode: every mode says so, even when it found nothing. */
function scope(result: ScanResult): string {
  const { stats } = result;
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  switch (result.mode) {
    case "staged":
      return count(stats.files, "staged file", "staged files");
    case "history":
    case "pre-push":
      return `${count(stats.commits ?? 0, "commit", "commits")} (${count(stats.blobs, "blob", "blobs")})`;
    case "ci":
      return `${count(stats.files, "file", "files")} and ${count(stats.commits ?? 0, "commit", "commits")} (${count(stats.blobs, "blob", "blobs")})`;
    default:
      return count(stats.files, "file", "files");
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
