import { findingMessage } from "./render.js";
import type { Reporter } from "./types.js";

/**
 * One line per finding, `file:line:col: severity ruleId message`, the shape editors and
 * `grep` read. Line breaks in a file name are escaped to keep it one line.
 */
export const compactReporter: Reporter = (result, context) =>
  result.findings
    .map((finding) => `${oneLine(finding.file)}:${finding.line}:${finding.column}: ${finding.severity} ${finding.ruleId} ${oneLine(findingMessage(finding, context))}${finding.verified ? ` [${finding.verified}]` : ""}\n`)
    .join("");

function oneLine(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\r", "\\r");
}
