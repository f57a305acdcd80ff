import type { SecretEncoding, SecretHit } from "../../engine/detector.js";
import { joinStyleFor, type JoinStyle } from "./continuations.js";
import { hasLeftBoundary, KEY_PREFIX, matchKeyAt, prefixLength, type KeyMatch } from "./key-shape.js";
import { isBase64Byte, readBase64Run } from "./base64-runs.js";

/**
 * Finds Lumenfall keys in a byte buffer. Literals are searched on raw bytes first — the plain
 * `lmnfl_`, its UTF-16 form, and its three base64 alignments — and the full match runs only
 * around those hits. Nothing here decodes a whole file.
 */

/**
 * `mn` of a prefix written with every character escaped, as encoders that escape everything
 * write it: percent-encoded (`%6C%6D%6E%66%6C%5F`, either case) and JSON `\u` escapes
 * (`\u006c\u006d…`). The `l` before it may be escaped or not.
 */
const ESCAPED_PREFIX_LITERALS = ["%6D%6E", "%6d%6e", "\\u006d\\u006e", "\\u006D\\u006E"];

/**
 * Byte strings one of which every key this module finds contains, as written: the plain prefix,
 * its UTF-16 form, the stable parts of its three base64 alignments, and the middle of an escaped
 * prefix. A file holding none of them holds no key (prefilters outside the engine rely on it).
 */
export const LITERALS: readonly string[] = [KEY_PREFIX, "n\0f\0l\0_", "G1uZmxf", "xtbmZsX", "W5mbF", ...ESCAPED_PREFIX_LITERALS];

export function hitOf(match: KeyMatch, encoding: SecretEncoding, start = match.start, end = match.end): SecretHit {
  const hit: SecretHit = { start, end, key: match.key, keyId: match.keyId, secret: match.secret, confidence: match.confidence, encoding, placeholder: match.placeholder };
  if (match.partial) hit.partial = true;
  return hit;
}

const RAW_LITERAL = Buffer.from(KEY_PREFIX, "latin1");
/**
 * `n\0f\0l\0_`: part of `lmnfl_` in UTF-16 LE and BE alike, four bytes after the `l`. Its
 * first byte is rare in binaries, where NUL-first patterns crawl (measured: 9 ms against 240 ms
 * on a 130 MB native module). Text without any NUL cannot hold UTF-16 and is skipped at once.
 */
const UTF16_LITERAL = Buffer.from("n\0f\0l\0_", "latin1");
const UTF16_HEAD = Buffer.from("l\0m\0", "latin1");

/**
 * Stable parts of base64("…lmnfl_…") — chars that do not depend on the neighbouring bytes —
 * one for each of the three alignments of `lmnfl_` in the encoded data (the same chars hold in
 * the URL-safe alphabet). Each is the part that `indexOf` finds fastest: one starting with a
 * rare letter (measured on real code: ~20 GB/s against ~2 GB/s for the whole run).
 * `indexInQuad` is where the literal starts inside its 4-char quad; `prefixOffset` is where
 * `lmnfl_` starts in the bytes that quad decodes to (−1: it began in the quad before).
 */
const BASE64_LITERALS = [
  { literal: Buffer.from("G1uZmxf", "latin1"), indexInQuad: 1, prefixOffset: 0 },
  { literal: Buffer.from("xtbmZsX", "latin1"), indexInQuad: 2, prefixOffset: 1 },
  { literal: Buffer.from("W5mbF", "latin1"), indexInQuad: 1, prefixOffset: -1 },
];

/** How far after a literal a key (in its widest encoding) can reach. */
const BASE64_WINDOW_CHARS = 4 * Math.ceil(400 / 3);
const UTF16_WINDOW_CHARS = 340;
/** Bytes a hit may need before its literal: escapes, a base64 quad, a UTF-16 char. */
export const LOOKBEHIND_BYTES = 16;

/**
 * Keys whose literal starts in [from, to) of `buf`; bytes outside that range are context only.
 * `fileOffset` is where `buf` starts in its file: UTF-16 text keeps every char at an even file
 * offset, which tells little from big endian.
 */
export function findKeys(buf: Buffer, from = 0, to = buf.length, fileOffset = 0, path?: string): SecretHit[] {
  const hits: SecretHit[] = [];
  const style = joinStyleFor(path);
  for (let at = buf.indexOf(RAW_LITERAL, from); at !== -1 && at < to; at = buf.indexOf(RAW_LITERAL, at + 1)) {
    if (!hasLeftBoundary(buf, at)) continue;
    const match = matchKeyAt(buf, at, buf.length, style);
    if (match) hits.push(hitOf(match, match.escaped ? "escaped" : "raw"));
  }
  findEscapedPrefixKeys(buf, from, to, style, hits);
  findUtf16Keys(buf, from, to, fileOffset, hits);
  findBase64Keys(buf, from, to, hits);
  return hits.length > 1 ? hits.sort((a, b) => a.start - b.start) : hits;
}

