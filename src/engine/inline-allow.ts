import { lineEndAfter } from "./line-tracker.js";
import { CODE, lexLines, type LexedLine, type LineComment, type LexState } from "./comment-lexer.js";
import type { CommentSyntax } from "./comment-syntax.js";

/**
 * Inline suppression: `lumenguard-allow` starting a comment, in the comment syntax of the file's
 * type (comment-syntax.ts, comment-lexer.ts) — never inside a string, a URL, a word or a markup
 * attribute, and never in a file type without comments (JSON). As with ESLint's directive
 * comments (https://eslint.org/docs/latest/use/configure/rules#using-configuration-comments-1),
 * the marker is the first word of the comment (of its line, inside a block comment that runs
 * over lines) and a whole word: `// NOT lumenguard-allow` and `# lumenguard-allowlist` are not
 * markers. Text after `lumenguard-allow:` is the reason, kept in the report.
 *
 * Which secret a marker covers is decided in allow-scope.ts. A marker on a line that is a comment
 * alone (nothing but white space and comments on it) speaks for the next line.
 *
 * A file that arrives whole is read from its start, so strings and block comments that run
 * over lines are followed. Near a secret found in a file read in chunks, only the secret's line
 * and the line before are read, each on its own, and only {@link REACH} bytes on either side of
 * the secret, so a minified megabyte line costs nothing extra.
 */
export const ALLOW_MARKER = "lumenguard-allow";
const MARKER_BYTES = Buffer.from(ALLOW_MARKER, "latin1");
/** Bytes read on either side of a secret for its line and the line before. */
export const REACH = 64 << 10;
const MAX_REASON = 200;

/** One `lumenguard-allow` marker starting a comment. */
export interface AllowMarker {
  /** 1-based line. */
  line: number;
  /** 1-based column of the marker's first character, in UTF-16 code units. */
  column: number;
  /** 1-based column just after the comment (on the marker's line), in UTF-16 code units. */
  endColumn: number;
  /** Its line is a comment alone: the marker speaks for the next line. */
  alone: boolean;
  /** The text after `lumenguard-allow:`, scrubbed of anything secret-shaped. */
  reason?: string;
}

type Scrub = (text: string) => string;

/** Whether bytes hold the marker at all (most files do not: nothing is lexed). */
export function holdsMarker(bytes: Buffer): boolean {
  return bytes.indexOf(MARKER_BYTES) !== -1;
}

