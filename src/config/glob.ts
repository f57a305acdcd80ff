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
 * `[[:alpha:]]`-style classes, `{a,b}` alternatives (nested, at most {@link MAX_ALTERNATIVES}
 * per glob, and at most {@link MAX_TOTAL_ALTERNATIVES} for the globs that share a {@link BraceBudget}),
 * `\` escapes. Extglobs (`@(a|b)`, `!(a)`), regex groups and a leading `!` are refused with a
 * {@link GlobError}. `.gitignore` patterns use the same matcher without braces (gitignore.ts).
 */
export class GlobError extends Error {}

/** How many globs one glob's braces may expand to. */
export const MAX_ALTERNATIVES = 256;
/**
 * How many globs the braces of a list of globs (a config's `ignore`) may expand to together,
 * and how many characters those globs may hold together. Braces are matched by expanding them,
 * one automaton per alternative (about a kilobyte each): 10,000 globs of 256 alternatives each
 * would take gigabytes, while these caps keep a list to a few tens of megabytes. A list without
 * braces stays under both, since a config file holds at most 1 MiB.
 */
export const MAX_TOTAL_ALTERNATIVES = 20_000;
export const MAX_TOTAL_CHARACTERS = 4 << 20;

/**
 * What is left of {@link MAX_TOTAL_ALTERNATIVES} and {@link MAX_TOTAL_CHARACTERS} for a list of
 * globs compiled one by one: pass the same budget to {@link compileGlob} for each.
 */
export interface BraceBudget {
  alternatives: number;
  characters: number;
}

/** A fresh budget for one list of globs. */
export function braceBudget(): BraceBudget {
  return { alternatives: MAX_TOTAL_ALTERNATIVES, characters: MAX_TOTAL_CHARACTERS };
}

/** A compiled glob: `test` for a `/`-separated relative path. */
export interface CompiledGlob {
  test(path: string): boolean;
  /** The whole glob when it holds no wildcard: callers may look such globs up by equality. */
  literal: string | null;
  /** Text every match starts, and ends, with (empty when there is none): for indexes and quick rejection. */
  head: string;
  tail: string;
  /**
   * The characters every match contains, as bits (`charMask`): a path whose mask lacks one of
   * them cannot match, which one `&` tells before any other work.
   */
  mask: number;
}

/** Bit `code % 31` for each character of `text`: a cheap superset of which characters it holds. */
export function charMask(text: string): number {
  let mask = 0;
  for (let i = 0; i < text.length; i++) mask |= 1 << (text.charCodeAt(i) % 31);
  return mask;
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

/**
 * Compiles one glob. `budget`, shared by the globs of one list, is what their brace expansions
 * may still use; it is spent as this glob's braces expand (a fresh one when not given).
 * @throws GlobError for syntax this matcher refuses (extglobs, groups, negation), for braces
 *   that expand to more than {@link MAX_ALTERNATIVES} globs, and when the budget runs out —
 *   checked while expanding, so a refused glob never takes the memory it would have.
 */
export function compileGlob(glob: string, syntax: GlobSyntax = "picomatch", budget: BraceBudget = braceBudget()): CompiledGlob {
  const picomatch = syntax === "picomatch";
  if (picomatch && glob.startsWith("!")) throw new GlobError("a leading ! (negation) is not supported here");
  const source = picomatch ? glob.replace(/^(?:\.\/)+/, "") : glob;
  const alternatives: string[] = [];
  for (const alternative of picomatch ? expandBraces(source) : [source]) {
    if (alternatives.length === MAX_ALTERNATIVES) throw new GlobError(`its braces expand to more than ${MAX_ALTERNATIVES} alternatives`);
    budget.alternatives -= 1;
    budget.characters -= alternative.length;
    if (budget.alternatives < 0 || budget.characters < 0) {
      throw new GlobError(
        `with braces expanded, the globs up to this one come to more than ${MAX_TOTAL_ALTERNATIVES.toLocaleString("en-US")} globs or ${MAX_TOTAL_CHARACTERS >> 20} MiB in all; use a wildcard where braces list many names`,
      );
    }
    alternatives.push(alternative);
  }
  const automata = alternatives.map((alternative) => new Automaton(parse(alternative, syntax)));
  const literal = alternatives.length === 1 && !/[*?[\\]/.test(source) ? source : null;
  return {
    literal,
    head: commonPrefix(automata.map((automaton) => automaton.head)),
    tail: commonSuffix(automata.map((automaton) => automaton.tail)),
    mask: automata.reduce((mask, automaton) => mask & automaton.mask, -1),
    test: (path) => automata.some((automaton) => automaton.mayMatch(path) && automaton.run(path)),
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

/**
 * `{a,b}c` → `ac`, `bc`; nested braces too. A brace without a comma at its level is literal.
 * Yields one glob at a time, so its caller can stop before the expansions add up.
 */
function* expandBraces(glob: string): Generator<string> {
  const open = findBrace(glob);
  if (open === null) {
    yield glob;
    return;
  }
  const { start, end, parts } = open;
  for (const part of parts) yield* expandBraces(glob.slice(0, start) + part + glob.slice(end + 1));
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

/** Step kinds, as the automaton stores them: one byte per step. */
const LITERAL = 0;
const CLASS = 1;
const STAR = 2;
const STAR_SLASH = 3;
const DIRS = 4;
const TAIL = 5;

/**
 * Scratch space every automaton shares (only one runs at a time): the state lists of one step
 * and the next, the closure stack, and the marks of states already reached, stamped with a
 * generation number so they never need clearing. Keeping them here, not per automaton, keeps
 * a compiled glob to two small typed arrays — 20,000 of them fit in a few megabytes.
 */
const scratch = { current: new Int32Array(64), next: new Int32Array(64), stack: new Int32Array(130), mark: new Int32Array(64), generation: 0 };

function ensureScratch(states: number): void {
  if (scratch.current.length >= states) return;
  const size = Math.max(states, scratch.current.length * 2);
  scratch.current = new Int32Array(size);
  scratch.next = new Int32Array(size);
  scratch.stack = new Int32Array(size * 2 + 2);
  scratch.mark = new Int32Array(size);
  scratch.generation = 0;
}

function nextGeneration(): number {
  if (scratch.generation >= 0x7ffffff0) {
    scratch.mark.fill(0);
    scratch.generation = 0;
  }
  return ++scratch.generation;
}

/**
 * The steps as a nondeterministic automaton, run by keeping the set of states reached
 * (Thompson's construction): state `s` is "the first `s` steps are matched". Stored as one
 * byte of kind and one integer (a character code, or a class's index) per step.
 */
class Automaton {
  private readonly kinds: Uint8Array;
  private readonly args: Int32Array;
  private readonly classes: Array<(code: number) => boolean>;
  /** The literal characters the steps start and end with. */
  readonly head: string;
  readonly tail: string;
  /** Every run of literal characters: each match contains them all, and `includes` rejects most paths faster than a run. */
  private readonly runs: string[] = [];
  /** {@link charMask} of every literal character of the steps. */
  readonly mask: number;

  constructor(steps: readonly Step[]) {
    this.kinds = new Uint8Array(steps.length);
    this.args = new Int32Array(steps.length);
    this.classes = [];
    steps.forEach((step, index) => {
      if (step.kind === "char" && step.literal !== undefined) this.args[index] = step.literal;
      else if (step.kind === "char") {
        this.kinds[index] = CLASS;
        this.args[index] = this.classes.push(step.test) - 1;
      } else this.kinds[index] = step.kind === "star" ? (step.slash ? STAR_SLASH : STAR) : step.kind === "dirs" ? DIRS : TAIL;
    });
    const literals = steps.map((step) => (step.kind === "char" ? step.literal : undefined));
    const firstWild = literals.indexOf(undefined);
    const lastWild = literals.lastIndexOf(undefined);
    const text = (from: number, to: number) => (literals.slice(from, to) as number[]).map((code) => String.fromCharCode(code)).join("");
    this.head = text(0, firstWild === -1 ? literals.length : firstWild);
    this.tail = firstWild === -1 ? this.head : text(lastWild + 1, literals.length);
    for (let from = 0; from < literals.length; from++) {
      if (literals[from] === undefined) continue;
      let to = from;
      while (to < literals.length && literals[to] !== undefined) to++;
      if (to - from >= 2) this.runs.push(text(from, to));
      from = to;
    }
    this.mask = charMask((literals.filter((code) => code !== undefined) as number[]).map((code) => String.fromCharCode(code)).join(""));
  }

  /** Quick checks every match passes: its literal head, tail and runs. */
  mayMatch(path: string): boolean {
    return path.startsWith(this.head) && path.endsWith(this.tail) && this.runs.every((run) => path.includes(run));
  }

  run(path: string): boolean {
    // Two states per step: before it, and inside it (for `**/` and `/**`, which consume in two phases).
    const accept = this.kinds.length * 2;
    ensureScratch(accept + 2);
    let current = scratch.current;
    let next = scratch.next;
    let count = this.close(0, current, 0, nextGeneration());
    for (let i = 0; i < path.length && count > 0; i++) {
      const code = path.charCodeAt(i);
      const generation = nextGeneration();
      let reached = 0;
      for (let k = 0; k < count; k++) {
        const state = current[k] as number;
        const at = state >> 1;
        if (at >= this.kinds.length) continue;
        const kind = this.kinds[at] as number;
        const inside = (state & 1) === 1;
        if (kind === LITERAL) {
          if (code === this.args[at]) reached = this.close(state + 2, next, reached, generation);
        } else if (kind === CLASS) {
          if ((this.classes[this.args[at] as number] as (code: number) => boolean)(code)) reached = this.close(state + 2, next, reached, generation);
        } else if (kind === STAR || kind === STAR_SLASH) {
          if (kind === STAR_SLASH || code !== SLASH) reached = this.close(state, next, reached, generation);
        } else if (kind === DIRS) {
          // Inside `.*` then `/`: any character stays inside; a `/` may also end it.
          if (inside) {
            reached = this.close(state, next, reached, generation);
            if (code === SLASH) reached = this.close(state + 1, next, reached, generation);
          }
        } else if (inside || code === SLASH) {
          // `/` then `.*`: a `/` enters it, then anything.
          reached = this.close(inside ? state : state + 1, next, reached, generation);
        }
      }
      [current, next] = [next, current];
      count = reached;
    }
    for (let k = 0; k < count; k++) if (current[k] === accept) return true;
    return false;
  }

  /**
   * Adds `state` and every state reachable from it without reading (skipping a star, entering
   * or skipping `**`) to `into` after its first `count` entries; returns the new count.
   */
  private close(state: number, into: Int32Array, count: number, generation: number): number {
    const { stack, mark } = scratch;
    let top = 0;
    stack[top++] = state;
    while (top > 0) {
      const at = stack[--top] as number;
      if (mark[at] === generation) continue;
      mark[at] = generation;
      into[count++] = at;
      const index = at >> 1;
      if (index >= this.kinds.length) continue;
      const kind = this.kinds[index] as number;
      if ((at & 1) === 1) {
        // Inside `/.*` the path may end at any point; inside `.*/` only a `/` leaves.
        if (kind === TAIL) stack[top++] = at + 1;
        continue;
      }
      if (kind === STAR || kind === STAR_SLASH || kind === TAIL) stack[top++] = at + 2;
      if (kind === DIRS) {
        stack[top++] = at + 1;
        stack[top++] = at + 2;
      }
    }
    return count;
  }
}
