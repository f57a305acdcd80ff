import { createRequire } from "node:module";

/**
 * Configured regular expressions must never hang a scan. Two layers:
 *
 * 1. V8's linear-time engine (the `l` flag): a pattern it accepts runs in time linear in the
 *    input, whatever its shape. It exists only when the process was started with (or the CLI
 *    set) `--enable-experimental-regexp-engine`; the engine never changes that process-wide
 *    setting itself — inside a user's Vite or webpack build it is simply not there. It refuses
 *    backreferences and lookaround, and bounded repetition above 16 — so `[A-Za-z0-9]{32}`, the
 *    usual shape of a token, is first rewritten as `[A-Za-z0-9]{16}[A-Za-z0-9]{16}`, the same
 *    language.
 * 2. Anything else runs on the backtracking engine inside `vm` with a time limit per search;
 *    config loading has already rejected nested quantifiers (safe-regex2).
 *
 * See https://v8.dev/blog/non-backtracking-regexp for the linear-time engine.
 */
const MAX_LINEAR_REPEAT = 16;

/** `source` compiled for V8's linear-time engine, or null (engine not enabled, or the pattern needs backtracking). */
export function linearRegExp(source: string, flags: string): RegExp | null {
  for (const candidate of [source, splitBoundedRepeats(source)]) {
    try {
      return new RegExp(candidate, `${flags}l`);
    } catch {
      // Not linear as written: try the rewrite, then give up.
    }
  }
  return null;
}

/**
 * `X{n}`, `X{n,}` and `X{n,m}` on a single character, escape or character class, with n or m
 * over 16, written as runs of at most 16: `X{40}` → `X{16}X{16}X{8}`, `X{20,}` → `X{16}X{4}X*`,
 * `X{0,40}` → `X{0,16}X{0,16}X{0,8}`. Groups are left as they are (copying one would renumber
 * its captures).
 */
export function splitBoundedRepeats(source: string): string {
  let out = "";
  let atom = "";
  for (let i = 0; i < source.length; ) {
    const char = source[i] as string;
    if (char === "\\") {
      out += atom;
      atom = source.slice(i, i + 2);
      i += 2;
    } else if (char === "[") {
      out += atom;
      const end = classEnd(source, i);
      atom = source.slice(i, end);
      i = end;
    } else if (char === "{" && atom !== "") {
      const match = /^\{(\d+)(,(\d*))?\}(\??)/.exec(source.slice(i));
      if (!match) {
        out += atom + char;
        atom = "";
        i++;
        continue;
      }
      out += repeat(atom, Number(match[1]), match[2] === undefined ? Number(match[1]) : match[3] === "" ? Infinity : Number(match[3]), match[4] ?? "");
      atom = "";
      i += match[0].length;
    } else {
      out += atom;
      // Group syntax and other metacharacters are not atoms we rewrite.
      atom = "()|^$*+?.{}".includes(char) && char !== "." ? "" : char;
      if (atom === "") out += char;
      i++;
    }
  }
  return out + atom;
}

function classEnd(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === "\\") i++;
    else if (source[i] === "]" && i > start + 1) return i + 1;
  }
  return source.length;
}

function repeat(atom: string, min: number, max: number, lazy: string): string {
  if (min <= MAX_LINEAR_REPEAT && (max <= MAX_LINEAR_REPEAT || max === Infinity) && !(max === Infinity && min > MAX_LINEAR_REPEAT)) {
    return `${atom}{${min}${max === min ? "" : `,${max === Infinity ? "" : max}`}}${lazy}`;
  }
  let out = "";
  for (let left = min; left > 0; left -= MAX_LINEAR_REPEAT) out += `${atom}{${Math.min(left, MAX_LINEAR_REPEAT)}}${lazy}`;
  if (max === Infinity) return `${out}${atom}*${lazy}`;
  for (let left = max - min; left > 0; left -= MAX_LINEAR_REPEAT) out += `${atom}{0,${Math.min(left, MAX_LINEAR_REPEAT)}}${lazy}`;
  return out;
}

type Vm = typeof import("node:vm");
let vm: Vm | undefined;
let script: import("node:vm").Script | undefined;
/** One context per pattern, reused for every search with it (making a context costs far more than a search). */
const contexts = new WeakMap<RegExp, import("node:vm").Context>();

/**
 * A search that runs out of time is tried once more with this many times the limit before it
 * counts as out of time: the limit is wall-clock time, and on a busy machine (a CI runner, a
 * commit hook beside a build) a fast search can be descheduled for longer than the limit.
 */
const RETRY_FACTOR = 4;

/**
 * Every match of a backtracking `regex` (global) in `text`, each search limited to `timeoutMs`
 * of wall-clock time (a search out of time is retried once with {@link RETRY_FACTOR} times the
 * limit); null when it still ran out of time (the rest of the input is then not searched with it).
 */
export function boundedMatches(regex: RegExp, text: string, timeoutMs: number): RegExpExecArray[] | null {
  vm ??= createRequire(import.meta.url)("node:vm") as Vm;
  script ??= new vm.Script("found = []; re.lastIndex = 0; for (let m = re.exec(text); m; m = re.exec(text)) { found.push(m); if (m[0].length === 0) re.lastIndex++; }");
  let context = contexts.get(regex);
  if (!context) contexts.set(regex, (context = vm.createContext({ re: regex, text: "", found: [] as RegExpExecArray[] })));
  context["text"] = text;
  try {
    for (const limit of [timeoutMs, timeoutMs * RETRY_FACTOR]) {
      try {
        script.runInContext(context, { timeout: limit });
        return context["found"] as RegExpExecArray[];
      } catch {
        // Out of time (or the pattern threw): once more with a longer limit, then give up.
      }
    }
    return null;
  } finally {
    context["text"] = "";
    context["found"] = [];
  }
}
