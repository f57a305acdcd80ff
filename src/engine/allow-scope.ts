import type { AllowMarker } from "./inline-allow.js";

/**
 * Which findings an inline allow marker covers: those of the one secret (or the one place) it
 * was written for.
 * - A marker on a line with code is written for the finding it sits next to: the nearest one
 *   before it on its line (`k = "…"; // lumenguard-allow`), else the nearest one after it
 *   (`/* lumenguard-allow *\/ k = "…"`), either within {@link ALLOW_REACH} columns of the
 *   comment. On a minified line, a key thousands of columns away is not covered.
 * - A marker on a comment-alone line is written for the first finding on the next line.
 * The marker then covers every finding of that secret at that place — the same key under every
 * rule that reports it there (the finding at the key and the finding at the variable that holds
 * it) — and nothing else: another secret on the same line, even of another
 * rule (another provider's token), is not covered, nor is a copy of the secret written inside
 * the marker's own comment (a reason quoting the key is another occurrence of it). A finding without a secret (a text rule's, at
 * a place) is its own target, with any other finding at exactly the same place.
 */
export interface PlacedCandidate {
  ruleId: string;
  /** 1-based. */
  line: number;
  /** 1-based, UTF-16 code units. */
  column: number;
  /** Exclusive, on `endLine`; the same units. */
  endColumn?: number;
  endLine?: number;
  /** The secret's fingerprint, when the finding is at a secret. */
  fingerprint?: string;
}

/** How far (UTF-16 code units) a comment may be from the finding it is written for, on the same line. */
export const ALLOW_REACH = 200;

/** For each candidate (by index) the marker that covers it; candidates no marker covers are absent. */
export function coveredBy(candidates: readonly PlacedCandidate[], markers: readonly AllowMarker[]): Map<number, AllowMarker> {
  const covered = new Map<number, AllowMarker>();
  if (markers.length === 0 || candidates.length === 0) return covered;
  for (const marker of markers) {
    const target = marker.alone ? firstOnLine(candidates, marker.line + 1) : nextTo(candidates, marker);
    if (target === -1) continue;
    const chosen = candidates[target] as PlacedCandidate;
    candidates.forEach((candidate, index) => {
      if (!covered.has(index) && (index === target || (sameTarget(chosen, candidate) && !insideComment(candidate, marker)))) covered.set(index, marker);
    });
  }
  return covered;
}

/** The same secret on the same line, or (without a secret) exactly the same place. */
function sameTarget(chosen: PlacedCandidate, candidate: PlacedCandidate): boolean {
  if (candidate.line !== chosen.line) return false;
  if (chosen.fingerprint !== undefined) return candidate.fingerprint === chosen.fingerprint || (candidate.fingerprint === undefined && candidate.column === chosen.column);
  return candidate.column === chosen.column;
}

/** A copy of the secret inside the marker's own comment (`// lumenguard-allow: was <key>`) is another occurrence: not covered. */
function insideComment(candidate: PlacedCandidate, marker: AllowMarker): boolean {
  return !marker.alone && candidate.line === marker.line && candidate.column >= marker.column && candidate.column < marker.endColumn;
}

function firstOnLine(candidates: readonly PlacedCandidate[], line: number): number {
  let best = -1;
  candidates.forEach((candidate, index) => {
    if (candidate.line !== line) return;
    if (best === -1 || candidate.column < (candidates[best] as PlacedCandidate).column) best = index;
  });
  return best;
}

/** The nearest finding before the marker within reach, else the nearest after it within reach. */
function nextTo(candidates: readonly PlacedCandidate[], marker: AllowMarker): number {
  let before = -1;
  let beforeGap = Infinity;
  let after = -1;
  let afterGap = Infinity;
  candidates.forEach((candidate, index) => {
    const end = candidate.endColumn ?? candidate.column;
    // A key joined across lines is next to a marker on the line where it ends.
    const endsHere = (candidate.endLine ?? candidate.line) === marker.line;
    const startsHere = candidate.line === marker.line;
    if (endsHere && (!startsHere || candidate.column < marker.column)) {
      const gap = Math.max(0, marker.column - end);
      const closer = gap < beforeGap || (gap === beforeGap && candidate.column > (candidates[before] as PlacedCandidate).column);
      if (gap <= ALLOW_REACH && closer) [before, beforeGap] = [index, gap];
    } else if (startsHere && candidate.column >= marker.column) {
      const gap = Math.max(0, candidate.column - marker.endColumn);
      if (gap <= ALLOW_REACH && gap < afterGap) [after, afterGap] = [index, gap];
    }
  });
  return before !== -1 ? before : after;
}
