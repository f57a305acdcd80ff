/**
 * Keys split across lines or string literals. A key written in pieces is one key: reading only
 * the first piece would report a fragment under the wrong identity (wrong last four, wrong
 * fingerprint, and `--verify` would call a live key revoked). So:
 * - where the way a piece continues is unambiguous, the pieces are **joined** and the whole key
 *   is reported: a backslash-newline inside a string or a shell word (`"lmnfl_…\⏎…"`, in YAML
 *   double-quoted scalars also with the next line's indentation, which YAML drops:
 *   https://yaml.org/spec/1.2.2/#731-double-quoted-style), and string literals joined by `+`
 *   (`"lmnfl_…" +⏎ "…"`, with comments or parentheses between them), by `.` in PHP and Perl,
 *   by `||` in SQL, by being adjacent in Python, Ruby and C-family sources (`("lmnfl_…"⏎ "…")`,
 *   also across a backslash-newline), or by touching in shell scripts (`"lmnfl_…""…"`);
 * - where the key visibly goes on but the pieces cannot be joined for sure, the match is
 *   reported as **partial** (its identity says so and no fingerprint is claimed for the key):
 *   a line that ends inside the key and a next line that holds nothing but key characters (a
 *   YAML folded or plain multi-line scalar, text wrapped by an editor), a backslash-newline
 *   followed by indentation outside YAML, or a literal joined by `+` to something that is not a
 *   literal (`"lmnfl_…" + suffix`).
 */
export interface JoinStyle {
  /** YAML: a backslash-newline also drops the next line's indentation. */
  yaml: boolean;
  /**
   * Adjacent string literals are one string (Python, Ruby, C, C++, Objective-C), also across a
   * backslash-newline between them (`"lmnfl_…" \⏎ "…"`, what Python and Ruby line-length fixes write).
   */
  adjacent: boolean;
  /** `.` joins strings (PHP, Perl). */
  dotConcat: boolean;
  /** Quoted words with nothing between them are one word (POSIX shells: `"lmnfl_…""…"`). */
  touching?: boolean;
  /** `||` joins strings (SQL). */
  pipes?: boolean;
}

const PLAIN: JoinStyle = { yaml: false, adjacent: false, dotConcat: false };
const YAML: JoinStyle = { yaml: true, adjacent: false, dotConcat: false };
const ADJACENT: JoinStyle = { yaml: false, adjacent: true, dotConcat: false };
const DOT: JoinStyle = { yaml: false, adjacent: false, dotConcat: true };
const SHELL: JoinStyle = { yaml: false, adjacent: false, dotConcat: false, touching: true };
const SQL: JoinStyle = { yaml: false, adjacent: false, dotConcat: false, pipes: true };

/** How strings continue in a file, by its report path (an archive entry by its own name). */
export function joinStyleFor(path: string | undefined): JoinStyle {
  if (!path) return PLAIN;
  const name = path.slice(path.lastIndexOf("!") + 1).replace(/\.(?:gz|br)$/i, "");
  const extension = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  if (extension === "yaml" || extension === "yml") return YAML;
  if (/^(?:py|pyi|pyw|rb|c|h|cc|cpp|cxx|hpp|hh|m|mm)$/.test(extension)) return ADJACENT;
  if (/^(?:php|phtml|pl|pm)$/.test(extension)) return DOT;
  if (/^(?:sh|bash|zsh|ksh)$/.test(extension) || name === "Dockerfile" || name === "Makefile") return SHELL;
  if (extension === "sql") return SQL;
  return PLAIN;
}

const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const PLUS = 0x2b;
const DOT_CHAR = 0x2e;
const PIPE = 0x7c;
const SLASH = 0x2f;
const STAR = 0x2a;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
/** Whitespace looked through between two joined literals. */
const MAX_GAP = 64;

function isQuote(b: number | undefined): boolean {
  return b === 0x22 || b === 0x27 || b === 0x60;
}

function isBlank(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09;
}

function isWhitespace(b: number | undefined): boolean {
  return isBlank(b) || b === NEWLINE || b === RETURN;
}

export function isKeyByte(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x2d);
}

/** Bytes of a line break at `at` (`\n` or `\r\n`), or 0. */
function lineBreak(buf: Uint8Array, at: number, limit: number): number {
  if (buf[at] === NEWLINE && at < limit) return 1;
  if (buf[at] === RETURN && buf[at + 1] === NEWLINE && at + 1 < limit) return 2;
  return 0;
}

function skipBlanks(buf: Uint8Array, at: number, limit: number): number {
  let i = at;
  while (i < limit && isBlank(buf[i])) i++;
  return i;
}

