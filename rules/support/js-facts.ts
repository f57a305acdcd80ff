import type { Token } from "./js-tokens.js";
import { tokenizeSource } from "./source-files.js";

/**
 * The structure of a code file that the client-exposure rules need, from one token pass:
 * matching brackets, object literal properties, `const NAME = …` bindings. Everything is
 * linear in the file's size; lookups through bindings are bounded and memoised.
 */
export interface Range {
  /** Token indices, `to` exclusive. */
  from: number;
  to: number;
}

export interface Prop extends Range {
  /** The key as written (a string key without its quotes); "" for a spread or computed key. */
  key: string;
  keyToken: number;
  /** Offsets of the key's text in the file. */
  keyStart: number;
  keyEnd: number;
  spread: boolean;
  shorthand: boolean;
}

const OPENERS = new Map([["(", ")"], ["[", "]"], ["{", "}"]]);
const CLOSERS = new Set([")", "]", "}"]);
const DECLARATIONS = new Set(["const", "let", "var"]);
const CONTINUATIONS = new Set([".", "?.", "?", ":", "+", "*", "/", "%", "&&", "||", "??", "=>", "==", "===", "!=", "!==", "<", ">", "<=", ">=", "|", "&", "^", "instanceof", "in", "as", "satisfies"]);

export class JsFacts {
  readonly tokens: Token[];
  /** For a bracket token, the index of its partner (an unclosed opener: `tokens.length`); else -1. */
  readonly match: Int32Array;
  /** The innermost open bracket around each token, or -1. */
  readonly parent: Int32Array;
  /** `const NAME = init` (also `let`, `var`, `NAME: Type = init`): the init ranges per name. */
  readonly bindings = new Map<string, Range[]>();
  private readonly propsCache = new Map<number, Prop[]>();

  constructor(
    readonly text: string,
    readonly path: string,
  ) {
    this.tokens = tokenizeSource(text, path);
    this.match = new Int32Array(this.tokens.length).fill(-1);
    this.parent = new Int32Array(this.tokens.length).fill(-1);
    this.pairBrackets();
    for (let i = 0; i < this.tokens.length; i++) if (this.isName(i) && DECLARATIONS.has(this.tokens[i]!.value) && !this.afterDot(i)) this.declaration(i + 1);
  }

  isPunct(i: number, value: string): boolean {
    const token = this.tokens[i];
    return token !== undefined && token.kind === "punct" && token.value === value;
  }

  isName(i: number, value?: string): boolean {
    const token = this.tokens[i];
    return token !== undefined && token.kind === "name" && (value === undefined || token.value === value);
  }

  isDot(i: number): boolean {
    return this.isPunct(i, ".") || this.isPunct(i, "?.");
  }

  /** The token is a member name: `x.NAME`. */
  afterDot(i: number): boolean {
    return this.isDot(i - 1);
  }

  /** The token is an object key or type member: `{ NAME: …` / `, NAME: …`. */
  isPropKey(i: number): boolean {
    const keyed = this.isPunct(i + 1, ":") || (this.isPunct(i + 1, "?") && this.isPunct(i + 2, ":"));
    return keyed && (this.isPunct(i - 1, "{") || this.isPunct(i - 1, ",") || this.isPunct(i - 1, ";") || this.isName(i - 1, "readonly") || this.tokens[i]!.newlineBefore);
  }

  /** The module's directive prologue (its leading string statements) holds `directive`, e.g. "use client". */
  hasDirective(directive: string): boolean {
    for (let at = 0; this.tokens[at]?.kind === "string"; ) {
      const token = this.tokens[at]!;
      const closed = token.end - token.start === token.value.length + 2;
      if (closed && token.value === directive) return true;
      at++;
      if (this.isPunct(at, ";")) at++;
    }
    return false;
  }

  /** The `{` that starts an object literal filling exactly `range`, or -1. */
  objectAt(range: Range): number {
    return this.isPunct(range.from, "{") && this.match[range.from] === range.to - 1 ? range.from : -1;
  }

  /** The object literal whose property value is the object at `open`, or -1. */
  parentObject(open: number): number {
    const outer = this.parent[open] ?? -1;
    return this.isPunct(open - 1, ":") && this.isPunct(outer, "{") ? outer : -1;
  }

  /** The properties of the object literal (or destructuring pattern) at `open`. */
  objectProps(open: number): Prop[] {
    const cached = this.propsCache.get(open);
    if (cached) return cached;
    const props: Prop[] = [];
    const end = Math.min(this.match[open] ?? -1, this.tokens.length);
    for (let at = open + 1; at < end; ) {
      const elementEnd = this.nextComma(at, end);
      const prop = this.readProp(at, elementEnd);
      if (prop) props.push(prop);
      at = elementEnd + 1;
    }
    this.propsCache.set(open, props);
    return props;
  }

