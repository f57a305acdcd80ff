/**
 * Reading a run of base64 that may be wrapped. Tools wrap base64 at a fixed width — GNU
 * `base64` at 76 columns, `openssl base64` and PEM at 64 (RFC 7468 §2,
 * https://www.rfc-editor.org/rfc/rfc7468#section-2), MIME at 76 (RFC 2045 §6.8) — so a key
 * encoded near the end of a line goes on at the start of the next. A run is followed across a
 * line break when the line it breaks is base64 alone (after its indentation), a whole number of
 * quads long, and the next line, at the same indentation, is base64 no longer than it: the
 * wrapped lines are then joined, and decoded as one. A run cut by a line break that is not such a
 * wrap, where the next line still starts with base64, is `cut`: what it decodes to may be a
 * fragment. A next line that holds more than base64 (a YAML map's next `NAME: value`) is no
 * continuation, and the run is not cut.
 */
export interface Base64Run {
  /** The base64 characters, line breaks and indentation left out. */
  text: string;
  /** For each character of `text`, its byte offset in the buffer. */
  offsets: Int32Array;
  /** The run ended at a line break after which base64 goes on, and it was not joined. */
  cut: boolean;
}

export function isBase64Byte(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2f || b === 0x2d || b === 0x5f);
}

/** Wrapped lines shorter than this are not taken for a wrap. */
const MIN_WRAP_WIDTH = 16;

function isBlank(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09;
}

/** Bytes of a line break at `at`, or 0. */
function lineBreak(buf: Buffer, at: number): number {
  if (buf[at] === 0x0a) return 1;
  if (buf[at] === 0x0d && buf[at + 1] === 0x0a) return 2;
  return 0;
}

/** The base64 part of the line that ends at `end` (a line break): its start, or -1 when the line holds more than base64 after its indentation. */
function base64LineStart(buf: Buffer, end: number): { start: number; indent: number } | null {
  let start = end;
  while (start > 0 && isBase64Byte(buf[start - 1])) start--;
  let lineStart = start;
  while (lineStart > 0 && isBlank(buf[lineStart - 1])) lineStart--;
  if (lineStart > 0 && buf[lineStart - 1] !== 0x0a) return null;
  return { start, indent: start - lineStart };
}

/** Where the base64 of the line after a break continues, when it is a wrap of the line before. */
function wrapContinuation(buf: Buffer, lineEnd: number): number {
  const line = base64LineStart(buf, lineEnd);
  if (!line) return -1;
  const width = lineEnd - line.start;
  if (width < MIN_WRAP_WIDTH || width % 4 !== 0) return -1;
  const next = lineEnd + lineBreak(buf, lineEnd);
  let at = next;
  while (at < buf.length && isBlank(buf[at])) at++;
  if (at - next !== line.indent) return -1;
  let end = at;
  while (end < buf.length && isBase64Byte(buf[end])) end++;
  while (buf[end] === 0x3d /* = */) end++;
  if (end === at || end - at > width) return -1;
  const after = buf[end];
  return after === undefined || lineBreak(buf, end) > 0 ? at : -1;
}

/**
 * Whether the line from `at` could be the rest of a base64 run broken off the line before: base64
 * (with its `=` padding), then nothing but closing quotes, brackets, separators or blanks up to
 * the line's end. A line such as `DATABASE_HOST: dXNh…` (the next entry of a YAML map, whose name
 * is made of base64 letters) is not.
 */
function continuesAsBase64(buf: Buffer, at: number): boolean {
  let end = at;
  while (end < buf.length && isBase64Byte(buf[end])) end++;
  if (end === at) return false;
  while (buf[end] === 0x3d /* = */) end++;
  while (end < buf.length && lineBreak(buf, end) === 0) {
    const b = buf[end]!;
    // blank, " ' ` , ; ) ] } >
    if (!(isBlank(b) || b === 0x22 || b === 0x27 || b === 0x60 || b === 0x2c || b === 0x3b || b === 0x29 || b === 0x5d || b === 0x7d || b === 0x3e)) return false;
    end++;
  }
  return true;
}

/** The run of base64 from `begin`, at most `maxChars` characters, followed across wraps. */
export function readBase64Run(buf: Buffer, begin: number, maxChars: number): Base64Run {
  const offsets = new Int32Array(maxChars);
  let text = "";
  let at = begin;
  let cut = false;
  while (text.length < maxChars && at < buf.length) {
    const b = buf[at];
    if (isBase64Byte(b)) {
      offsets[text.length] = at;
      text += String.fromCharCode(b as number);
      at++;
      continue;
    }
    if (lineBreak(buf, at) === 0) break;
    const next = wrapContinuation(buf, at);
    if (next === -1) {
      let after = at + lineBreak(buf, at);
      while (after < buf.length && isBlank(buf[after])) after++;
      cut = continuesAsBase64(buf, after);
      break;
    }
    at = next;
  }
  return { text, offsets: offsets.subarray(0, text.length), cut };
}
