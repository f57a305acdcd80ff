import type { Finding } from "../types.js";
import { ciOriginalPath, ciPath } from "./ci-path.js";
import { printable } from "./printable.js";
import { findingMessage } from "./render.js";
import type { Reporter } from "./types.js";

/**
 * JUnit XML for CI test-report views: a test suite per rule and a failing
 * test case per finding; a clean scan is one passing test case, so the report is never empty.
 * Files are named from the repository root, as the CI shows them; characters XML 1.0 cannot
 * hold are written as `\uXXXX` text (see `legal`).
 *
 * A JUnit report is often printed in a CI log (`--format junit` on stdout), where a line of its
 * own is read by the runner: every string from the scan (file names, messages, authors, source
 * map sources) goes through `printable()` first, as in the text report — line breaks and
 * control characters shown as escapes, a leading `::` and any `##[` defused — so a file name
 * cannot start a line such as `::stop-commands::` or `::error …`. Only the report's own line
 * breaks separate its lines.
 */

export const junitReporter: Reporter = (result, context) => {
  const seconds = (result.stats.durationMs / 1000).toFixed(3);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites name="lumenguard" tests="${Math.max(1, result.findings.length)}" failures="${result.findings.length}" errors="0" time="${seconds}">`);
  if (result.findings.length === 0) {
    lines.push(`  <testsuite name="lumenguard" tests="1" failures="0" errors="0" skipped="0" time="${seconds}">`);
    lines.push(`    <testcase classname="lumenguard" name="${attr(`no Lumenfall keys in ${result.stats.files} scanned files`)}" time="0"/>`);
    lines.push("  </testsuite>");
  }
  const byRule = new Map<string, Finding[]>();
  for (const finding of result.findings) byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding]);
  for (const [ruleId, findings] of byRule) {
    const meta = context.ruleMeta(ruleId);
    lines.push(`  <testsuite name="${attr(printable(ruleId))}" tests="${findings.length}" failures="${findings.length}" errors="0" skipped="0" time="0">`);
    for (const finding of findings) {
      const file = printable(ciPath(finding));
      const where = `${file}:${finding.line}:${finding.column}`;
      const message = printable(findingMessage(finding, context));
      const detail = [
        `${where} ${finding.severity} ${printable(finding.ruleId)}`,
        message + (finding.verified ? ` [--verify: ${finding.verified}]` : ""),
        ...(finding.original ? [`from ${printable(ciOriginalPath(finding) ?? "")}:${finding.original.line}:${finding.original.column} (through the source map)`] : []),
        ...(finding.commit ? [`added in ${printable(finding.commit.sha)} by ${printable(finding.commit.author)}, ${printable(finding.commit.date)}`] : []),
        ...(meta ? [`${printable(meta.practice)}: ${printable(meta.guideUrl)}`] : []),
      ].join("\n");
      lines.push(`    <testcase classname="${attr(`lumenguard.${ruleId}`)}" name="${attr(where)}" file="${attr(file)}" line="${finding.line}" time="0">`);
      lines.push(`      <failure type="${attr(finding.severity)}" message="${attr(message)}">${text(detail)}</failure>`);
      lines.push("    </testcase>");
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>");
  return `${lines.join("\n")}\n`;
};

/**
 * XML 1.0 cannot hold most control characters, lone surrogates or U+FFFE/U+FFFF even escaped:
 * they are written as `\uXXXX` text. File names are the usual source.
 */
function legal(value: string): string {
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function text(value: string): string {
  return legal(value).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Attribute values: also quotes, and line breaks and tabs as references (else normalised to spaces). */
function attr(value: string): string {
  return text(value).replaceAll('"', "&quot;").replaceAll("'", "&apos;").replaceAll("\n", "&#10;").replaceAll("\r", "&#13;").replaceAll("\t", "&#9;");
}
