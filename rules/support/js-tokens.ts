import jsTokens from "js-tokens";

/**
 * The tokens of JavaScript / TypeScript / JSON text that the client-exposure rules
 * (public-env-prefix, browser-sdk-key) read, from the `js-tokens` lexer
 * (https://github.com/lydell/js-tokens): comments and white space dropped, a string or template
 * chunk one token, the expressions inside `${…}` ordinary tokens. js-tokens never backtracks and
 * recovers locally (an unclosed string ends at its line), so a hostile file costs linear time.
 * JSX files (`.jsx`, `.tsx`, `.js`) are lexed in its JSX mode, where `Don't` in element text is
 * text, not the start of a string.
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

/**
 * Tokens of `text` from `from` to `to`. With `untilBalanced`, `from` must be at a `{` and the
 * scan stops after its matching `}` (markup expressions in .svelte / .astro / .vue files);
 * `end` is where the scan stopped.
 */
export function tokenize(text: string, from = 0, to = text.length, untilBalanced = false, jsx = false): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let offset = from;
  let newline = false;
  let depth = 0;
  for (const token of jsTokens(text.slice(from, to), { jsx })) {
    const start = offset;
    offset += token.value.length;
    const kind = kindOf(token.type);
    if (kind === null) {
      if (token.type === "LineTerminatorSequence" || (token.type === "MultiLineComment" && /[\n\r\u2028\u2029]/.test(token.value))) newline = true;
      continue;
    }
    tokens.push({ kind, start, end: offset, value: valueOf(token), newlineBefore: newline });
    newline = false;
    if (untilBalanced && token.type === "Punctuator") {
      if (token.value === "{") depth++;
      else if (token.value === "}" && --depth === 0) return { tokens, end: offset };
    }
  }
  return { tokens, end: offset };
}

type JsToken = { type: string; value: string; closed?: boolean };

function kindOf(type: string): TokenKind | null {
  switch (type) {
    case "IdentifierName":
    case "PrivateIdentifier":
    case "JSXIdentifier":
      return "name";
    case "StringLiteral":
    case "JSXString":
      return "string";
    case "NoSubstitutionTemplate":
    case "TemplateHead":
    case "TemplateMiddle":
    case "TemplateTail":
      return "template";
    case "NumericLiteral":
      return "number";
    case "RegularExpressionLiteral":
      return "regex";
    case "Punctuator":
    case "JSXPunctuator":
    case "Invalid":
    case "JSXInvalid":
      return "punct";
    default:
      // White space, line breaks, comments, JSX text.
      return null;
  }
}

/** A string's or template chunk's inner text, without its delimiters; other tokens as written. */
function valueOf(token: JsToken): string {
  const { type, value } = token;
  const closed = token.closed !== false;
  switch (type) {
    case "StringLiteral":
    case "JSXString":
      return value.slice(1, closed ? -1 : undefined);
    case "NoSubstitutionTemplate":
      return value.slice(1, closed ? -1 : undefined);
    case "TemplateHead":
      return value.slice(1, -2);
    case "TemplateMiddle":
      return value.slice(1, -2);
    case "TemplateTail":
      return value.slice(1, closed ? -1 : undefined);
    case "RegularExpressionLiteral":
      return "";
    default:
      return value;
  }
}
