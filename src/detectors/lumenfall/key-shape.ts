import type { Confidence } from "../../types.js";
import { isKeyByte, continuesAfter, joinAt, type JoinStyle } from "./continuations.js";
import { hasMixedClasses, shannonEntropy } from "./entropy.js";
import { escapeEndsAt, MAX_ESCAPE_BYTES, readChar, type Char } from "./escapes.js";
import { DOCS_EXAMPLE, placeholderReason, type PlaceholderReason } from "./placeholder.js";

/**
 * The shape of a Lumenfall key: `lmnfl_`, key id `[A-Za-z0-9_]{3,64}`, `.`,
 * secret `[A-Za-z0-9_-]{16,256}`; or the dotless form, 24–256 chars of `[A-Za-z0-9_-]` with
 * entropy ≥ 3.5 and all three character classes. Matching runs on raw bytes from the position
 * of the `lmnfl_` literal (written plain or escaped), decoding escapes on the way (escapes.ts:
 * percent, backslash, HTML references), and following a key split across lines or string
 * literals (continuations.ts): joined where the pieces join for sure, marked partial where
 * they visibly go on but cannot be joined.
 */

export const KEY_PREFIX = "lmnfl_";
const ID_MIN = 3;
const ID_MAX = 64;
const SECRET_MIN = 16;
const SECRET_MAX = 256;
const DOTLESS_MIN = 24;
const DOTLESS_MAX = 256;
const DOTLESS_MIN_ENTROPY = 3.5;
/** Bytes a key may spend on joins between its pieces (line breaks, quotes, indentation). */
const JOIN_BYTES = 1024;
/** Longest encoded key: every char of a maximal key written as the longest escape, and its joins. */
export const MAX_ENCODED_KEY_BYTES = (KEY_PREFIX.length + ID_MAX + 1 + SECRET_MAX + 2) * MAX_ESCAPE_BYTES + JOIN_BYTES;

/** A key match. Holds the full key: it never leaves the engine. */
export interface KeyMatch {
  keyId: string | null;
  secret: string;
  /** The full key, decoded (for a partial match: the part that was found). */
  key: string;
  /** Byte offsets of the written (possibly escaped, possibly split) key in the searched buffer. */
  start: number;
  end: number;
  confidence: Confidence;
  escaped: boolean;
  /** The key goes on past `end` in a way that could not be joined: only a fragment was found. */
  partial: boolean;
  placeholder: PlaceholderReason | null;
}

const DOT = 0x2e;
const NO_JOINS: JoinStyle = { yaml: false, adjacent: false, dotConcat: false };

export function isIdByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f;
}

/** The next key character at `at`, through a join when one starts there (the join's bytes count in `length`). */
function readKeyChar(buf: Uint8Array, at: number, limit: number, style: JoinStyle): Char & { joined: boolean } {
  const join = joinAt(buf, at, limit, style);
  if (join > 0) {
    const after = readChar(buf, at + join, limit);
    if (after.code !== -1 && (isKeyByte(after.code) || after.code === DOT)) return { code: after.code, length: join + after.length, joined: true };
  }
  return { ...readChar(buf, at, limit), joined: false };
}

/** Reads the longest run of key characters from `at`, stopping after `max + 1` (too long). */
function readRun(buf: Uint8Array, at: number, limit: number, max: number, allowed: (b: number) => boolean, style: JoinStyle) {
  let text = "";
  let pos = at;
  let escaped = false;
  while (pos < limit && text.length <= max) {
    const { code, length, joined } = readKeyChar(buf, pos, limit, style);
    if (!allowed(code)) break;
    text += String.fromCharCode(code);
    escaped ||= length > 1 && !joined;
    pos += length;
  }
  return { text, end: pos, escaped };
}

/**
 * Left boundary: the byte before `lmnfl_` is not a key-id character, unless it ends
 * an escape — `%22`, `%3D`, `\n`, `\t`, `\u0022`, `\042` — which is how keys sit in URLs and JSON.
 */
export function hasLeftBoundary(buf: Uint8Array, at: number): boolean {
  if (at === 0) return true;
  return !isIdByte(buf[at - 1] as number) || escapeEndsAt(buf, at);
}

/** Bytes of `lmnfl_` written at `at` (plain or with escaped characters), or 0 when it is not there. */
export function prefixLength(buf: Uint8Array, at: number, limit: number): number {
  let pos = at;
  for (let i = 0; i < KEY_PREFIX.length; i++) {
    const char = readChar(buf, pos, limit);
    if (char.code !== KEY_PREFIX.charCodeAt(i)) return 0;
    pos += char.length;
  }
  return pos - at;
}

/**
 * Matches a key whose `lmnfl_` starts at `at` (the left boundary is the caller's). Returns null
 * when the bytes there are not key-shaped at all; a placeholder is a match with a `placeholder`
 * reason. `style`: how strings continue in the file (continuations.ts).
 */
export function matchKeyAt(buf: Uint8Array, at: number, limit: number = buf.length, style: JoinStyle = NO_JOINS): KeyMatch | null {
  const prefix = prefixLength(buf, at, limit);
  if (prefix === 0) return null;
  const bodyStart = at + prefix;
  const run = readRun(buf, bodyStart, limit, Math.max(ID_MAX, DOTLESS_MAX), isKeyByte, style);
  const next = run.end < limit ? readKeyChar(buf, run.end, limit, style) : { code: -1, length: 0, joined: false };
  const prefixEscaped = prefix > KEY_PREFIX.length;

  if (next.code === DOT) {
    // A run followed by `.` is the id of a dotted (or masked) key, never a dotless key.
    const keyId = run.text;
    if (keyId.length < ID_MIN || keyId.length > ID_MAX || keyId.includes("-")) return null;
    const secretRun = readRun(buf, run.end + next.length, limit, SECRET_MAX, isKeyByte, style);
    const secret = secretRun.text;
    // The guide's own example is recognised as written, although its secret is shorter than a key's.
    const docsExample = keyId === DOCS_EXAMPLE.keyId && secret === DOCS_EXAMPLE.secret;
    if ((secret.length < SECRET_MIN && !docsExample) || secret.length > SECRET_MAX) return null;
    const end = secretRun.end;
    const partial = continuesAfter(buf, end, limit, style);
    return {
      keyId,
      secret,
      key: `${KEY_PREFIX}${keyId}.${secret}`,
      start: at,
      end,
      confidence: "high",
      escaped: prefixEscaped || run.escaped || (next.length > 1 && !next.joined) || secretRun.escaped,
      partial,
      placeholder: placeholderReason(keyId, secret, textAfter(buf, end, limit)),
    };
  }

  const body = run.text;
  if (body.length < DOTLESS_MIN || body.length > DOTLESS_MAX) return null;
  if (shannonEntropy(body) < DOTLESS_MIN_ENTROPY || !hasMixedClasses(body)) return null;
  return {
    keyId: null,
    secret: body,
    key: `${KEY_PREFIX}${body}`,
    start: at,
    end: run.end,
    confidence: "medium",
    escaped: prefixEscaped || run.escaped,
    partial: continuesAfter(buf, run.end, limit, style),
    placeholder: placeholderReason(null, body, textAfter(buf, run.end, limit)),
  };
}

/** Enough of what follows a match to see a mask and what comes after it (`…wxyz`). */
function textAfter(buf: Uint8Array, at: number, limit: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + at, Math.max(0, Math.min(16, limit - at))).toString("utf8");
}

