import { compileGlob, type CompiledGlob } from "../config/glob.js";

/**
 * One `.gitignore` file's rules, as git reads them (https://git-scm.com/docs/gitignore), for
 * walks outside a repository. A path is decided by the last rule that matches it. Rules without
 * wildcards — most of a long generated `.gitignore` — are looked up by name or path in a hash
 * map; the others are tried from the last backwards, through the linear-time glob matcher, and
 * only those after the last literal match: a 20,000-rule file costs a few lookups per path, not
 * 20,000 regular-expression runs.
 *
 * Only the path itself is decided here: a walk does not enter a folder that is ignored, which is
 * how git's "a file cannot be re-included if a parent directory is excluded" holds.
 */
interface Rule {
  /** Its position in the file: the last matching rule wins. */
  index: number;
  negative: boolean;
  /** A trailing `/`: the rule matches folders only. */
  dirOnly: boolean;
}

interface GlobRule extends Rule {
  /** Matched against the path relative to the `.gitignore`'s folder, else against the name alone. */
  anchored: boolean;
  glob: CompiledGlob;
  head: string;
  tail: string;
}

/**
 * Wildcard rules by a literal they need: the last two characters of their literal tail
 * (`*.log` → `og`), else the first two of their literal head (`build-*` → `bu`), else none — so
 * a path is tried only against the rules that could match it, plus the few that could match
 * anything.
 */
class GlobIndex {
  private readonly byTail = new Map<string, GlobRule[]>();
  private readonly byHead = new Map<string, GlobRule[]>();
  private readonly rest: GlobRule[] = [];

  add(rule: GlobRule): void {
    if (rule.tail.length >= 2) push(this.byTail, rule.tail.slice(-2), rule);
    else if (rule.head.length >= 2) push(this.byHead, rule.head.slice(0, 2), rule);
    else this.rest.push(rule);
  }

  /** The rules that could match `target`, the last-added first. */
  candidates(target: string): GlobRule[] {
    const lists = [this.byTail.get(target.slice(-2)), this.byHead.get(target.slice(0, 2)), this.rest].filter((list): list is GlobRule[] => list !== undefined && list.length > 0);
    if (lists.length === 1) return [...(lists[0] as GlobRule[])].reverse();
    return lists.flat().sort((a, b) => b.index - a.index);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export type IgnoreVerdict = "ignored" | "unignored" | null;

export class GitignoreRules {
  /** Literal rules without a `/`: by the name they match. */
  private readonly byName = new Map<string, Rule[]>();
  /** Literal rules with a `/`: by the path they match, relative to the `.gitignore`'s folder. */
  private readonly byPath = new Map<string, Rule[]>();
  /** Wildcard rules matched against the name alone, and against the relative path. */
  private readonly nameGlobs = new GlobIndex();
  private readonly pathGlobs = new GlobIndex();

  constructor(text: string) {
    text.split("\n").forEach((line, index) => this.add(line, index));
  }

  /** `rel`: `/`-separated, relative to the `.gitignore`'s folder. */
  verdict(rel: string, isDir: boolean): IgnoreVerdict {
    const name = rel.slice(rel.lastIndexOf("/") + 1);
    let best: Rule | null = null;
    for (const rule of [...(this.byName.get(name) ?? []), ...(this.byPath.get(rel) ?? [])]) {
      if ((!rule.dirOnly || isDir) && (best === null || rule.index > best.index)) best = rule;
    }
    const candidates = [...this.nameGlobs.candidates(name), ...this.pathGlobs.candidates(rel)].sort((a, b) => b.index - a.index);
    for (const rule of candidates) {
      if (best !== null && rule.index < best.index) break;
      if (rule.dirOnly && !isDir) continue;
      const target = rule.anchored ? rel : name;
      if (rule.glob.test(target)) {
        best = rule;
        break;
      }
    }
    return best === null ? null : best.negative ? "unignored" : "ignored";
  }

  private add(raw: string, index: number): void {
    let pattern = trimTrailingSpaces(raw.endsWith("\r") ? raw.slice(0, -1) : raw);
    if (pattern === "" || pattern.startsWith("#")) return;
    const negative = pattern.startsWith("!");
    if (negative) pattern = pattern.slice(1);
    const dirOnly = pattern.endsWith("/") && !pattern.endsWith("\\/");
    if (dirOnly) pattern = pattern.slice(0, -1);
    const anchored = pattern.includes("/");
    if (pattern.startsWith("/")) pattern = pattern.slice(1);
    if (pattern === "") return;
    const rule = { index, negative, dirOnly };
    if (!/[*?[\\]/.test(pattern)) {
      const map = anchored ? this.byPath : this.byName;
      map.set(pattern, [...(map.get(pattern) ?? []), rule]);
      return;
    }
    const compiled = compileGlob(pattern, "gitignore");
    const glob = { ...rule, anchored, glob: compiled, head: compiled.head, tail: compiled.tail };
    (anchored ? this.pathGlobs : this.nameGlobs).add(glob);
  }
}

/** Trailing spaces are dropped unless escaped with a backslash (which is then dropped). */
function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === " ") {
    let backslashes = 0;
    while (line[end - 2 - backslashes] === "\\") backslashes++;
    if (backslashes % 2 === 1) return `${line.slice(0, end - 2)} `;
    end--;
  }
  return line.slice(0, end);
}
