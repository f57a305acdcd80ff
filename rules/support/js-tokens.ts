/**
 * A small lexer for JavaScript / TypeScript / JSON text, for rules that must tell code from
 * comments and strings (public-env-prefix, browser-sdk-key) without a parser (no dependency).
 * One forward pass, no backtracking: comments are skipped, strings and template chunks become
 * single tokens, the expressions inside `${…}` become ordinary tokens. Where JS is ambiguous
 * it errs locally: a quote or regex never runs past the end of its line, so a misread
 * apostrophe in JSX text costs at most the rest of that line.
 */
export type TokenKind = "name" | "string" | "template" | "number" | "punct" | "regex";

export interface Token {
  kind: TokenKind;
  /** Offsets in the text (UTF-16 units). */
  start: number;
  end: number;
  /** A name's or punctuator's text; a string's or template chunk's raw inner text. */
  value: string;
  /** A line break (or a comment holding one) sits between this token and the previous one. */
  newlineBefore: boolean;
}

const PUNCT_3 = new Set(["...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??="]);
const PUNCT_2 = new Set(["=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "<<", ">>"]);
/** After these names an expression starts, so `/` opens a regular expression. */
const EXPRESSION_KEYWORDS = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

/** Names a string may follow: `import x from "y"`, `declare module "m"`, TS's `T extends "a"`. */
const STRING_BEFORE_KEYWORDS = new Set(["from", "module", "import", "export", "extends", "as", "is", "satisfies", "keyof", "assert", "with"]);

const SLASH = 47;
const STAR = 42;
const BACKSLASH = 92;
const NEWLINE = 10;
const BACKTICK = 96;

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || (c >= 0x80 && !isSpace(c));
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Tokens of `text` from `from` to `to`. With `untilBalanced`, `from` must be at a `{` and the
 * scan stops after its matching `}` (markup expressions in .svelte / .astro / .vue files).
 */
export function tokenize(text: string, from = 0, to = text.length, untilBalanced = false): { tokens: Token[]; end: number } {
  const lexer = new Lexer(text, to, untilBalanced);
  const end = lexer.run(from === 0 && text.startsWith("#!") ? lineEnd(text, 0, to) : from);
  return { tokens: lexer.tokens, end };
}

class Lexer {
  readonly tokens: Token[] = [];
  /** One entry per open `{`: true when it is a template's `${`. */
  private readonly braces: boolean[] = [];
  private newline = false;

  constructor(
    private readonly text: string,
    private readonly to: number,
    private readonly untilBalanced: boolean,
  ) {}

  run(from: number): number {
    const { text, to } = this;
    let pos = from;
    while (pos < to) {
      const c = text.charCodeAt(pos);
      if (c === NEWLINE) {
        this.newline = true;
        pos++;
      } else if (isSpace(c)) pos++;
      else if (c === SLASH && text.charCodeAt(pos + 1) === SLASH) pos = lineEnd(text, pos, to);
      else if (c === SLASH && text.charCodeAt(pos + 1) === STAR) pos = this.blockComment(pos);
      else if ((c === 34 || c === 39) && this.textQuote()) pos++;
      else if (c === 34 || c === 39) pos = this.string(pos, c);
      else if (c === BACKTICK) pos = this.templateChunk(pos + 1, pos);
      else if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(pos + 1)))) pos = this.word(pos, "number");
      else if (isNameChar(c)) pos = this.word(pos, "name");
      else if (c === 125 /* } */) {
        const next = this.closeBrace(pos);
        if (next < 0) return pos + 1;
        pos = next;
      } else pos = this.punct(pos, c);
    }
    return pos;
  }

  private push(kind: TokenKind, start: number, end: number, value: string): void {
    this.tokens.push({ kind, start, end, value, newlineBefore: this.newline });
    this.newline = false;
  }

  private blockComment(pos: number): number {
    const close = this.text.indexOf("*/", pos + 2);
    const end = close === -1 || close + 2 > this.to ? this.to : close + 2;
    const newline = this.text.indexOf("\n", pos);
    if (newline !== -1 && newline < end) this.newline = true;
    return end;
  }

  private string(pos: number, quote: number): number {
    const { text, to } = this;
    let i = pos + 1;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) i += 2;
      else if (c === quote) {
        this.push("string", pos, i + 1, text.slice(pos + 1, i));
        return i + 1;
      } else if (c === NEWLINE) break;
      else i++;
    }
    i = Math.min(i, to);
    this.push("string", pos, i, text.slice(pos + 1, i));
    return i;
  }

  /** A template chunk from `pos` to the closing backtick or the next `${`. */
  private templateChunk(pos: number, tokenStart: number): number {
    const { text, to } = this;
    let i = pos;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) i += 2;
      else if (c === BACKTICK) {
        this.push("template", tokenStart, i + 1, text.slice(pos, i));
        return i + 1;
      } else if (c === 36 && text.charCodeAt(i + 1) === 123) {
        this.push("template", tokenStart, i + 2, text.slice(pos, i));
        this.braces.push(true);
        return i + 2;
      } else i++;
    }
    this.push("template", tokenStart, to, text.slice(pos, to));
    return to;
  }

  /** Returns where to go on, or -1 when a balanced scan is complete. */
  private closeBrace(pos: number): number {
    const template = this.braces.pop();
    if (template === true) return this.templateChunk(pos + 1, pos);
    this.push("punct", pos, pos + 1, "}");
    return this.untilBalanced && this.braces.length === 0 ? -1 : pos + 1;
  }

  private word(pos: number, kind: "name" | "number"): number {
    const { text, to } = this;
    let i = pos + 1;
    while (i < to && (isNameChar(text.charCodeAt(i)) || (kind === "number" && text.charCodeAt(i) === 46))) i++;
    this.push(kind, pos, i, text.slice(pos, i));
    return i;
  }

  private punct(pos: number, c: number): number {
    const { text } = this;
    if (c === SLASH && this.regexAllowed() && text.charCodeAt(pos + 1) !== 62) {
      const end = regexEnd(text, pos, this.to);
      if (end > 0) {
        this.push("regex", pos, end, "");
        return end;
      }
    }
    if (c === 123) this.braces.push(false);
    const three = text.slice(pos, pos + 3);
    const two = three.slice(0, 2);
    const value = PUNCT_3.has(three) ? three : PUNCT_2.has(two) && !(two === "?." && isDigit(text.charCodeAt(pos + 2))) ? two : three.slice(0, 1);
    this.push("punct", pos, pos + value.length, value);
    return pos + value.length;
  }

  /**
   * A quote right after a name or number cannot start a string in JavaScript: it is text, an
   * apostrophe in JSX (`<p>Don't {x}</p>`), and lexing it as a string would hide the line.
   */
  private textQuote(): boolean {
    const previous = this.tokens[this.tokens.length - 1];
    if (!previous || this.newline) return false;
    if (previous.kind === "number") return true;
    return previous.kind === "name" && !STRING_BEFORE_KEYWORDS.has(previous.value) && !EXPRESSION_KEYWORDS.has(previous.value);
  }

  private regexAllowed(): boolean {
    const previous = this.tokens[this.tokens.length - 1];
    if (!previous) return true;
    if (previous.kind === "name") return EXPRESSION_KEYWORDS.has(previous.value);
    if (previous.kind !== "punct") return false;
    // `</div>`: JSX closing tags, not a regular expression.
    return previous.value !== ")" && previous.value !== "]" && previous.value !== "<" && !(previous.value === "{" && this.untilBalanced);
  }
}

function lineEnd(text: string, pos: number, to: number): number {
  const end = text.indexOf("\n", pos);
  return end === -1 || end > to ? to : end;
}

/** End of a regular expression literal at `pos`, or -1 when none closes on this line. */
function regexEnd(text: string, pos: number, to: number): number {
  let inClass = false;
  for (let i = pos + 1; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) return -1;
    if (c === BACKSLASH) i++;
    else if (c === 91) inClass = true;
    else if (c === 93) inClass = false;
    else if (c === SLASH && !inClass) {
      let end = i + 1;
      while (end < to && isNameChar(text.charCodeAt(end))) end++;
      return end;
    }
  }
  return -1;
}
