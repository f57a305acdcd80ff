import type { Finding, ScanModeName, ScanResult, Severity } from "./types.js";

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Whether `severity` reaches the `--fail-on` threshold (`none` is never reached). */
export function atOrAbove(severity: Severity, threshold: Severity | "none"): boolean {
  return threshold !== "none" && RANK[severity] >= RANK[threshold];
}

/** 1 when any finding is at or above the threshold, else 0. */
export function exitCodeForFindings(findings: readonly Finding[], failOn: Severity | "none"): 0 | 1 {
  return findings.some((finding) => atOrAbove(finding.severity, failOn)) ? 1 : 0;
}

/**
 * The modes that stand between a key and a commit, a push or a merge. A gate that could not
 * read everything it had to judge fails closed: a scanner that passes what it never saw is
 * worse than none.
 */
export const GATE_MODES: ReadonlySet<ScanModeName> = new Set(["staged", "pre-push", "pre-receive", "ci"]);

/** The warnings that make a gate fail closed (exit 3): content it had to judge and could not read. */
export function unjudged(result: ScanResult): ScanResult["warnings"] {
  return GATE_MODES.has(result.mode) ? result.warnings.filter((warning) => warning.incomplete) : [];
}

/** 3 when a gate could not read what it had to judge ({@link unjudged}), else {@link exitCodeForFindings}. */
export function exitCodeForResult(result: ScanResult, failOn: Severity | "none"): 0 | 1 | 3 {
  return unjudged(result).length > 0 ? 3 : exitCodeForFindings(result.findings, failOn);
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
