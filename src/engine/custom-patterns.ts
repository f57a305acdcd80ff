import type { KeyHit } from "./find-keys.js";
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
}

export function compilePattern(pattern: CustomPattern): CompiledPattern {
  const flags = pattern.regex.flags.includes("g") ? pattern.regex.flags : `${pattern.regex.flags}g`;
  return { id: pattern.id, regex: new RegExp(pattern.regex.source, flags), keywords: pattern.keywords.map((k) => Buffer.from(k, "utf8")) };
}

/** Matches of `pattern` that overlap a keyword hit whose start is in [from, to). */
export function findCustomSecrets(buf: Buffer, from: number, to: number, pattern: CompiledPattern): KeyHit[] {
  const hits = new Map<number, KeyHit>();
  for (const keyword of pattern.keywords) {
    for (let at = buf.indexOf(keyword, from); at !== -1 && at < to; at = buf.indexOf(keyword, at + 1)) {
      const windowStart = Math.max(0, at - BEFORE);
      const text = buf.toString("latin1", windowStart, Math.min(buf.length, at + keyword.length + AFTER));
      const hitAt = at - windowStart;
      pattern.regex.lastIndex = 0;
      for (let match = pattern.regex.exec(text); match; match = pattern.regex.exec(text)) {
        if (match[0].length === 0) {
          pattern.regex.lastIndex++;
          continue;
        }
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
