import { isAscii } from "node:buffer";

/** How the text's characters are stored: UTF-8 (ASCII included), or UTF-16 in either byte order. */
export type TextLayout = "utf8" | "utf16le" | "utf16be";

/**
 * Turns byte offsets into 1-based lines and columns while a file streams past in chunks.
 * It only ever moves forward, and only counts when asked: a file without hits that fits in
 * one chunk is never counted at all. Columns are UTF-16 code units (SARIF's default).
 * In UTF-16 text a line break is the code unit U+000A at a character boundary: a 0x0A byte
 * inside another character (U+010A is `0A 01` in little endian) is not one. UTF-16 columns are
 * counted by the caller from `lineStartAt` (two bytes a code unit).
 */
export class LineTracker {
  private line = 1;
  private pos: number;
  private unitsIntoLine = 0;
  private lineStartAt: number;

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
    let lastNewline = -1;
    for (let i = buf.indexOf(10, from); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) {
      if (this.layout !== "utf8" && !this.isUtf16LineBreak(buf, windowAt, i)) continue;
      this.line++;
      lastNewline = this.layout === "utf16le" ? i + 1 : i;
    }
    if (lastNewline >= 0) {
      this.lineStartAt = windowAt + lastNewline + 1;
      this.unitsIntoLine = this.layout === "utf8" ? countUtf16Units(buf, lastNewline + 1, end) : 0;
    } else if (this.layout === "utf8") {
      this.unitsIntoLine += countUtf16Units(buf, from, end);
    }
    this.pos = Math.max(to, this.lineStartAt);
  }

  /** The 0x0A byte at `i` is the low byte of a U+000A code unit at a character boundary. */
  private isUtf16LineBreak(buf: Buffer, windowAt: number, i: number): boolean {
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
