import { compareSeverity } from "../severity.js";
import type { Finding, ScanResult } from "../types.js";

/**
 * GitHub code scanning rejects a SARIF file beyond its limits
 * (https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit):
 * 20 runs per file, 25,000 results per run, 25,000 rules per run, 1,000 locations per result,
 * 20 tags per rule, 100 tool extensions per run, 10 MB per gzip-compressed file. sarif.ts writes
 * one run, no extensions, one location per result (and at most one related location), four tags
 * per rule, and a rule per built-in rule and custom pattern (the config allows a few hundred at
 * most); results are capped here at {@link SARIF_MAX_RESULTS}, the most severe kept, and the
 * run's `invocations[0].toolExecutionNotifications` says how many were left out, beside the
 * scan's own warnings. 25,000 results of the size sarif.ts writes stay well below 10 MB once
 * compressed.
 */
export const SARIF_MAX_RESULTS = 25_000;

/** Indexes of the findings that fit in one run: the most severe {@link SARIF_MAX_RESULTS}, in report order. */
export function keptResults(findings: readonly Finding[]): number[] {
  const indexes = findings.map((_, i) => i);
  if (findings.length <= SARIF_MAX_RESULTS) return indexes;
  const chosen = indexes.sort((a, b) => compareSeverity(findings[a]!.severity, findings[b]!.severity) || a - b).slice(0, SARIF_MAX_RESULTS);
  return chosen.sort((a, b) => a - b);
}

/**
 * When more findings were found than one SARIF run may hold, what the SARIF report holds.
 * `kept`: the findings of the result; `found`: with those the scan counted but did not keep.
 */
export function sarifCapNote(kept: number, found = kept): string | null {
  if (found <= SARIF_MAX_RESULTS) return null;
  const n = (count: number) => count.toLocaleString("en-US");
  const held = Math.min(kept, SARIF_MAX_RESULTS);
  const why = kept < found ? ` (the scan kept ${n(kept)}; the others were only counted)` : "";
  const rest = kept > held ? `; the other ${n(kept - held)} are in --format json or text` : "";
  return `${n(found)} findings, more than the 25,000 results GitHub code scanning accepts in one SARIF run: the SARIF report holds the ${n(held)} most severe${why}${rest}.`;
}

/** The scan's warnings and the results cap, as the run's tool execution notifications. */
export function notifications(result: ScanResult) {
  const cap = sarifCapNote(result.findings.length, result.findings.length + (result.stats.findingsOverCap ?? 0));
  // SARIF wants the notifications unique: a warning said twice is listed once.
  const texts = [...new Set([...(cap ? [cap] : []), ...result.warnings.map((warning) => warning.message)])];
  return texts.map((text) => ({ level: "warning", message: { text } }));
}

