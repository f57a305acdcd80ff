import type { Finding, Severity } from "./types.js";

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Whether `severity` reaches the `--fail-on` threshold (`none` is never reached). */
export function atOrAbove(severity: Severity, threshold: Severity | "none"): boolean {
  return threshold !== "none" && RANK[severity] >= RANK[threshold];
}

/** 1 when any finding is at or above the threshold, else 0. */
export function exitCodeForFindings(findings: readonly Finding[], failOn: Severity | "none"): 0 | 1 {
  return findings.some((finding) => atOrAbove(finding.severity, failOn)) ? 1 : 0;
}

/** Most severe first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a];
}

/**
 * Orders by code point, not locale: String#localeCompare loads ICU's collator on first use
 * (~15 ms), and a report's order must not depend on the machine's locale anyway.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
