import { styleText } from "node:util";
import type { Finding, ScanResult, Severity } from "../types.js";
import { atOrAbove } from "../severity.js";
import type { RuleMeta } from "../engine/rule.js";
import { findingMessage, revokeUrlOf } from "./render.js";
import type { ReportContext, Reporter } from "./types.js";

/**
 * The report a person reads in a terminal or a hook: where, what practice is broken, which key
 * (redacted, as the dashboard lists it), and the fix, step by step.
 */

type Style = Parameters<typeof styleText>[0];

const SEVERITY_STYLE: Record<Severity, Style> = {
  critical: ["red", "bold"],
  high: "red",
  medium: "yellow",
  low: "cyan",
  info: "gray",
};

export const textReporter: Reporter = (result, context) => {
  const paint = (style: Style, text: string) => (context.color ? styleText(style, text) : text);
  const sections = result.findings.map((finding) => renderFinding(finding, context, paint));
  const ruleIds = [...new Set(result.findings.filter((f) => !f.placeholder).map((f) => f.ruleId))];
  for (const id of ruleIds) {
    const meta = context.ruleMeta(id);
    if (meta) sections.push(renderPractice(meta, paint));
  }
  const lines = sections.length > 0 ? [sections.join("\n\n"), ""] : [];
  lines.push(summaryLine(result, context, paint));
  for (const allowed of result.suppressed.filter((s) => s.by === "inline")) {
    const reason = allowed.reason ? ` (${allowed.reason})` : "";
    lines.push(paint("gray", `  allowed inline: ${allowed.file}:${allowed.line}:${allowed.column} ${allowed.ruleId}${reason}`));
  }
  return `${lines.join("\n")}\n`;
};

/** Where, how bad, which rule and key, and the one step that cannot wait: revoking this key. */
function renderFinding(finding: Finding, context: ReportContext, paint: (style: Style, text: string) => string): string {
  const where = `${finding.file}:${finding.line}:${finding.column}`;
  const severity = paint(SEVERITY_STYLE[finding.severity], finding.severity.toUpperCase());
  const lines = [`${paint("bold", where)}  ${severity}  ${finding.ruleId}`];
  lines.push(`  ${findingMessage(finding, context)}${finding.encoding ? ` (written ${finding.encoding})` : ""}`);
  if (finding.snippet) lines.push(`  ${paint("gray", "│")} ${finding.snippet}`);
  if (finding.original) lines.push(`  ${paint("gray", "from")} ${finding.original.file}:${finding.original.line}:${finding.original.column} (through the source map)`);
  if (finding.commit) lines.push(`  ${paint("gray", "added in")} ${finding.commit.sha.slice(0, 12)} by ${finding.commit.author}, ${finding.commit.date.slice(0, 10)}`);
  if (finding.secret && !finding.placeholder) {
    const url = revokeUrlOf(finding, context);
    const where = url ? `at ${url}` : "with the provider that issued it";
    lines.push(`  ${paint("gray", "→")} revoke ${identity(finding)} ${where}${finding.verified ? `  ${verdict(finding.verified, paint)}` : ""}`);
  }
  return lines.join("\n");
}

/** Once per rule: the practice from the guide, why it matters, and the fix step by step. */
function renderPractice(meta: RuleMeta, paint: (style: Style, text: string) => string): string {
  const lines = [`${paint("bold", meta.id)}: ${meta.practice} (${meta.guideUrl})`, `  ${meta.why}`];
  meta.fix.forEach((step, index) => lines.push(`  ${index + 1}. ${step.replace("{identity}", "find it by key id and last four, as listed above")}`));
  return lines.join("\n");
}

/** `--verify`'s answer beside the key: a live key is the one to revoke first. */
function verdict(verified: NonNullable<Finding["verified"]>, paint: (style: Style, text: string) => string): string {
  if (verified === "live") return paint(["red", "bold"], "[live — revoke now]");
  return verified === "revoked" ? paint("green", "[revoked]") : paint("yellow", "[unknown — could not verify]");
}

/** How the dashboard lists the key: key id and last four. */
function identity(finding: Finding): string {
  const secret = finding.secret;
  if (!secret) return "the key";
  if (!secret.redacted.startsWith("lmnfl_")) return `${secret.redacted} (last four ${secret.lastFour})`;
  return secret.keyId === null
    ? `${secret.redacted} (dotless key, last four ${secret.lastFour})`
    : `${secret.redacted} (key id ${secret.keyId}, last four ${secret.lastFour})`;
}

function summaryLine(result: ScanResult, context: ReportContext, paint: (style: Style, text: string) => string): string {
  const { stats } = result;
  const scanned = `${scope(result)}, ${formatBytes(stats.bytes)} scanned in ${stats.durationMs} ms`;
  const live = new Set(result.findings.filter((finding) => finding.verified === "live").map((finding) => finding.secret?.fingerprint)).size;
  const extras = [
    live > 0 ? `${live} live ${live === 1 ? "key" : "keys"}` : "",
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
