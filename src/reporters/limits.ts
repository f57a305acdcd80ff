import type { ScanResult } from "../types.js";
import { annotated, overflowNote } from "./github.js";
import { scopeAnnotations } from "./scope-annotations.js";
import { sarifCapNote } from "./sarif-limits.js";
import type { ReportContext } from "./types.js";

/**
 * What a format had to leave out to stay within the limits of the system that reads it, as
 * sentences for stderr (the CLI prints them as warnings): SARIF results beyond code scanning's
 * 25,000 per run; annotations beyond GitHub's 10 of each level per step. Empty when nothing was
 * left out. Pure; the counts are the same the reporters use.
 */
export function reportLimitNotes(format: string, result: ScanResult, context: ReportContext): string[] {
  if (format === "sarif") {
    const note = sarifCapNote(result.findings.length, result.findings.length + (result.stats.findingsOverCap ?? 0));
    return note ? [note] : [];
  }
  if (format === "github") {
    const { left } = annotated(result.findings, scopeAnnotations(result.warnings).used);
    if (left === 0) return [];
    return [overflowNote(left, context)];
  }
  return [];
}
