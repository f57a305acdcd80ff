import type { CommentSyntax } from "./comment-syntax.js";

/**
 * Where the comments of a text are, in the comment syntax of its file type (comment-syntax.ts),
 * read from the start of the text so that what began on an earlier line is followed: a string
 * that runs over lines (a JavaScript template literal, a Python triple-quoted string, a shell
 * string), a block comment, a markup tag. Only the lines a caller asks about are reported.
 */

/** What the lexer is inside of at the start of a line. */
export type LexState = { kind: "code" } | { kind: "string"; close: string } | { kind: "block"; close: string } | { kind: "tag"; quote: string };

export const CODE: LexState = { kind: "code" };

/** One comment on a line, as UTF-16 offsets in the text. */
export interface LineComment {
  from: number;
  to: number;
  /** Where its text starts: after the opener, or at the line's start for a block comment that began on an earlier line. */
  bodyFrom: number;
  /** A block comment that began on an earlier line. */
  continued: boolean;
}

/** A line the caller asked about: its comments, and whether anything else than white space and comments is on it. */
export interface LexedLine {
  /** 0-based index of the line in the text. */
  index: number;
  start: number;
  end: number;
  comments: LineComment[];
  code: boolean;
}

const QUOTE_WORD_START = " \t=:,[{(";

/**
 * Lexes `text` from `state` and hands `visit` each line that `wanted(start, end)` accepts
 * (offsets of the line, without its line break). Returns the state at the end of the text.
 */
export function lexLines(text: string, syntax: CommentSyntax, wanted: (start: number, end: number) => boolean, visit: (line: LexedLine) => void, state: LexState = CODE): LexState {
  let current = state;
  let index = 0;
  // LF, CR LF or a CR alone ends a line, as the engine counts key positions (line-tracker.ts).
  const lineBreak = /\r\n?|\n/g;
  for (let start = 0; start <= text.length; index++) {
    lineBreak.lastIndex = start;
    const found = lineBreak.exec(text);
    const lineEnd = found ? found.index : text.length;
    const lexed = lexLine(text, start, lineEnd, syntax, current);
    current = lexed.state;
    if (wanted(start, lineEnd)) visit({ index, start, end: lineEnd, comments: lexed.comments, code: lexed.code });
    if (!found) break;
    start = lineEnd + found[0].length;
  }
  return current;
}

/** One line from `state`: its comments, whether it holds code, and the state after it. */
function lexLine(text: string, start: number, end: number, syntax: CommentSyntax, state: LexState): { comments: LineComment[]; code: boolean; state: LexState } {
  const comments: LineComment[] = [];
  let code = false;
  let at = start;
  let current = state;
  while (at < end) {
    if (current.kind === "block") {
      const close = text.indexOf(current.close, at);
      const closes = close !== -1 && close + current.close.length <= end;
      const to = closes ? close + current.close.length : end;
      comments.push({ from: at, to, bodyFrom: at, continued: true });
      at = to;
      if (closes) current = CODE;
      continue;
    }
    if (current.kind === "string") {
      code = true;
      const closed = skipString(text, at, end, current.close, syntax.rawSingleQuotes === true && current.close === "'");
      if (closed === -1) {
        at = end;
        // A one-character quote that is not a multi-line delimiter ends with its line.
        if (!(syntax.multiline ?? []).includes(current.close)) current = CODE;
        break;
      }
      at = closed;
      current = CODE;
      continue;
    }
    if (current.kind === "tag") {
      code = true;
      const char = text[at] as string;
      if (current.quote !== "") current = char === current.quote ? { kind: "tag", quote: "" } : current;
      else if (char === '"' || char === "'") current = { kind: "tag", quote: char };
      else if (char === ">") current = CODE;
      at++;
      continue;
    }
    const step = lexCode(text, at, start, end, syntax, comments);
    if (step.code) code = true;
    at = step.at;
    if (step.state) current = step.state;
  }
  return { comments, code, state: current };
}

/** One step in code: a string, a tag or a comment opening, or one character. */
function lexCode(text: string, at: number, lineStart: number, end: number, syntax: CommentSyntax, comments: LineComment[]): { at: number; code: boolean; state?: LexState } {
  const char = text[at] as string;
  for (const delimiter of syntax.multiline ?? []) {
    if (text.startsWith(delimiter, at) && (!syntax.quotesAtWordStart || atWordStart(text, at, lineStart, QUOTE_WORD_START))) return { at: at + delimiter.length, code: true, state: { kind: "string", close: delimiter } };
  }
  if (syntax.quotes.includes(char) && (!syntax.quotesAtWordStart || atWordStart(text, at, lineStart, QUOTE_WORD_START))) return { at: at + 1, code: true, state: { kind: "string", close: char } };
  // Block openers first: Lua's `--[[` also starts with the line opener `--`.
  for (const [open, close] of syntax.block) {
    if (!text.startsWith(open, at)) continue;
    const found = text.indexOf(close, at + open.length);
    if (found !== -1 && found + close.length <= end) {
      comments.push({ from: at, to: found + close.length, bodyFrom: at + open.length, continued: false });
      return { at: found + close.length, code: false };
    }
    comments.push({ from: at, to: end, bodyFrom: at + open.length, continued: false });
    return { at: end, code: false, state: { kind: "block", close } };
  }
  if (syntax.markup && char === "<" && /[A-Za-z/?!]/.test(text[at + 1] ?? "")) return { at: at + 1, code: true, state: { kind: "tag", quote: "" } };
  for (const open of syntax.line) {
    if (text.startsWith(open, at) && (syntax.wordStart === undefined || atWordStart(text, at, lineStart, syntax.wordStart))) {
      comments.push({ from: at, to: end, bodyFrom: at + open.length, continued: false });
      return { at: end, code: false };
    }
  }
  return { at: at + 1, code: char !== " " && char !== "\t" && char !== "\uFEFF" };
}

function atWordStart(text: string, at: number, lineStart: number, before: string): boolean {
  return at === lineStart || before.includes(text[at - 1] as string);
}

/** The offset after the string's closing delimiter, or -1 when the string does not close before `end`. A backslash escapes the next character. */
function skipString(text: string, at: number, end: number, close: string, raw: boolean): number {
  for (let i = at; i < end; i++) {
    if (text[i] === "\\" && !raw) {
      i++;
      continue;
    }
    if (text.startsWith(close, i)) return i + close.length;
  }
  return -1;
}
