/**
 * Path globs matched in time linear in the path: a glob is compiled to a small automaton that
 * is run on the path one character at a time, keeping the set of states it can be in — no
 * backtracking, so `*a*a*a*a*a*a*a*a*a*a*b` against a 200-character name costs 200 steps of
 * a dozen states, where a backtracking regular expression (picomatch's, `ignore`'s) takes
 * minutes. See https://swtch.com/~rsc/regexp/regexp1.html.
 *
 * The syntax is picomatch's with `dot: true` (what the config's `ignore` documents), minus what
 * needs backtracking: `*` (any run of characters but `/`), `?` (one character but `/`), `**` as
 * a whole path segment (any number of segments), `[abc]`, `[a-z]`, `[!a]` / `[^a]`,
 * `[[:alpha:]]`-style classes, `{a,b}` alternatives (nested, at most {@link MAX_ALTERNATIVES}),
 * `\` escapes. Extglobs (`@(a|b)`, `!(a)`), regex groups and a leading `!` are refused with a
 * {@link GlobError}. `.gitignore` patterns use the same matcher without braces (gitignore.ts).
 */
export class GlobError extends Error {}

export const MAX_ALTERNATIVES = 256;

/** A compiled glob: `test` for a `/`-separated relative path. */
export interface CompiledGlob {
  test(path: string): boolean;
  /** The whole glob when it holds no wildcard: callers may look such globs up by equality. */
  literal: string | null;
  /** Text every match starts, and ends, with (empty when there is none): for indexes and quick rejection. */
  head: string;
  tail: string;
}

type Step = { kind: "char"; test: (code: number) => boolean; literal?: number } | { kind: "star"; slash: boolean } | { kind: "dirs" } | { kind: "tail" };

