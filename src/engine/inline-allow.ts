import type { CommentSyntax } from "./comment-syntax.js";

/**
 * Inline suppression: `lumenguard-allow` inside a comment, in the comment syntax of the file's
 * type (comment-syntax.ts) — never inside a string, and never in a file type without comments
 * (JSON). Text after `lumenguard-allow:` is the reason, kept in the report.
 *
 * Which finding a marker covers (allow-scope.ts decides, per rule):
 * - a marker on a line that also holds code covers the nearest finding before it on that line,
 *   or, when there is none, the nearest one after it;
 * - a marker on a line that is a comment alone (trimmed, it starts with a comment opener, or
 *   with `*` inside a block comment, and holds no code) covers the first finding on the next line.
 *
 * A line is read on its own: a string or block comment that began on an earlier line is not
 * followed. Near a secret found in a large file, only {@link REACH} bytes on either side are
 * read, so a minified megabyte line costs nothing extra.
 */
export const ALLOW_MARKER = "lumenguard-allow";
const MARKER_BYTES = Buffer.from(ALLOW_MARKER, "latin1");
/** Bytes read on either side of a secret for its line and the line before. */
export const REACH = 64 << 10;
const MAX_REASON = 200;

/** One `lumenguard-allow` marker inside a comment. */
export interface AllowMarker {
  /** 1-based line. */
  line: number;
  /** 1-based column of the marker's first character, in UTF-16 code units. */
  column: number;
  /** Its line is a comment alone: the marker speaks for the next line. */
  alone: boolean;
  /** The text after `lumenguard-allow:`, scrubbed of anything secret-shaped. */
  reason?: string;
}

type Scrub = (text: string) => string;

/** Every marker of a whole file's text (its byte-order mark already removed). */
export function markersInText(text: string, syntax: CommentSyntax | null, scrub: Scrub): AllowMarker[] {
  if (syntax === null || !text.includes(ALLOW_MARKER)) return [];
  const markers: AllowMarker[] = [];
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf(ALLOW_MARKER); at !== -1; at = text.indexOf(ALLOW_MARKER, at + 1)) {
    // Only lines holding a marker are split out and read.
    for (let nl = text.indexOf("\n", lineStart); nl !== -1 && nl < at; nl = text.indexOf("\n", lineStart)) {
      line++;
      lineStart = nl + 1;
    }
    let lineEnd = text.indexOf("\n", at);
    if (lineEnd === -1) lineEnd = text.length;
    const found = markersOfLine(text.slice(lineStart, lineEnd), syntax, false, scrub).filter((marker) => marker.index === at - lineStart);
    for (const marker of found) markers.push(toMarker(marker, line, 1));
  }
  return markers;
}

/** Where a secret sits in the buffer being scanned. */
export interface SecretPlace {
  /** Byte offsets of the secret in `buf`. */
  start: number;
  end: number;
  line: number;
  column: number;
  /** Where the secret's line starts in `buf`; negative when it began before `buf`. */
  lineStart: number;
  /** Where the file's text starts in `buf` when `buf` holds the file's start (after a byte-order mark); else null. */
  fileStart: number | null;
}

/**
 * The markers on a secret's line and on the line before it, read from the bytes around it
 * (UTF-8 text). Lines longer than {@link REACH} are read from `REACH` bytes before the secret,
 * and such a partial line never counts as a comment alone.
 */
export function markersNear(buf: Buffer, place: SecretPlace, syntax: CommentSyntax | null, scrub: Scrub): AllowMarker[] {
  if (syntax === null) return [];
  const { start, end } = place;
  let lineEnd = buf.indexOf(10, end);
  if (lineEnd === -1 || lineEnd > end + REACH) lineEnd = Math.min(buf.length, end + REACH);
  const exact = place.lineStart >= 0 && start - place.lineStart <= REACH;
  const segmentStart = exact ? place.lineStart : charBoundary(buf, Math.max(0, start - REACH));
  const previous = exact ? previousLineStart(buf, place.lineStart, place.fileStart) : null;
  const from = previous ?? segmentStart;
  if (buf.subarray(from, lineEnd).indexOf(MARKER_BYTES) === -1) return [];
  const markers: AllowMarker[] = [];
  const text = buf.toString("utf8", segmentStart, lineEnd);
  const firstColumn = exact ? 1 : place.column - buf.toString("utf8", segmentStart, start).length;
  for (const marker of markersOfLine(text, syntax, !exact, scrub)) markers.push(toMarker(marker, place.line, firstColumn));
  if (previous !== null) {
    const before = buf.toString("utf8", previous, place.lineStart - 1);
    for (const marker of markersOfLine(before, syntax, false, scrub)) markers.push(toMarker(marker, place.line - 1, 1));
  }
  return markers;
}

