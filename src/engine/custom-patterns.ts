import type { KeyHit } from "./find-keys.js";
import { boundedMatches, linearRegExp } from "./safe-regex.js";
import { placeholderReason } from "./placeholder.js";

/**
 * Other providers' secrets from config `customPatterns` (SPEC §7): a keyword is found on raw
 * bytes first (like `lmnfl_`), and the pattern's regex runs only on a bounded window around
 * each keyword hit, so the work per hit is bounded by the window, not by the file.
 */
export interface CustomPattern {
  id: string;
  regex: RegExp;
  keywords: readonly string[];
}

const BEFORE = 256;
const AFTER = 768;

export interface CompiledPattern {
  id: string;
  regex: RegExp;
  keywords: Buffer[];
  /** Runs on V8's linear-time engine: no time limit needed (safe-regex.ts). */
  linear: boolean;
}

/** Keyword hits looked at per pattern and file: a keyword on every line cannot make a file slow. */
const MAX_HITS_PER_FILE = 10_000;
/** Time for one backtracking search (patterns the linear engine refuses). */
const SEARCH_TIMEOUT_MS = 100;

export function compilePattern(pattern: CustomPattern): CompiledPattern {
  const flags = pattern.regex.flags.includes("g") ? pattern.regex.flags : `${pattern.regex.flags}g`;
  const linear = linearRegExp(pattern.regex.source, flags);
  return {
    id: pattern.id,
    regex: linear ?? new RegExp(pattern.regex.source, flags),
    keywords: pattern.keywords.map((k) => Buffer.from(k, "utf8")),
    linear: linear !== null,
  };
}

function matchesIn(pattern: CompiledPattern, text: string): RegExpExecArray[] | null {
  if (!pattern.linear) return boundedMatches(pattern.regex, text, SEARCH_TIMEOUT_MS);
  const found: RegExpExecArray[] = [];
  pattern.regex.lastIndex = 0;
  for (let match = pattern.regex.exec(text); match; match = pattern.regex.exec(text)) {
    found.push(match);
    if (match[0].length === 0) pattern.regex.lastIndex++;
  }
  return found;
}

/** Matches of `pattern` that overlap a keyword hit whose start is in [from, to). */
export function findCustomSecrets(buf: Buffer, from: number, to: number, pattern: CompiledPattern): KeyHit[] {
  const hits = new Map<number, KeyHit>();
  let looked = 0;
  for (const keyword of pattern.keywords) {
    for (let at = buf.indexOf(keyword, from); at !== -1 && at < to && looked < MAX_HITS_PER_FILE; at = buf.indexOf(keyword, at + 1)) {
      looked++;
      const windowStart = Math.max(0, at - BEFORE);
      const text = buf.toString("latin1", windowStart, Math.min(buf.length, at + keyword.length + AFTER));
      const hitAt = at - windowStart;
      const matches = matchesIn(pattern, text);
      // A pattern that ran out of time is not used on the rest of this input.
      if (matches === null) return [...hits.values()];
      for (const match of matches) {
        if (match[0].length === 0) continue;
        const end = match.index + match[0].length;
        if (match.index > hitAt + keyword.length || end < hitAt) continue;
        const secret = match[1] ?? match[0];
        const offset = match.index + Math.max(0, match[0].indexOf(secret));
        const start = windowStart + offset;
        if (hits.has(start)) continue;
        hits.set(start, {
          keyId: null,
          secret,
          key: secret,
          start,
          end: start + secret.length,
          confidence: "medium",
          escaped: false,
          placeholder: placeholderReason(null, secret, text.slice(offset + secret.length, offset + secret.length + 4)),
          encoding: "raw",
          detector: pattern.id,
        });
      }
    }
  }
  return [...hits.values()];
}