const SLASH = 0x2f;
const POSIX: Record<string, (code: number) => boolean> = {
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  digit: (c) => c >= 48 && c <= 57,
  alnum: (c) => POSIX["alpha"]!(c) || POSIX["digit"]!(c),
  upper: (c) => c >= 65 && c <= 90,
  lower: (c) => c >= 97 && c <= 122,
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  xdigit: (c) => POSIX["digit"]!(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
  word: (c) => POSIX["alnum"]!(c) || c === 95,
};

/**
 * Glob syntax: `picomatch` (the config's `ignore`: braces expand, extglobs and groups are
 * refused, `a/**` matches `a` too) or `gitignore` (https://git-scm.com/docs/gitignore: braces
 * and parentheses are literal, `a/**` matches only what is inside `a`).
 */
export type GlobSyntax = "picomatch" | "gitignore";

/** @throws GlobError for syntax this matcher refuses (extglobs, groups, negation, too many alternatives). */
export function compileGlob(glob: string, syntax: GlobSyntax = "picomatch"): CompiledGlob {
  const picomatch = syntax === "picomatch";
  if (picomatch && glob.startsWith("!")) throw new GlobError("a leading ! (negation) is not supported here");
  const source = picomatch ? glob.replace(/^(?:\.\/)+/, "") : glob;
  const alternatives = picomatch ? expandBraces(source) : [source];
  const automata = alternatives.map((alternative) => new Automaton(parse(alternative, syntax)));
  const literal = alternatives.length === 1 && !/[*?[\\]/.test(source) ? source : null;
  return {
    literal,
    head: commonPrefix(automata.map((automaton) => automaton.head)),
    tail: commonSuffix(automata.map((automaton) => automaton.tail)),
    test: (path) => automata.some((automaton) => path.startsWith(automaton.head) && path.endsWith(automaton.tail) && automaton.run(path)),
  };
}

function commonPrefix(texts: string[]): string {
  let prefix = texts[0] ?? "";
  for (const text of texts) while (!text.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

function commonSuffix(texts: string[]): string {
  let suffix = texts[0] ?? "";
  for (const text of texts) while (!text.endsWith(suffix)) suffix = suffix.slice(1);
  return suffix;
}

/** `{a,b}c` → `ac`, `bc`; nested braces too. A brace without a comma at its level is literal. */
function expandBraces(glob: string): string[] {
  const open = findBrace(glob);
  if (open === null) return [glob];
  const { start, end, parts } = open;
  const out: string[] = [];
  for (const part of parts) {
    for (const expanded of expandBraces(glob.slice(0, start) + part + glob.slice(end + 1))) {
      out.push(expanded);
      if (out.length > MAX_ALTERNATIVES) throw new GlobError(`its braces expand to more than ${MAX_ALTERNATIVES} alternatives`);
    }
  }
  return out;
}

function findBrace(glob: string): { start: number; end: number; parts: string[] } | null {
  for (let start = 0; start < glob.length; start++) {
    if (glob[start] === "\\") start++;
    else if (glob[start] === "{") {
      let depth = 0;
      const commas: number[] = [];
      for (let i = start; i < glob.length; i++) {
        if (glob[i] === "\\") i++;
        else if (glob[i] === "{") depth++;
        else if (glob[i] === "}" && --depth === 0) {
          if (commas.length === 0) {
            if (/^\{[^{}]*\.\.[^{}]*\}$/.test(glob.slice(start, i + 1))) throw new GlobError("brace ranges such as {1..3} are not supported; list the values: {1,2,3}");
            break;
          }
          const bounds = [start, ...commas, i];
          return { start, end: i, parts: bounds.slice(0, -1).map((from, k) => glob.slice(from + 1, bounds[k + 1])) };
        } else if (glob[i] === "," && depth === 1) commas.push(i);
      }
    }
  }
  return null;
}

/**
 * The glob as steps: characters, `*` runs, and `**` segments. A first `**` segment matches
 * any number of folders (none included), a last one the path itself or anything below it, one
 * between two segments any number of folders between them; alone, it matches everything.
 */
function parse(glob: string, syntax: GlobSyntax): Step[] {
  const strict = syntax === "picomatch";
  const steps: Step[] = [];
  const segments = glob.split("/");
  const slash = () => steps.push(literalStep(SLASH));
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "**") {
      // Alone, or last after another `**` (whose folders end with their `/`): anything at all.
      if (segments.length === 1 || (last && segments[index - 1] === "**")) steps.push({ kind: "star", slash: true });
      else if (last && !strict) {
        // gitignore: everything inside the folder, not the folder itself.
        slash();
        steps.push({ kind: "star", slash: true });
      } else steps.push({ kind: last ? "tail" : "dirs" });
      return;
    }
    parseSegment(segment, steps, strict);
    // The separator, unless a final `**` brings its own.
    if (!last && !(segments[index + 1] === "**" && index + 1 === segments.length - 1)) slash();
  });
  return steps;
}

function parseSegment(segment: string, steps: Step[], strict: boolean): void {
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i] as string;
    if (strict && "@!+*?".includes(char) && segment[i + 1] === "(") throw new GlobError(`extglobs such as ${char}(…) are not supported; use {a,b}`);
    if (strict && (char === "(" || char === ")" || char === "|")) throw new GlobError(`"${char}" (a regular-expression group) is not supported; use {a,b}`);
    if (char === "\\") {
      const next = segment.charCodeAt(++i);
      if (!Number.isNaN(next)) steps.push(literalStep(next));
    } else if (char === "*") {
      while (segment[i + 1] === "*") i++;
      const previous = steps[steps.length - 1];
      if (!(previous?.kind === "star" && !previous.slash)) steps.push({ kind: "star", slash: false });
    } else if (char === "?") steps.push(charStep((code) => code !== SLASH));
    else if (char === "[" && segment.indexOf("]", i + 2) !== -1) i = parseClass(segment, i, steps);
    else steps.push(literalStep(segment.charCodeAt(i)));
  }
}