function skipWhitespace(buf: Uint8Array, at: number, limit: number): number {
  let i = at;
  while (i < limit && i - at <= MAX_GAP && isWhitespace(buf[i])) i++;
  return i;
}

/**
 * Bytes of a continuation starting at `at` after which the key goes on — a backslash-newline, or
 * a closing quote, a joining operator and an opening quote — or 0. The caller still checks that
 * what follows is a key character.
 */
export function joinAt(buf: Uint8Array, at: number, limit: number, style: JoinStyle): number {
  const b = buf[at];
  if (b === BACKSLASH) {
    const newline = lineBreak(buf, at + 1, limit);
    if (newline === 0) return 0;
    const next = at + 1 + newline;
    return (style.yaml ? skipBlanks(buf, next, limit) : next) - at;
  }
  if (!isQuote(b)) return 0;
  if (style.touching && isQuote(buf[at + 1]) && at + 1 < limit) return 2;
  const before = skipGap(buf, at + 1, limit, style, true);
  let i = before.end;
  const pipes = style.pipes === true && buf[i] === PIPE && buf[i + 1] === PIPE;
  if (buf[i] === PLUS || (style.dotConcat && buf[i] === DOT_CHAR) || pipes) {
    const after = skipGap(buf, i + (pipes ? 2 : 1), limit, style, false);
    // Parentheses only around both literals, as many closed as opened: `("…") + ("…")`, never
    // `f("lmnfl_…") + "…"`, where the key is a whole argument of its own.
    if (after.parens !== before.parens) return 0;
    i = after.end;
  } else if (!style.adjacent || i === at + 1 || before.parens > 0) return 0;
  return i < limit && isQuote(buf[i]) ? i + 1 - at : 0;
}

/**
 * What may stand between two joined literals, skipped: white space (a line break included), a
 * `/* … *\/` comment, a backslash-newline between adjacent literals, and parentheses around a
 * literal — `)` before the operator (`closing`), `(` after it — within {@link MAX_GAP} bytes.
 */
function skipGap(buf: Uint8Array, at: number, limit: number, style: JoinStyle, closing: boolean): { end: number; parens: number } {
  let i = at;
  let parens = 0;
  while (i < limit && i - at <= MAX_GAP) {
    const b = buf[i];
    if (isWhitespace(b)) i++;
    else if (b === (closing ? CLOSE_PAREN : OPEN_PAREN)) {
      parens++;
      i++;
    } else if (style.adjacent && b === BACKSLASH && lineBreak(buf, i + 1, limit) > 0) i += 1 + lineBreak(buf, i + 1, limit);
    else if (b === SLASH && buf[i + 1] === STAR) {
      const end = Buffer.from(buf.buffer, buf.byteOffset, Math.min(limit, at + MAX_GAP + 2)).indexOf("*/", i + 2);
      if (end === -1) break;
      i = end + 2;
    } else break;
  }
  return { end: i, parens };
}

/** Whether the key that ends at `end` visibly goes on in a way that cannot be joined for sure. */
export function continuesAfter(buf: Uint8Array, end: number, limit: number, style: JoinStyle): boolean {
  const b = buf[end];
  if (b === BACKSLASH) {
    const newline = lineBreak(buf, end + 1, limit);
    return newline > 0 && isKeyByte(buf[skipBlanks(buf, end + 1 + newline, limit)]);
  }
  if (isQuote(b)) {
    let i = skipWhitespace(buf, end + 1, limit);
    if (buf[i] !== PLUS) return false;
    i = skipWhitespace(buf, i + 1, limit);
    const next = buf[i];
    return next !== undefined && i < limit && ((next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a) || next === 0x5f || next === 0x24);
  }
  const newline = lineBreak(buf, end, limit);
  return newline > 0 && nextLineIsKeyRest(buf, end + newline, limit);
}

/** The next line holds only key characters (after its indentation), maybe closing a string: the rest of a wrapped key. */
function nextLineIsKeyRest(buf: Uint8Array, at: number, limit: number): boolean {
  let i = skipBlanks(buf, at, limit);
  const start = i;
  while (i < limit && isKeyByte(buf[i])) i++;
  if (i === start) return false;
  // Another key on the next line is not the rest of this one.
  if (i - start >= 6 && Buffer.from(buf.buffer, buf.byteOffset + start, 6).toString("latin1") === "lmnfl_") return false;
  if (isQuote(buf[i]) || buf[i] === 0x2c /* , */ || buf[i] === 0x3b /* ; */ || buf[i] === 0x29 /* ) */) i++;
  i = skipBlanks(buf, i, limit);
  return i >= limit || lineBreak(buf, i, limit) > 0;
}
