import { isAscii } from "node:buffer";

/**
 * Turns byte offsets into 1-based lines and columns while a file streams past in chunks.
 * It only ever moves forward, and only counts when asked: a file without hits that fits in
 * one chunk is never counted at all. Columns are UTF-16 code units (SARIF's default).
 */
export class LineTracker {
  private line = 1;
  private pos: number;
  private unitsIntoLine = 0;
  private lineStartAt: number;

  /** `start`: bytes at the start of the file that are not counted (a byte-order mark). */
  constructor(start = 0) {
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
      this.line++;
      lastNewline = i;
    }
    if (lastNewline >= 0) {
      this.lineStartAt = windowAt + lastNewline + 1;
      this.unitsIntoLine = countUtf16Units(buf, lastNewline + 1, end);
    } else {
      this.unitsIntoLine += countUtf16Units(buf, from, end);
    }
    this.pos = to;
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
