import type { Confidence } from "../../types.js";
import { hasMixedClasses, shannonEntropy } from "./entropy.js";
import { DOCS_EXAMPLE, placeholderReason, type PlaceholderReason } from "./placeholder.js";

/**
 * The shape of a Lumenfall key: `lmnfl_`, key id `[A-Za-z0-9_]{3,64}`, `.`,
 * secret `[A-Za-z0-9_-]{16,256}`; or the dotless form, 24–256 chars of `[A-Za-z0-9_-]` with
 * entropy ≥ 3.5 and all three character classes. Matching runs on raw bytes from the position
 * of the `lmnfl_` literal, decoding percent (`%2E`) and backslash (`\u002e`, `\x2e`) escapes
 * on the way, so URL-encoded and JSON-escaped keys match too.
 */

export const KEY_PREFIX = "lmnfl_";
const PREFIX_LENGTH = KEY_PREFIX.length;
const ID_MIN = 3;
const ID_MAX = 64;
const SECRET_MIN = 16;
const SECRET_MAX = 256;
const DOTLESS_MIN = 24;
const DOTLESS_MAX = 256;
const DOTLESS_MIN_ENTROPY = 3.5;
/** Longest encoded key: every char of a maximal key written as a six-byte `\uXXXX` escape. */
export const MAX_ENCODED_KEY_BYTES = PREFIX_LENGTH + (ID_MAX + 1 + SECRET_MAX + 2) * 6;

/** A key match. Holds the full key: it never leaves the engine. */
export interface KeyMatch {
  keyId: string | null;
  secret: string;
  /** The full key, decoded. */
  key: string;
  /** Byte offsets of the written (possibly escaped) key in the searched buffer. */
  start: number;
  end: number;
  confidence: Confidence;
  escaped: boolean;
  placeholder: PlaceholderReason | null;
}

const enum Ascii {
  Percent = 0x25,
  Backslash = 0x5c,
  Dot = 0x2e,
  Dash = 0x2d,
  Underscore = 0x5f,
}

export function isIdByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === Ascii.Underscore;
}

function isSecretByte(b: number): boolean {
  return isIdByte(b) || b === Ascii.Dash;
}

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

function hexAt(buf: Uint8Array, at: number, digits: number): number {
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const h = hexValue(buf[at + i]);
    if (h < 0) return -1;
    value = value * 16 + h;
  }
  return value;
}

/** One logical character at `at`: a raw byte, or a `%XX`, `\xXX` or `\uXXXX` escape. */
function readChar(buf: Uint8Array, at: number, limit: number): { code: number; length: number } {
  const b = buf[at] ?? -1;
  if (b === Ascii.Percent && at + 2 < limit) {
    const code = hexAt(buf, at + 1, 2);
    if (code >= 0) return { code, length: 3 };
  } else if (b === Ascii.Backslash && at + 1 < limit) {
    const kind = buf[at + 1];
    if (kind === 0x75 /* u */ && at + 5 < limit) {
      const code = hexAt(buf, at + 2, 4);
      if (code >= 0) return { code, length: 6 };
    } else if (kind === 0x78 /* x */ && at + 3 < limit) {
      const code = hexAt(buf, at + 2, 2);
      if (code >= 0) return { code, length: 4 };
    }
  }
  return { code: b, length: 1 };
}

/** Reads the longest run of key characters from `at`, stopping after `max + 1` (too long). */
function readRun(buf: Uint8Array, at: number, limit: number, max: number, allowed: (b: number) => boolean) {
  let text = "";
  let pos = at;
  let escaped = false;
  while (pos < limit && text.length <= max) {
    const { code, length } = readChar(buf, pos, limit);
    if (!allowed(code)) break;
    text += String.fromCharCode(code);
    escaped ||= length > 1;
    pos += length;
  }
  return { text, end: pos, escaped };
}

/**
 * Left boundary: the byte before `lmnfl_` is not a key-id character, unless it ends
 * an escape — `%22`, `%3D`, `\n`, `\t`, `\u0022` — which is how keys sit in URLs and JSON.
 */
export function hasLeftBoundary(buf: Uint8Array, at: number): boolean {
  if (at === 0) return true;
  const before = buf[at - 1] as number;
  if (!isIdByte(before)) return true;
  if (at >= 3 && buf[at - 3] === Ascii.Percent && hexAt(buf, at - 2, 2) >= 0) return true;
  if (at >= 6 && buf[at - 6] === Ascii.Backslash && buf[at - 5] === 0x75 && hexAt(buf, at - 4, 4) >= 0) return true;
  if (at >= 4 && buf[at - 4] === Ascii.Backslash && buf[at - 3] === 0x78 && hexAt(buf, at - 2, 2) >= 0) return true;
  if (at >= 2 && buf[at - 2] === Ascii.Backslash && "nrtbfv0".includes(String.fromCharCode(before))) return true;
  return false;
}

/**
 * Matches a key whose `lmnfl_` literal starts at `at` (the left boundary is the caller's).
 * Returns null when the bytes there are not key-shaped at all; a placeholder is a match with
 * a `placeholder` reason.
 */
export function matchKeyAt(buf: Uint8Array, at: number, limit: number = buf.length): KeyMatch | null {
  const bodyStart = at + PREFIX_LENGTH;
  const run = readRun(buf, bodyStart, limit, Math.max(ID_MAX, DOTLESS_MAX), isSecretByte);
  const next = run.end < limit ? readChar(buf, run.end, limit) : { code: -1, length: 0 };

  if (next.code === Ascii.Dot) {
    // A run followed by `.` is the id of a dotted (or masked) key, never a dotless key.
    const keyId = run.text;
    if (keyId.length < ID_MIN || keyId.length > ID_MAX || keyId.includes("-")) return null;
    const secretRun = readRun(buf, run.end + next.length, limit, SECRET_MAX, isSecretByte);
    const secret = secretRun.text;
    // The guide's own example is recognised as written, although its secret is shorter than a key's.
    const docsExample = keyId === DOCS_EXAMPLE.keyId && secret === DOCS_EXAMPLE.secret;
    if ((secret.length < SECRET_MIN && !docsExample) || secret.length > SECRET_MAX) return null;
    const end = secretRun.end;
    return {
      keyId,
      secret,
      key: `${KEY_PREFIX}${keyId}.${secret}`,
      start: at,
      end,
      confidence: "high",
      escaped: run.escaped || next.length > 1 || secretRun.escaped,
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
    escaped: run.escaped,
    placeholder: placeholderReason(null, body, textAfter(buf, run.end, limit)),
  };
}

function textAfter(buf: Uint8Array, at: number, limit: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + at, Math.max(0, Math.min(4, limit - at))).toString("utf8");
}