/** `[…]` at `start`: its test as a step; returns the index of its closing `]`. */
function parseClass(segment: string, start: number, steps: Step[]): number {
  let i = start + 1;
  const negated = segment[i] === "!" || segment[i] === "^";
  if (negated) i++;
  const tests: Array<(code: number) => boolean> = [];
  for (let first = true; i < segment.length && (first || segment[i] !== "]"); first = false) {
    const posix = /^\[:([a-z]+):\]/.exec(segment.slice(i));
    if (posix) {
      const test = POSIX[posix[1] as string];
      if (!test) throw new GlobError(`[:${posix[1]}:] is not a character class this matcher knows`);
      tests.push(test);
      i += posix[0].length;
      continue;
    }
    const low = segment[i] === "\\" ? segment.charCodeAt(++i) : segment.charCodeAt(i);
    if (segment[i + 1] === "-" && segment[i + 2] !== undefined && segment[i + 2] !== "]") {
      const high = segment[i + 2] === "\\" ? segment.charCodeAt(i + 3) : segment.charCodeAt(i + 2);
      tests.push((code) => code >= low && code <= high);
      i += segment[i + 2] === "\\" ? 4 : 3;
    } else {
      tests.push((code) => code === low);
      i++;
    }
  }
  steps.push(charStep((code) => code !== SLASH && tests.some((test) => test(code)) !== negated));
  return i;
}

function charStep(test: (code: number) => boolean, literal?: number): Step {
  return literal === undefined ? { kind: "char", test } : { kind: "char", test, literal };
}

/** A step that matches exactly this character. */
function literalStep(code: number): Step {
  return charStep((c) => c === code, code);
}

/**
 * The steps as a nondeterministic automaton, run by keeping the set of states reached
 * (Thompson's construction): state `s` is "the first `s` steps are matched".
 */
class Automaton {
  private readonly mark: Int32Array;
  private generation = 0;
  /** The literal characters the steps start and end with. */
  readonly head: string;
  readonly tail: string;

  constructor(private readonly steps: readonly Step[]) {
    // Two states per step: before it, and inside it (for `**/` and `/**`, which consume in two phases).
    this.mark = new Int32Array(steps.length * 2 + 2);
    const literals = steps.map((step) => (step.kind === "char" ? step.literal : undefined));
    const firstWild = literals.indexOf(undefined);
    const lastWild = literals.lastIndexOf(undefined);
    const text = (from: number, to: number) => (literals.slice(from, to) as number[]).map((code) => String.fromCharCode(code)).join("");
    this.head = text(0, firstWild === -1 ? literals.length : firstWild);
    this.tail = firstWild === -1 ? this.head : text(lastWild + 1, literals.length);
  }

  run(path: string): boolean {
    let current = this.closure([0], []);
    for (let i = 0; i < path.length && current.length > 0; i++) {
      const code = path.charCodeAt(i);
      const next: number[] = [];
      for (const state of current) this.consume(state, code, next);
      current = this.closure(next, []);
    }
    return current.includes(this.steps.length * 2);
  }

  /** States reached from `state` (even: before step k = state/2; odd: inside it) by reading `code`. */
  private consume(state: number, code: number, into: number[]): void {
    const step = this.steps[state >> 1];
    if (!step) return;
    const inside = (state & 1) === 1;
    if (step.kind === "char") {
      if (step.test(code)) into.push(state + 2);
    } else if (step.kind === "star") {
      if (step.slash || code !== SLASH) into.push(state);
    } else if (step.kind === "dirs") {
      // `(.*/)?`: inside, any character; a `/` may also end it.
      if (inside) {
        into.push(state);
        if (code === SLASH) into.push(state + 1);
      }
    } else if (inside || code === SLASH) {
      // `(/.*)?`: a `/` enters it, then anything.
      into.push(inside ? state : state + 1);
    }
  }

  /** Adds every state reachable without reading: skipping a star, entering or skipping `**`. */
  private closure(states: number[], out: number[]): number[] {
    const generation = ++this.generation;
    const stack = [...states];
    while (stack.length > 0) {
      const state = stack.pop() as number;
      if (this.mark[state] === generation) continue;
      this.mark[state] = generation;
      out.push(state);
      const step = this.steps[state >> 1];
      if (!step) continue;
      if ((state & 1) === 1) {
        // Inside `/.*`, the path may end at any point; inside `.*/`, only a `/` leaves.
        if (step.kind === "tail") stack.push(state + 1);
        continue;
      }
      if (step.kind === "star" || step.kind === "tail") stack.push(state + 2);
      if (step.kind === "dirs") stack.push(state + 1, state + 2);
    }
    return out;
  }
}
