/**
 * One logical character of a key as written, decoded from the escapes keys are found in:
 * - percent-encoding (RFC 3986 §2.1, https://www.rfc-editor.org/rfc/rfc3986#section-2.1):
 *   `%2E`, either case; one extra level of encoding is followed too — the `%` itself encoded
 *   (`%252E`, a URL encoded twice) or its hex digits encoded (`%2%45`, an encoder that escaped
 *   the letters of an escape it had already written);
 * - backslash escapes of JSON and JavaScript (https://tc39.es/ecma262/#sec-literals-string-literals):
 *   `\u002e`, `\u{2e}`, `\x2e`, and the three-digit octal escapes of C, Python and sloppy-mode
 *   JavaScript (`\056`);
 * - HTML character references (https://html.spec.whatwg.org/multipage/syntax.html#character-references):
 *   `&#46;`, `&#x2e;`, and the named ones for the key's punctuation: `&period;` (`.`),
 *   `&lowbar;` and `&UnderBar;` (`_`).
 * Anything else is the byte itself.
 */

/** The longest escape read for one character, in bytes (`&#0000046;`, `%25%32%45`…). */
export const MAX_ESCAPE_BYTES = 12;

const enum Ascii {
  Percent = 0x25,
  Backslash = 0x5c,
  Ampersand = 0x26,
  Hash = 0x23,
  Semicolon = 0x3b,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

/** A character and how many bytes it took. */
export interface Char {
  code: number;
  length: number;
}

export function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

export function hexAt(buf: Uint8Array, at: number, digits: number): number {
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const h = hexValue(buf[at + i]);
    if (h < 0) return -1;
    value = value * 16 + h;
  }
  return value;
}

function isOctal(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x37;
}

/** One hex digit at `at`: raw, or itself percent-encoded (`%45` for `E`). */
function hexDigit(buf: Uint8Array, at: number, limit: number): { value: number; length: number } | null {
  if (at >= limit) return null;
  const raw = hexValue(buf[at]);
  if (raw >= 0) return { value: raw, length: 1 };
  if (buf[at] === Ascii.Percent && at + 2 < limit) {
    const inner = hexValue(hexAt(buf, at + 1, 2));
    if (inner >= 0) return { value: inner, length: 3 };
  }
  return null;
}

/** `%XX`, with the digits raw or encoded, and `%25XX` (the percent sign encoded). */
function percentChar(buf: Uint8Array, at: number, limit: number): Char | null {
  const high = hexDigit(buf, at + 1, limit);
  if (!high) return null;
  const low = hexDigit(buf, at + 1 + high.length, limit);
  if (!low) return null;
  const code = high.value * 16 + low.value;
  const length = 1 + high.length + low.length;
  if (code === Ascii.Percent && length === 3) {
    // `%25` then two digits: a URL encoded twice (`%252E`).
    const high2 = hexDigit(buf, at + 3, limit);
    const low2 = high2 ? hexDigit(buf, at + 3 + high2.length, limit) : null;
    if (high2 && low2) return { code: high2.value * 16 + low2.value, length: 3 + high2.length + low2.length };
  }
  return { code, length };
}

function backslashChar(buf: Uint8Array, at: number, limit: number): Char | null {
  const kind = buf[at + 1];
  if (kind === 0x75 /* u */) {
    if (buf[at + 2] === Ascii.OpenBrace) {
      let value = 0;
      let i = at + 3;
      for (; i < limit && i < at + 3 + 6 && hexValue(buf[i]) >= 0; i++) value = value * 16 + hexValue(buf[i]);
      if (i > at + 3 && i < limit && buf[i] === Ascii.CloseBrace) return { code: value, length: i + 1 - at };
      return null;
    }
    if (at + 5 < limit) {
      const code = hexAt(buf, at + 2, 4);
      if (code >= 0) return { code, length: 6 };
    }
    return null;
  }
  if (kind === 0x78 /* x */ && at + 3 < limit) {
    const code = hexAt(buf, at + 2, 2);
    return code >= 0 ? { code, length: 4 } : null;
  }
  if (at + 3 < limit && isOctal(kind) && (kind as number) <= 0x33 && isOctal(buf[at + 2]) && isOctal(buf[at + 3])) {
    return { code: ((kind as number) - 0x30) * 64 + ((buf[at + 2] as number) - 0x30) * 8 + ((buf[at + 3] as number) - 0x30), length: 4 };
  }
  return null;
}

const NAMED: ReadonlyArray<readonly [string, number]> = [
  ["period;", 0x2e],
  ["lowbar;", 0x5f],
  ["UnderBar;", 0x5f],
];

function entityChar(buf: Uint8Array, at: number, limit: number): Char | null {
  if (buf[at + 1] === Ascii.Hash) {
    const hex = buf[at + 2] === 0x78 || buf[at + 2] === 0x58; /* x X */
    let i = at + (hex ? 3 : 2);
    const first = i;
    let value = 0;
    for (; i < limit && i < first + 7; i++) {
      const digit = hex ? hexValue(buf[i]) : (buf[i] as number) >= 0x30 && (buf[i] as number) <= 0x39 ? (buf[i] as number) - 0x30 : -1;
      if (digit < 0) break;
      value = value * (hex ? 16 : 10) + digit;
    }
    if (i > first && i < limit && buf[i] === Ascii.Semicolon) return { code: value, length: i + 1 - at };
    return null;
  }
  for (const [name, code] of NAMED) {
    if (at + 1 + name.length > limit) continue;
    let same = true;
    for (let i = 0; i < name.length && same; i++) same = buf[at + 1 + i] === name.charCodeAt(i);
    if (same) return { code, length: 1 + name.length };
  }
  return null;
}

/** The character at `at`: an escape when one starts there, else the byte itself (-1 past the end). */
export function readChar(buf: Uint8Array, at: number, limit: number): Char {
  const b = at < limit ? (buf[at] as number) : -1;
  let escaped: Char | null = null;
  if (b === Ascii.Percent) escaped = percentChar(buf, at, limit);
  else if (b === Ascii.Backslash && at + 1 < limit) escaped = backslashChar(buf, at, limit);
  else if (b === Ascii.Ampersand) escaped = entityChar(buf, at, limit);
  return escaped ?? { code: b, length: b === -1 ? 0 : 1 };
}

/**
 * Whether an escape ends right before `at` (so that `lmnfl_` there has a left boundary: keys sit
 * after `%22`, `%3D`, `\u0022`, `\x22`, `\042`, `\n` in URLs, JSON and string literals).
 */
export function escapeEndsAt(buf: Uint8Array, at: number): boolean {
  const before = buf[at - 1] as number;
  if (at >= 3 && buf[at - 3] === Ascii.Percent && hexAt(buf, at - 2, 2) >= 0) return true;
  if (at >= 6 && buf[at - 6] === Ascii.Backslash && buf[at - 5] === 0x75 && hexAt(buf, at - 4, 4) >= 0) return true;
  if (at >= 4 && buf[at - 4] === Ascii.Backslash && buf[at - 3] === 0x78 && hexAt(buf, at - 2, 2) >= 0) return true;
  if (at >= 4 && buf[at - 4] === Ascii.Backslash && isOctal(buf[at - 3]) && isOctal(buf[at - 2]) && isOctal(before)) return true;
  if (at >= 2 && buf[at - 2] === Ascii.Backslash && "nrtbfv0".includes(String.fromCharCode(before))) return true;
  return false;
}