const ESCAPED_PREFIX_BUFFERS = ESCAPED_PREFIX_LITERALS.map((literal) => Buffer.from(literal, "latin1"));

/** Keys whose prefix is escaped: found by its `mn`, and read from the `l` before it (plain, `%6C` or `\u006c`). */
function findEscapedPrefixKeys(buf: Buffer, from: number, to: number, style: JoinStyle, hits: SecretHit[]): void {
  for (const literal of ESCAPED_PREFIX_BUFFERS) {
    for (let at = buf.indexOf(literal, from); at !== -1 && at < to; at = buf.indexOf(literal, at + 1)) {
      for (const back of [1, 3, 6]) {
        const start = at - back;
        if (start < 0 || prefixLength(buf, start, buf.length) === 0 || !hasLeftBoundary(buf, start)) continue;
        const match = matchKeyAt(buf, start, buf.length, style);
        if (match) hits.push(hitOf(match, "escaped"));
        break;
      }
    }
  }
}

function findUtf16Keys(buf: Buffer, from: number, to: number, fileOffset: number, hits: SecretHit[]): void {
  const nul = buf.indexOf(0, Math.max(0, from - 1));
  if (nul === -1 || nul > to + 16) return;
  for (let at = buf.indexOf(UTF16_LITERAL, from + 4); at !== -1 && at - 4 < to; at = buf.indexOf(UTF16_LITERAL, at + 1)) {
    const l = at - 4;
    if (l < from || !buf.subarray(l, l + 4).equals(UTF16_HEAD)) continue;
    // LE puts the ASCII byte of a char at an even offset and the zero byte after it; BE the
    // other way round. (For ASCII both read the same; only the reported position differs.)
    const littleEndian = (fileOffset + l) % 2 === 0;
    const companion = (pos: number) => buf[littleEndian ? pos + 1 : pos - 1];
    const chars: number[] = [];
    const previous = l - 2;
    const hasPrevious = previous >= 0 && companion(previous) === 0;
    chars.push(hasPrevious ? (buf[previous] as number) : 0x20);
    for (let pos = l; pos < buf.length && chars.length <= UTF16_WINDOW_CHARS; pos += 2) {
      if (companion(pos) !== 0) break;
      chars.push(buf[pos] as number);
    }
    const decoded = Buffer.from(chars);
    if (!hasLeftBoundary(decoded, 1)) continue;
    const match = matchKeyAt(decoded, 1);
    if (!match) continue;
    const start = littleEndian ? l : l - 1;
    hits.push(hitOf(match, littleEndian ? "utf16le" : "utf16be", start, start + (match.end - 1) * 2));
  }
}

function findBase64Keys(buf: Buffer, from: number, to: number, hits: SecretHit[]): void {
  for (const { literal, indexInQuad, prefixOffset } of BASE64_LITERALS) {
    for (let at = buf.indexOf(literal, from); at !== -1 && at < to; at = buf.indexOf(literal, at + 1)) {
      const quad = at - indexInQuad;
      if (quad < 0 || !allBase64(buf, quad, at)) continue;
      // Decode from one quad earlier when there is one, so the byte before `lmnfl_` is known.
      const begin = quad >= 4 && allBase64(buf, quad - 4, quad) ? quad - 4 : quad;
      const run = readBase64Run(buf, begin, BASE64_WINDOW_CHARS + (quad - begin));
      const usable = run.text.length - (run.text.length % 4 === 1 ? 1 : 0);
      const decoded = Buffer.from(run.text.slice(0, usable), "base64");
      const literalAt = ((quad - begin) / 4) * 3 + prefixOffset;
      if (literalAt < 0 || !hasLeftBoundary(decoded, literalAt)) continue;
      const match = matchKeyAt(decoded, literalAt);
      if (!match) continue;
      // A key that runs to the end of a run cut by a line break may go on past it.
      if (run.cut && match.end >= decoded.length - 2) match.partial = true;
      const startChar = Math.floor((match.start * 4) / 3);
      const endChar = Math.min(usable, Math.ceil((match.end * 4) / 3));
      hits.push(hitOf(match, "base64", run.offsets[startChar] as number, (run.offsets[endChar - 1] as number) + 1));
    }
  }
}

function allBase64(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isBase64Byte(buf[i])) return false;
  return true;
}