  /** Where the expression starting at token `i` ends (exclusive), by ASI-like rules. */
  expressionEnd(i: number): number {
    const { tokens } = this;
    let previous: Token | undefined;
    while (i < tokens.length) {
      const token = tokens[i]!;
      if (token.newlineBefore && previous && this.endsExpression(previous) && !CONTINUATIONS.has(token.value)) return i;
      if (token.kind === "punct") {
        if (token.value === ";" || token.value === "," || CLOSERS.has(token.value)) return i;
        if (OPENERS.has(token.value)) {
          const close = this.match[i]!;
          if (close <= i) return i;
          previous = tokens[close] ?? token;
          i = close + 1;
          continue;
        }
      }
      previous = token;
      i++;
    }
    return i;
  }

  private endsExpression(token: Token): boolean {
    if (token.kind === "punct") return CLOSERS.has(token.value);
    if (token.kind === "template") return this.text.charCodeAt(token.end - 1) === 96;
    return token.kind !== "name" || !DECLARATIONS.has(token.value);
  }

  private nextComma(at: number, end: number): number {
    while (at < end) {
      const token = this.tokens[at]!;
      if (token.kind === "punct" && OPENERS.has(token.value)) at = Math.max(at + 1, this.match[at]! + 1);
      else if (token.kind === "punct" && token.value === ",") return at;
      else at++;
    }
    return end;
  }

  private readProp(at: number, end: number): Prop | null {
    const token = this.tokens[at];
    if (!token || at >= end) return null;
    const base = { keyToken: at, spread: false, shorthand: false, to: end };
    if (this.isPunct(at, "...")) return { ...base, key: "", keyStart: token.start, keyEnd: token.end, from: at + 1, spread: true };
    if (token.kind === "punct" && token.value === "[") {
      const close = this.match[at]!;
      return this.isPunct(close + 1, ":") ? { ...base, key: "", keyStart: token.start, keyEnd: token.end, from: close + 2 } : null;
    }
    if (token.kind !== "name" && token.kind !== "string" && token.kind !== "number") return null;
    const keyStart = token.kind === "string" ? token.start + 1 : token.start;
    const key = { ...base, key: token.value, keyStart, keyEnd: keyStart + token.value.length };
    if (this.isPunct(at + 1, ":")) return { ...key, from: at + 2 };
    // Shorthand `{ NAME }`, or `{ NAME = fallback }` in a destructuring pattern.
    if (token.kind === "name" && (at + 1 === end || this.isPunct(at + 1, "="))) return { ...key, from: at, to: at + 1, shorthand: true };
    return null;
  }

  private pairBrackets(): void {
    const stack: number[] = [];
    this.tokens.forEach((token, i) => {
      this.parent[i] = stack[stack.length - 1] ?? -1;
      if (token.kind !== "punct") return;
      if (OPENERS.has(token.value)) stack.push(i);
      else if (CLOSERS.has(token.value)) this.close(stack, i);
    });
    for (const open of stack) this.match[open] = this.tokens.length;
  }

  /** Pairs a closer with its opener; a stray closer (a lexing slip) closes at most a few levels. */
  private close(stack: number[], i: number): void {
    const closer = this.tokens[i]!.value;
    for (let depth = stack.length - 1; depth >= Math.max(0, stack.length - 4); depth--) {
      const open = stack[depth]!;
      if (OPENERS.get(this.tokens[open]!.value) !== closer) continue;
      for (const unclosed of stack.splice(depth)) this.match[unclosed] = i;
      this.match[i] = open;
      return;
    }
  }

  /** `const a = …, { b } = …`: records each simple name's init range. */
  private declaration(at: number): void {
    for (let guard = 0; guard < 64 && at < this.tokens.length; guard++) {
      let next = at;
      const name = this.isName(at) ? this.tokens[at]!.value : null;
      if (name !== null) next = at + 1;
      else if (this.isPunct(at, "{") || this.isPunct(at, "[")) next = this.match[at]! + 1;
      else return;
      if (this.isPunct(next, ":")) next = this.skipType(next + 1);
      if (this.isPunct(next, "=")) {
        const from = next + 1;
        next = this.expressionEnd(from);
        if (name !== null) this.bindings.set(name, [...(this.bindings.get(name) ?? []), { from, to: next }]);
      }
      if (!this.isPunct(next, ",")) return;
      at = next + 1;
    }
  }

  /** Past a type annotation: to the `=`, `,` or `;` at its depth. */
  private skipType(at: number): number {
    for (let guard = 0; guard < 256 && at < this.tokens.length; guard++) {
      const token = this.tokens[at]!;
      if (token.kind === "punct" && (token.value === "=" || token.value === "," || token.value === ";" || CLOSERS.has(token.value))) return at;
      at = token.kind === "punct" && OPENERS.has(token.value) ? this.match[at]! + 1 : at + 1;
    }
    return at;
  }
}

let cached: JsFacts | null = null;

/** The facts of a file; both client-exposure rules ask for the same text in a row. */
export function jsFacts(text: string, path: string): JsFacts {
  if (cached && cached.path === path && cached.text === text) return cached;
  cached = new JsFacts(text, path);
  return cached;
}
