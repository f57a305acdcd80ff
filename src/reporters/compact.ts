import { displayPath } from "./display-path.js";
import { printable } from "./printable.js";
import { findingMessage } from "./render.js";
import type { Reporter } from "./types.js";

/**
 * One line per finding, `file:line:col: severity ruleId message`, the shape editors and `grep`
 * read; the file from the current directory, as in the text report. Everything from the scan
 * goes through `printable`, so a name with a line break or an escape sequence stays on its line.
 */
export const compactReporter: Reporter = (result, context) =>
  result.findings
    .map((finding) => {
      const file = printable(displayPath(finding.file, context.pathBase));
      const message = printable(findingMessage(finding, context));
      return `${file}:${finding.line}:${finding.column}: ${finding.severity} ${printable(finding.ruleId)} ${message}${finding.verified ? ` [${finding.verified}]` : ""}\n`;
    })
    .join("");
