import type { Detector, DetectorSearch, SecretHit } from "../engine/detector.js";
import { boundedMatches, linearRegExp } from "../engine/bounded-regexp.js";
import { placeholderReason } from "./lumenfall/placeholder.js";

/**
 * A detector for another provider's secrets, from a config `customPatterns` entry
 * (`{ id, regex, keywords }`): a keyword is found on raw bytes first (like `lmnfl_`), and the
 * pattern's regex runs only on a bounded window around each keyword hit, so the work per hit is
 * bounded by the window, not by the file.
 *
 * A pattern can still be slow on a crafted line. Every search has limits, and a search cut short
 * is a note (the scan turns it into a warning naming the file, line and pattern), never silence:
 * - a regex V8's linear-time engine accepts runs without a time limit (bounded-regexp.ts);
 * - any other runs with a time limit per search; a search that runs out of time skips the rest
 *   of that line, and the search goes on after it;
 * - at most {@link MAX_HITS_PER_FILE} keyword hits per file, and {@link FILE_BUDGET_MS} of regex
 *   time per file and {@link SCAN_BUDGET_MS} per scan (per thread) for backtracking patterns.
 */
export interface CustomPatternSpec {
  id: string;
  /** The pattern's source, as written in the config (JavaScript syntax); a capture group 1, if any, is the secret. */
  regex: string;
  keywords: readonly string[];
}

/** Bytes of context searched before and after a keyword hit. */
const BEFORE = 256;
const AFTER = 768;
/** Keyword hits looked at per pattern and file: a keyword on every line cannot make a file slow. */
export const MAX_HITS_PER_FILE = 10_000;
/** Time for one backtracking search. */
const SEARCH_TIMEOUT_MS = 100;
/** Backtracking time per pattern and file, and per pattern and scan. */
export const FILE_BUDGET_MS = 1_000;
export const SCAN_BUDGET_MS = 10_000;

interface FileState {
  hits: number;
  spentMs: number;
  /** Keyword hits before this offset are skipped: a search timed out on their line. */
  skipTo: number;
  stopped: boolean;
}

/** Time limits of a pattern's backtracking searches, in milliseconds. */
export interface PatternBudgets {
  searchMs: number;
  fileMs: number;
  scanMs: number;
}

export const DEFAULT_BUDGETS: PatternBudgets = { searchMs: SEARCH_TIMEOUT_MS, fileMs: FILE_BUDGET_MS, scanMs: SCAN_BUDGET_MS };

export function customPatternDetector(spec: CustomPatternSpec, budgets: PatternBudgets = DEFAULT_BUDGETS): Detector {
  const flags = "g";
  const linear = linearRegExp(spec.regex, flags);
  const regex = linear ?? new RegExp(spec.regex, flags);
  const keywords = spec.keywords.map((keyword) => Buffer.from(keyword, "utf8"));
  let scanSpentMs = 0;
  return {
    id: spec.id,
    verifiable: false,
    maxBytes: BEFORE + AFTER + Math.max(0, ...keywords.map((keyword) => keyword.length)),
    lookbehind: BEFORE,
    literals: spec.keywords.map((keyword) => Buffer.from(keyword, "utf8").toString("latin1")),
    redact: (hit) => redactOther(hit.secret),
    find(buf, from, to, search) {
      const state = fileState(search, spec.id);
      const hits = new Map<number, SecretHit>();
      for (const keyword of keywords) {
        for (let at = buf.indexOf(keyword, from); at !== -1 && at < to && !state.stopped; at = buf.indexOf(keyword, at + 1)) {
          if (search.fileOffset + at < state.skipTo) continue;
          if (++state.hits > MAX_HITS_PER_FILE) {
            state.stopped = true;
            search.note({ code: "pattern-hit-cap", at: search.fileOffset + at });
            break;
          }
          // The window never reaches back into a line a search ran out of time on.
          const windowStart = Math.max(0, at - BEFORE, state.skipTo - search.fileOffset);
          const text = buf.toString("latin1", windowStart, Math.min(buf.length, at + keyword.length + AFTER));
          let matches: RegExpExecArray[] | null;
          if (linear) {
            matches = allMatches(regex, text);
          } else {
            if (state.spentMs >= budgets.fileMs || scanSpentMs >= budgets.scanMs) {
              state.stopped = true;
              search.note({ code: scanSpentMs >= budgets.scanMs ? "pattern-scan-budget" : "pattern-budget", at: search.fileOffset + at });
              break;
            }
            const started = performance.now();
            matches = boundedMatches(regex, text, budgets.searchMs);
            const spent = performance.now() - started;
            state.spentMs += spent;
            scanSpentMs += spent;
          }
          if (matches === null) {
            // Out of time on this line: say so, and go on after the line.
            search.note({ code: "pattern-timeout", at: search.fileOffset + at });
            const newline = buf.indexOf(10, at);
            state.skipTo = search.fileOffset + (newline === -1 ? buf.length : newline + 1);
            continue;
          }
          collect(matches, text, windowStart, at - windowStart, keyword.length, hits);
        }
      }
      return [...hits.values()];
    },
  };
}

function fileState(search: DetectorSearch, id: string): FileState {
  const existing = search.state[id] as FileState | undefined;
  if (existing) return existing;
  const created: FileState = { hits: 0, spentMs: 0, skipTo: 0, stopped: false };
  search.state[id] = created;
  return created;
}

function allMatches(regex: RegExp, text: string): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match; match = regex.exec(text)) {
    found.push(match);
    if (match[0].length === 0) regex.lastIndex++;
  }
  return found;
}

/** Matches that overlap the keyword hit at `hitAt` (in `text`) become hits, once per start offset. */
function collect(matches: RegExpExecArray[], text: string, windowStart: number, hitAt: number, keywordLength: number, into: Map<number, SecretHit>): void {
  for (const match of matches) {
    if (match[0].length === 0) continue;
    const end = match.index + match[0].length;
    if (match.index > hitAt + keywordLength || end < hitAt) continue;
    const secret = match[1] ?? match[0];
    const offset = match.index + Math.max(0, match[0].indexOf(secret));
    const start = windowStart + offset;
    if (into.has(start)) continue;
    into.set(start, {
      start,
      end: start + secret.length,
      key: secret,
      keyId: null,
      secret,
      confidence: "medium",
      encoding: "raw",
      placeholder: placeholderReason(null, secret, text.slice(offset + secret.length, offset + secret.length + 4)),
    });
  }
}

/** Another provider's secret: its first four (usually a public type prefix) and last four, when long enough. */
function redactOther(secret: string): string {
  return secret.length >= 20 ? `${secret.slice(0, 4)}\u2026${secret.slice(-4)}` : `\u2026${secret.slice(-4)}`;
}
