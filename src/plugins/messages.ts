import { ruleById } from "../../rules/index.js";
import type { Finding } from "../types.js";

/**
 * What the bundler gates print (STYLE: every user-facing string in one place). A finding
 * carries the redacted key only, so no message here can hold a key (SPEC §5).
 */

/** One line per finding: the emitted file and position, where it came from, what it is. */
export function findingLine(finding: Finding): string {
  const from = finding.original ? ` (from ${finding.original.file}:${finding.original.line}:${finding.original.column})` : "";
  return `  ${finding.file}:${finding.line}:${finding.column}${from}  ${finding.message} [${finding.ruleId}, ${finding.severity}]`;
}

/** The build error: what was found, in which chunk and source, and how to fix it. */
export function gateFailure(bundler: string, findings: readonly Finding[]): string {
  const count = findings.length === 1 ? "1 finding" : `${findings.length} findings`;
  return [
    `lumenguard: ${count} in the ${bundler} build's client output; stopping the build before it ships.`,
    ...findings.map(findingLine),
    ...fixSteps(findings),
  ].join("\n");
}

/** With `failOnFindings: false`, or below `failOn`: one warning per finding. */
export function gateWarning(finding: Finding): string {
  return `lumenguard:${findingLine(finding).slice(1)}`;
}

function fixSteps(findings: readonly Finding[]): string[] {
  const meta = ruleById(findings[0]?.ruleId ?? "")?.meta;
  if (!meta) return [];
  const identity = "the key id and last four shown above";
  return [`${meta.practice}: ${meta.why}`, ...meta.fix.map((step, index) => `  ${index + 1}. ${step.replace("{identity}", identity)}`)];
}
