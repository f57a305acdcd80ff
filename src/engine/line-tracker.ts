import { isAscii } from "node:buffer";

/** How the text's characters are stored: UTF-8 (ASCII included), or UTF-16 in either byte order. */
export type TextLayout = "utf8" | "utf16le" | "utf16be";

/**
 * Turns byte offsets into 1-based lines and columns while a file streams past in chunks.
 * It only ever moves forward, and only counts when asked: a file without hits that fits in
 * one chunk is never counted at all. Columns are UTF-16 code units (SARIF's default).
 * A line ends at LF, CR LF or a CR alone, as editors (VS Code), SARIF viewers and JavaScript
 * count lines: `a\rb` is two lines, `a\r\r\nb` three. In UTF-16 text a line break is the code
 * unit U+000A or U+000D at a character boundary: a 0x0A byte inside another character (U+010A
 * is `0A 01` in little endian) is not one. UTF-16 columns are
 * counted by the caller from `lineStartAt` (two bytes a code unit).
 */
export class LineTracker {
  private line = 1;
  private pos: number;
  private unitsIntoLine = 0;
  private lineStartAt: number;
  /** The last unit counted was a CR (a LF right after it ends the same line break). */
  private crBefore = false;

  /** `start`: bytes at the start of the file that are not counted (a byte-order mark). */
  constructor(
    private readonly start = 0,
    private readonly layout: TextLayout = "utf8",
  ) {
    this.pos = start;
    this.lineStartAt = start;
  }

  /** Counts `window` (which starts at absolute offset `windowAt`) from the last position to `to`. */
  advance(window: Uint8Array, windowAt: number, to: number): void {
    if (to <= this.pos) return;
    const buf = Buffer.from(window.buffer, window.byteOffset, window.byteLength);
    const from = this.pos - windowAt;
    const end = to - windowAt;
    // The last byte of the last line break in the range (-1: none).
    let lastBreak = -1;
    let lf = buf.indexOf(10, from);
    let cr = buf.indexOf(13, from);
    while (true) {
      const i = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (i === -1 || i >= end) break;
      if (i === lf) lf = buf.indexOf(10, i + 1);
      else cr = buf.indexOf(13, i + 1);
      if (this.layout !== "utf8" && !this.isUtf16Unit(buf, windowAt, i)) continue;
      // CR LF is one line break; a CR alone is one too (as editors, SARIF viewers and JavaScript count).
      if (buf[i] === 13 || !this.afterCr(buf, i)) this.line++;
      lastBreak = this.layout === "utf16le" ? i + 1 : i;
    }
    if (lastBreak >= 0) {
      this.lineStartAt = windowAt + lastBreak + 1;
      this.unitsIntoLine = this.layout === "utf8" ? countUtf16Units(buf, lastBreak + 1, end) : 0;
    } else if (this.layout === "utf8") {
      this.unitsIntoLine += countUtf16Units(buf, from, end);
    }
    this.crBefore = end > 0 && this.unitEndsWithCr(buf, end);
    this.pos = Math.max(to, this.lineStartAt);
  }

  /** Whether the code unit ending at byte `end` (exclusive) is a CR; before the window, what was counted last. */
  private unitEndsWithCr(buf: Buffer, end: number): boolean {
    if (this.layout === "utf8") return buf[end - 1] === 13;
    if (end < 2) return this.crBefore;
    return this.layout === "utf16le" ? buf[end - 2] === 13 && buf[end - 1] === 0 : buf[end - 2] === 0 && buf[end - 1] === 13;
  }

  /** Whether the LF unit whose 0x0A byte is at `i` follows a CR unit. */
  private afterCr(buf: Buffer, i: number): boolean {
    const unitStart = this.layout === "utf16be" ? i - 1 : i;
    if (unitStart <= 0) return this.crBefore;
    return this.unitEndsWithCr(buf, unitStart);
  }

  /** The byte at `i` (0x0A or 0x0D) is the low byte of a code unit at a character boundary. */
  private isUtf16Unit(buf: Buffer, windowAt: number, i: number): boolean {
    const aligned = (windowAt + i - this.start) % 2 === (this.layout === "utf16le" ? 0 : 1);
    if (!aligned) return false;
    return this.layout === "utf16le" ? buf[i + 1] === 0 || i + 1 >= buf.length : i === 0 || buf[i - 1] === 0;
  }

  /** Line and column of absolute offset `at` (which must not be behind the last position). */
  locate(window: Uint8Array, windowAt: number, at: number): { line: number; column: number; lineStartAt: number } {
    this.advance(window, windowAt, at);
    return { line: this.line, column: this.unitsIntoLine + 1, lineStartAt: this.lineStartAt };
  }
}

/** UTF-16 code units of UTF-8 bytes, counted natively (ASCII, the common case, is one unit a byte). */
function countUtf16Units(buf: Buffer, from: number, to: number): number {
  if (to <= from) return 0;
  if (isAscii(buf.subarray(from, to))) return to - from;
  return buf.toString("utf8", from, to).length;
}

/**
 * The line breaks in UTF-8 bytes `[from, to)`, counted as {@link LineTracker} counts them (LF,
 * CR LF, a CR alone): how many, and the offset just past the last one (-1 when none).
 */
export function lineBreaksIn(buf: Uint8Array, from: number, to: number): { count: number; after: number } {
  let count = 0;
  let after = -1;
  for (let i = from; i < to; i++) {
    const byte = buf[i];
    if (byte === 13) {
      count++;
      after = buf[i + 1] === 10 && i + 1 < to ? ++i + 1 : i + 1;
    } else if (byte === 10) {
      count++;
      after = i + 1;
    }
  }
  return { count, after };
}

/** Where the line holding offset `at` starts in UTF-8 bytes: just past the nearest LF or CR before it (0 when none). */
export function lineStartBefore(buf: Uint8Array, at: number, floor = 0): number {
  for (let i = at - 1; i >= floor; i--) if (buf[i] === 10 || buf[i] === 13) return i + 1;
  return floor;
}

/** Where the line holding offset `at` ends in UTF-8 bytes: the next LF or CR from `at` (-1 when none before `limit`). */
export function lineEndAfter(buf: Uint8Array, at: number, limit = buf.length): number {
  for (let i = at; i < limit; i++) if (buf[i] === 10 || buf[i] === 13) return i;
  return -1;
}
