import { printable } from "../reporters/printable.js";
import { findingMessage, fixSteps } from "../reporters/render.js";
import type { Finding } from "../types.js";
import type { EmittedScan } from "./gate.js";

/**
 * What the bundler gates print, in one place. Every line is made printable (keys scrubbed,
 * control and bidi characters shown as escapes): chunk and source names come from the project
 * being built, and rule texts of custom patterns from its config.
 */

/** One line per finding: the emitted file and position, where it came from, what it is. */
export function findingLine(finding: Finding, scan: Pick<EmittedScan, "resolved">): string {
  const from = finding.original ? ` (from ${finding.original.file}:${finding.original.line}:${finding.original.column})` : "";
  return printable(`  ${finding.file}:${finding.line}:${finding.column}${from}  ${findingMessage(finding, scan.resolved)} [${finding.ruleId}, ${finding.severity}]`);
}

/** The build error: what was found, in which chunk and source (`from`: where the files come from, when not the bundle), and how to fix it. */
export function gateFailure(bundler: string, findings: readonly Finding[], scan: Pick<EmittedScan, "resolved">, from?: string): string {
  const count = findings.length === 1 ? "1 finding" : `${findings.length} findings`;
  const meta = scan.resolved.ruleMeta(findings[0]?.ruleId ?? "");
  const steps = meta ? [`${meta.practice}: ${meta.why}`, ...fixSteps(meta.fix, "the key id and last four shown above").map((step, index) => `  ${index + 1}. ${step}`)].map(printable) : [];
  return [`lumenguard: ${count} in the ${bundler} build's client output${from ? ` (${printable(from)})` : ""}; stopping the build before it ships.`, ...findings.map((finding) => findingLine(finding, scan)), ...steps].join("\n");
}

/** With `failOnFindings: false`, or below `failOn`: one warning per finding. */
export function gateWarning(finding: Finding, scan: Pick<EmittedScan, "resolved">): string {
  return `lumenguard:${findingLine(finding, scan).slice(1)}`;
}