/** Where the line before the one starting at `lineStart` starts, when it is within reach. */
function previousLineStart(buf: Buffer, lineStart: number, fileStart: number | null): number | null {
  if (lineStart === 0 || lineStart === fileStart) return null;
  // A negative offset would make lastIndexOf count from the end.
  const newline = lineStart >= 2 ? buf.lastIndexOf(10, lineStart - 2) : -1;
  if (newline !== -1) return lineStart - 1 - (newline + 1) <= REACH ? newline + 1 : null;
  if (fileStart !== null && lineStart - 1 - fileStart <= REACH) return fileStart;
  return null;
}

/** The first offset at or after `at` that starts a UTF-8 character. */
function charBoundary(buf: Buffer, at: number): number {
  let offset = at;
  while (offset < buf.length && ((buf[offset] as number) & 0xc0) === 0x80) offset++;
  return offset;
}

interface LineMarker {
  /** UTF-16 index of the marker in the line. */
  index: number;
  alone: boolean;
  reason: string | undefined;
}

function toMarker(found: LineMarker, line: number, firstColumn: number): AllowMarker {
  const marker: AllowMarker = { line, column: firstColumn + found.index, alone: found.alone };
  if (found.reason) marker.reason = found.reason;
  return marker;
}

/**
 * The markers inside comments of one line. `partial`: the text is the tail of a longer line, so
 * it is read from a point whose state is unknown (taken as code), and it is never a comment alone.
 */
export function markersOfLine(line: string, syntax: CommentSyntax, partial: boolean, scrub: Scrub): LineMarker[] {
  if (!line.includes(ALLOW_MARKER)) return [];
  const { comments, code } = commentsOf(line, syntax, !partial && continuesBlock(line, syntax));
  const alone = !partial && !code && comments.length > 0;
  const markers: LineMarker[] = [];
  for (const [from, to] of comments) {
    for (let at = line.indexOf(ALLOW_MARKER, from); at !== -1 && at + ALLOW_MARKER.length <= to; at = line.indexOf(ALLOW_MARKER, at + 1)) {
      markers.push({ index: at, alone, reason: reasonOf(line.slice(at + ALLOW_MARKER.length, to), syntax, scrub) });
    }
  }
  return markers;
}

/** ` * text` inside a `/* … *\/` block: the line is comment from its start. */
function continuesBlock(line: string, syntax: CommentSyntax): boolean {
  const trimmed = line.trimStart();
  return trimmed.startsWith("*") && !trimmed.startsWith("*/") && syntax.block.some(([open]) => open === "/*");
}

/**
 * The comments of one line, as [from, to) UTF-16 ranges, and whether anything else than
 * whitespace and comments is on it. Strings are skipped whole (a backslash escapes), so a
 * comment opener inside a string opens nothing.
 */
function commentsOf(line: string, syntax: CommentSyntax, inBlock: boolean): { comments: Array<[number, number]>; code: boolean } {
  const comments: Array<[number, number]> = [];
  let code = false;
  let at = 0;
  if (inBlock) {
    const close = line.indexOf("*/");
    at = close === -1 ? line.length : close + 2;
    comments.push([0, at]);
  }
  while (at < line.length) {
    const char = line[at] as string;
    if (syntax.quotes.includes(char)) {
      code = true;
      at++;
      while (at < line.length && line[at] !== char) at += line[at] === "\\" ? 2 : 1;
      at++;
      continue;
    }
    // Block openers first: Lua's `--[[` also starts with the line opener `--`.
    const block = syntax.block.find(([open]) => line.startsWith(open, at));
    if (block) {
      const close = line.indexOf(block[1], at + block[0].length);
      const end = close === -1 ? line.length : close + block[1].length;
      comments.push([at, end]);
      at = end;
      continue;
    }
    if (syntax.line.some((open) => line.startsWith(open, at))) {
      comments.push([at, line.length]);
      break;
    }
    if (char !== " " && char !== "\t" && char !== "\r" && char !== "\uFEFF") code = true;
    at++;
  }
  return { comments, code };
}

function reasonOf(rest: string, syntax: CommentSyntax, scrub: Scrub): string | undefined {
  const match = /^\s*:\s*(.*)$/s.exec(rest);
  if (!match) return undefined;
  let reason = match[1] ?? "";
  for (const [, close] of syntax.block) if (reason.endsWith(close)) reason = reason.slice(0, -close.length);
  reason = reason.trim().slice(0, MAX_REASON);
  return reason ? scrub(reason) : undefined;
}
