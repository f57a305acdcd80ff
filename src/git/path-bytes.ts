/**
 * File names are bytes. git and Linux allow any byte but `/` and NUL in a name, so a name need
 * not be valid UTF-8 (`config\xff.py`, a Latin-1 name from an old archive). Decoded as UTF-8, such
 * a name turns into U+FFFD, which names no file: opened by that text the file is "missing", and
 * a scan that lists it passes it in silence. So a name is kept two ways:
 *
 * - its text, for reports, globs and baselines: the UTF-8 name when the bytes are valid UTF-8
 *   (https://www.unicode.org/versions/latest/core-spec/chapter-3/ table 3-7, as `TextDecoder`
 *   with `fatal: true` decides); otherwise each byte outside a well-formed sequence is written
 *   `\xNN` and each backslash `\\`, so that the text is lossless and says which bytes they are;
 * - its bytes, to open it by, for the names whose text is escaped.
 */

/** The report text of a name given as bytes (see the module comment). */
export function nameOfBytes(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buffer.toString("utf8");
  // Decoding replaced something, or the name holds U+FFFD itself: only the second round-trips.
  if (!text.includes("\uFFFD") || Buffer.from(text, "utf8").equals(buffer)) return text;
  let escaped = "";
  for (let at = 0; at < buffer.length; ) {
    const length = sequenceLength(buffer, at);
    if (length === 0) {
      escaped += `\\x${buffer[at]!.toString(16).padStart(2, "0")}`;
      at++;
      continue;
    }
    const char = buffer.toString("utf8", at, at + length);
    escaped += char === "\\" ? "\\\\" : char;
    at += length;
  }
  return escaped;
}

/** The length of the well-formed UTF-8 sequence at `at`, or 0 when the byte there starts none. */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  // [sequence length, lowest and highest second byte]: table 3-7 of the Unicode standard.
  const shape: [number, number, number] | null =
    lead >= 0xc2 && lead <= 0xdf ? [2, 0x80, 0xbf]
    : lead === 0xe0 ? [3, 0xa0, 0xbf]
    : (lead >= 0xe1 && lead <= 0xec) || lead === 0xee || lead === 0xef ? [3, 0x80, 0xbf]
    : lead === 0xed ? [3, 0x80, 0x9f]
    : lead === 0xf0 ? [4, 0x90, 0xbf]
    : lead >= 0xf1 && lead <= 0xf3 ? [4, 0x80, 0xbf]
    : lead === 0xf4 ? [4, 0x80, 0x8f]
    : null;
  if (shape === null) return 0;
  const [length, low, high] = shape;
  if (at + length > bytes.length) return 0;
  const second = bytes[at + 1]!;
  if (second < low || second > high) return 0;
  for (let next = at + 2; next < at + length; next++) if ((bytes[next]! & 0xc0) !== 0x80) return 0;
  return length;
}
