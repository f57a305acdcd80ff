import type { AllowMarker } from "./inline-allow.js";

/**
 * Which finding each inline allow marker covers: exactly one per rule, the one it was written
 * for. Decided per rule, so a marker next to a key covers that key under every rule that
 * reports it there (a public env variable and the key it holds, say), and nothing else.
 * - A marker on a line with code covers the nearest finding before it on that line
 *   (`k = "…"; // lumenguard-allow`), else the nearest one after it
 *   (`/* lumenguard-allow *\/ k = "…"`).
 * - A marker on a comment-alone line covers the first finding on the next line.
 */
export interface PlacedCandidate {
  ruleId: string;
  /** 1-based. */
  line: number;
  /** 1-based, UTF-16 code units. */
  column: number;
}

/** For each candidate (by index) the marker that covers it; candidates no marker covers are absent. */
export function coveredBy(candidates: readonly PlacedCandidate[], markers: readonly AllowMarker[]): Map<number, AllowMarker> {
  const covered = new Map<number, AllowMarker>();
  if (markers.length === 0 || candidates.length === 0) return covered;
  const rules = new Set(candidates.map((candidate) => candidate.ruleId));
  for (const marker of markers) {
    for (const ruleId of rules) {
      const target = marker.alone ? firstOnLine(candidates, ruleId, marker.line + 1) : nearestOnLine(candidates, ruleId, marker);
      if (target !== -1 && !covered.has(target)) covered.set(target, marker);
    }
  }
  return covered;
}

function firstOnLine(candidates: readonly PlacedCandidate[], ruleId: string, line: number): number {
  let best = -1;
  candidates.forEach((candidate, index) => {
    if (candidate.ruleId !== ruleId || candidate.line !== line) return;
    if (best === -1 || candidate.column < (candidates[best] as PlacedCandidate).column) best = index;
  });
  return best;
}

function nearestOnLine(candidates: readonly PlacedCandidate[], ruleId: string, marker: AllowMarker): number {
  let before = -1;
  let after = -1;
  candidates.forEach((candidate, index) => {
    if (candidate.ruleId !== ruleId || candidate.line !== marker.line) return;
    if (candidate.column < marker.column) {
      if (before === -1 || candidate.column > (candidates[before] as PlacedCandidate).column) before = index;
    } else if (after === -1 || candidate.column < (candidates[after] as PlacedCandidate).column) {
      after = index;
    }
  });
  return before !== -1 ? before : after;
}
