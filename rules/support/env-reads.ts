import type { JsFacts, Range } from "./js-facts.js";

/**
 * Where code reads environment variables: `process.env.NAME`, `process.env["NAME"]`,
 * `import.meta.env.NAME`, destructuring (`const { NAME } = import.meta.env`), an alias of the
 * env object (`const env = import.meta.env; env.NAME`), and SvelteKit's `$env/static/public`
 * imports (`$env/dynamic/public`'s `env` is an alias). Text in strings and comments is not code.
 */
export interface EnvRead {
  name: string;
  /** The token that names the variable (a name, or the string of a bracket access). */
  token: number;
  /** Offsets of the variable's name in the file. */
  start: number;
  end: number;
}

export interface EnvFacts {
  /** In token order. */
  reads: EnvRead[];
  /** Locals bound to an env variable: `const { VITE_KEY: key } = import.meta.env` → key → VITE_KEY. */
  locals: Map<string, string>;
}

const memo = new WeakMap<JsFacts, EnvFacts>();

export function envFacts(facts: JsFacts): EnvFacts {
  const known = memo.get(facts);
  if (known) return known;
  const found: EnvFacts = { reads: [], locals: new Map() };
  const aliases = new Set<string>();
  for (let i = 0; i < facts.tokens.length; i++) {
    const token = facts.tokens[i]!;
    if (token.kind === "string" && token.value.startsWith("$env/")) readSvelteKitImport(facts, i, found, aliases);
    const after = envObjectEnd(facts, i, aliases);
    if (after !== -1) readMember(facts, i, after, found, aliases);
  }
  // Patterns and imports are read at their end: put them back in token order.
  found.reads.sort((a, b) => a.token - b.token);
  memo.set(facts, found);
  return found;
}

/** The index just past `process.env` / `import.meta.env` / an alias starting at `i`, or -1. */
function envObjectEnd(facts: JsFacts, i: number, aliases: Set<string>): number {
  if (!facts.isName(i) || facts.afterDot(i)) return -1;
  const name = facts.tokens[i]!.value;
  if (name === "process" && facts.isDot(i + 1) && facts.isName(i + 2, "env")) return i + 3;
  if (name === "import" && facts.isDot(i + 1) && facts.isName(i + 2, "meta") && facts.isDot(i + 3) && facts.isName(i + 4, "env")) return i + 5;
  return aliases.has(name) && !facts.isPropKey(i) ? i + 1 : -1;
}

function readMember(facts: JsFacts, i: number, after: number, found: EnvFacts, aliases: Set<string>): void {
  const { tokens } = facts;
  if (facts.isDot(after) && facts.isName(after + 1)) {
    const token = tokens[after + 1]!;
    found.reads.push({ name: token.value, token: after + 1, start: token.start, end: token.end });
    return;
  }
  const bracket = facts.isPunct(after, "?.") ? after + 1 : after;
  const key = tokens[bracket + 1];
  if (facts.isPunct(bracket, "[") && key?.kind === "string" && facts.isPunct(bracket + 2, "]")) {
    found.reads.push({ name: key.value, token: bracket + 1, start: key.start + 1, end: key.start + 1 + key.value.length });
    return;
  }
  if (!facts.isPunct(i - 1, "=")) return;
  if (facts.isPunct(i - 2, "}")) readPattern(facts, facts.match[i - 2]!, found);
  else if (facts.isName(i - 2) && facts.isName(i - 3) && ["const", "let", "var"].includes(tokens[i - 3]!.value)) aliases.add(tokens[i - 2]!.value);
}

/** `{ NAME, OTHER: local, THIRD = fallback }` destructured from an env object. */
function readPattern(facts: JsFacts, open: number, found: EnvFacts): void {
  if (!facts.isPunct(open, "{")) return;
  for (const prop of facts.objectProps(open)) {
    if (prop.spread || prop.key === "") continue;
    found.reads.push({ name: prop.key, token: prop.keyToken, start: prop.keyStart, end: prop.keyEnd });
    found.locals.set(prop.shorthand ? prop.key : localOf(facts, prop) ?? prop.key, prop.key);
  }
}

function localOf(facts: JsFacts, range: Range): string | null {
  return facts.isName(range.from) ? facts.tokens[range.from]!.value : null;
}

/** `import { PUBLIC_X, PUBLIC_Y as y } from "$env/static/public"`; `import { env } from "$env/dynamic/public"`. */
function readSvelteKitImport(facts: JsFacts, i: number, found: EnvFacts, aliases: Set<string>): void {
  const module = facts.tokens[i]!.value;
  if (!facts.isName(i - 1, "from") || !facts.isPunct(i - 2, "}")) return;
  const open = facts.match[i - 2]!;
  for (let at = open + 1; at < i - 2; at++) {
    if (!facts.isName(at) || facts.isName(at - 1, "as")) continue;
    const token = facts.tokens[at]!;
    const local = facts.isName(at + 1, "as") && facts.isName(at + 2) ? facts.tokens[at + 2]!.value : token.value;
    if (module.startsWith("$env/dynamic/")) {
      if (token.value === "env") aliases.add(local);
    } else if (module.startsWith("$env/static/")) {
      found.reads.push({ name: token.value, token: at, start: token.start, end: token.end });
      found.locals.set(local, token.value);
    }
  }
}

/** The reads whose token lies in `range` (binary search: reads are in token order). */
export function readsIn(env: EnvFacts, range: Range): EnvRead[] {
  let low = 0;
  let high = env.reads.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (env.reads[middle]!.token < range.from) low = middle + 1;
    else high = middle;
  }
  const found: EnvRead[] = [];
  for (let at = low; at < env.reads.length && env.reads[at]!.token < range.to; at++) found.push(env.reads[at]!);
  return found;
}