/** Every marker of a whole file's text (its byte-order mark already removed), read from its start. */
export function markersInText(text: string, syntax: CommentSyntax | null, scrub: Scrub): AllowMarker[] {
  if (syntax === null || !text.includes(ALLOW_MARKER)) return [];
  const markers: AllowMarker[] = [];
  let next = text.indexOf(ALLOW_MARKER);
  const wanted = (start: number, end: number) => {
    while (next !== -1 && next < start) next = text.indexOf(ALLOW_MARKER, next + 1);
    return next !== -1 && next < end;
  };
  lexLines(text, syntax, wanted, (line) => markers.push(...markersOfLine(text, line, syntax, line.index + 1, 1, false, scrub)));
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
 * (UTF-8 text), each line on its own from code (or from inside a block comment, for a line that
 * starts with `*`). Lines longer than {@link REACH} are read from `REACH` bytes before the
 * secret, and such a partial line never counts as a comment alone.
 */
export function markersNear(buf: Buffer, place: SecretPlace, syntax: CommentSyntax | null, scrub: Scrub): AllowMarker[] {
  if (syntax === null) return [];
  const { start, end } = place;
  let lineEnd = lineEndAfter(buf, end, Math.min(buf.length, end + REACH + 1));
  if (lineEnd === -1) lineEnd = Math.min(buf.length, end + REACH);
  const exact = place.lineStart >= 0 && start - place.lineStart <= REACH;
  const segmentStart = exact ? place.lineStart : charBoundary(buf, Math.max(0, start - REACH));
  const previous = exact ? previousLineStart(buf, place.lineStart, place.fileStart) : null;
  const from = previous ?? segmentStart;
  if (buf.subarray(from, lineEnd).indexOf(MARKER_BYTES) === -1) return [];
  const markers: AllowMarker[] = [];
  const text = buf.toString("utf8", segmentStart, lineEnd);
  const firstColumn = exact ? 1 : place.column - buf.toString("utf8", segmentStart, start).length;
  markers.push(...lineMarkers(text, syntax, place.line, firstColumn, !exact, scrub));
  if (previous !== null) markers.push(...lineMarkers(buf.toString("utf8", previous, previousLineEnd(buf, place.lineStart)), syntax, place.line - 1, 1, false, scrub));
  return markers;
}

/** The markers of one line read on its own. */
function lineMarkers(text: string, syntax: CommentSyntax, line: number, firstColumn: number, partial: boolean, scrub: Scrub): AllowMarker[] {
  if (!text.includes(ALLOW_MARKER)) return [];
  const start: LexState = !partial && continuesBlock(text, syntax) ? { kind: "block", close: "*/" } : CODE;
  const found: AllowMarker[] = [];
  lexLines(text, syntax, () => true, (lexed) => lexed.index === 0 && found.push(...markersOfLine(text, lexed, syntax, line, firstColumn, partial, scrub)), start);
  return found;
}

/** ` * text` inside a `/* … *\/` block: the line is comment from its start. */
function continuesBlock(line: string, syntax: CommentSyntax): boolean {
  const trimmed = line.trimStart();
  return trimmed.startsWith("*") && !trimmed.startsWith("*/") && syntax.block.some(([open]) => open === "/*");
}

/** Where the line before the one starting at `lineStart` ends: before its line break (LF, CR LF or CR). */
function previousLineEnd(buf: Buffer, lineStart: number): number {
  return buf[lineStart - 1] === 10 && buf[lineStart - 2] === 13 ? lineStart - 2 : lineStart - 1;
}

/** Where a previous line starts, when it is within reach. */
function previousLineStart(buf: Buffer, lineStart: number, fileStart: number | null): number | null {
  if (lineStart === 0 || lineStart === fileStart) return null;
  const end = previousLineEnd(buf, lineStart);
  const floor = Math.max(0, fileStart ?? 0, end - REACH - 1);
  for (let i = end - 1; i >= floor; i--) if (buf[i] === 10 || buf[i] === 13) return i + 1;
  // No line break within reach: the line starts at the file's start, or is too long to read.
  return fileStart !== null && end - fileStart <= REACH ? fileStart : null;
}

/** The first offset at or after `at` that starts a UTF-8 character. */
function charBoundary(buf: Buffer, at: number): number {
  let offset = at;
  while (offset < buf.length && ((buf[offset] as number) & 0xc0) === 0x80) offset++;
  return offset;
}

/**
 * The markers that start the comments of a lexed line. `partial`: the text is the tail of a
 * longer line, so its start was read as code, and it is never a comment alone.
 */
function markersOfLine(text: string, line: LexedLine, syntax: CommentSyntax, lineNumber: number, firstColumn: number, partial: boolean, scrub: Scrub): AllowMarker[] {
  const alone = !partial && !line.code && line.comments.length > 0;
  const markers: AllowMarker[] = [];
  for (const comment of line.comments) {
    const at = markerAt(text, comment, syntax);
    if (at === -1) continue;
    const marker: AllowMarker = { line: lineNumber, column: firstColumn + at - line.start, endColumn: firstColumn + comment.to - line.start, alone };
    const reason = reasonOf(text.slice(at + ALLOW_MARKER.length, comment.to), syntax, scrub);
    if (reason) marker.reason = reason;
    markers.push(marker);
  }
  return markers;
}

/** Decoration a comment may start with before its first word: `///`, `/**`, `##`, `<!---`, `//!`. */
const DECORATION = /[*!/#;%-]/;

/** The offset of a marker that is the comment's first word, or -1. */
function markerAt(text: string, comment: LineComment, syntax: CommentSyntax): number {
  let at = comment.bodyFrom;
  if (!comment.continued) while (at < comment.to && DECORATION.test(text[at] as string)) at++;
  while (at < comment.to && /\s/.test(text[at] as string)) at++;
  if (comment.continued) {
    while (at < comment.to && text[at] === "*" && text[at + 1] !== "/") at++;
    while (at < comment.to && /\s/.test(text[at] as string)) at++;
  }
  if (!text.startsWith(ALLOW_MARKER, at) || at + ALLOW_MARKER.length > comment.to) return -1;
  // A whole word: `lumenguard-allowlist` and `lumenguard-allow-x` are not the marker.
  const end = at + ALLOW_MARKER.length;
  const after = text[end];
  const closes = syntax.block.some(([, close]) => text.startsWith(close, end));
  return end === comment.to || after === undefined || /[\s:]/.test(after) || closes ? at : -1;
}

function reasonOf(rest: string, syntax: CommentSyntax, scrub: Scrub): string | undefined {
  const match = /^\s*:\s*(.*)$/s.exec(rest);
  if (!match) return undefined;
  let reason = match[1] ?? "";
  for (const [, close] of syntax.block) if (reason.endsWith(close)) reason = reason.slice(0, -close.length);
  reason = reason.trim().slice(0, MAX_REASON);
  return reason ? scrub(reason) : undefined;
}
