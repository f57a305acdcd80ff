import { charMask, compileGlob, type CompiledGlob } from "../config/glob.js";

/**
 * One `.gitignore` file's rules, as git reads them (https://git-scm.com/docs/gitignore), for
 * walks outside a repository. A path is decided by the last rule that matches it. Rules without
 * wildcards — most of a long generated `.gitignore` — are looked up by name or path in a hash
 * map. The others are indexed by the literal text they end or start with, and each is first
 * checked against the characters the path holds (a bit mask, kept in a typed array so that
 * thousands are checked per microsecond) before the linear-time glob matcher runs: a
 * 20,000-rule file costs a few lookups per path, not 20,000 regular-expression runs.
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
}

/** What a rule is matched against: a path, its name, and the character masks of both. */
interface Target {
  rel: string;
  name: string;
  relMask: number;
  nameMask: number;
  isDir: boolean;
}

export type IgnoreVerdict = "ignored" | "unignored" | null;

export class GitignoreRules {
  /** Literal rules without a `/`: by the name they match. */
  private readonly byName = new Map<string, Rule[]>();
  /** Literal rules with a `/`: by the path they match, relative to the `.gitignore`'s folder. */
  private readonly byPath = new Map<string, Rule[]>();
  private readonly byTail = new Map<string, RuleList>();
  private readonly byHead = new Map<string, RuleList>();
  private readonly rest = new RuleList();

  constructor(text: string) {
    text.split("\n").forEach((line, index) => this.add(line, index));
  }

  /** `rel`: `/`-separated, relative to the `.gitignore`'s folder. */
  verdict(rel: string, isDir: boolean): IgnoreVerdict {
    const name = rel.slice(rel.lastIndexOf("/") + 1);
    let best: Rule | null = null;
    for (const literals of [this.byName.get(name), this.byPath.get(rel)]) {
      for (const rule of literals ?? []) if ((!rule.dirOnly || isDir) && (best === null || rule.index > best.index)) best = rule;
    }
    const target: Target = { rel, name, relMask: charMask(rel), nameMask: charMask(name), isDir };
    // Each list is in file order: the last match of each, after the best so far, competes.
    for (const list of [this.byTail.get(name.slice(-2)), this.byTail.get(rel.slice(-2)), this.byHead.get(name.slice(0, 2)), this.byHead.get(rel.slice(0, 2)), this.rest]) {
      const found = list?.lastMatch(best === null ? -1 : best.index, target);
      if (found) best = found;
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
    const glob = compileGlob(pattern, "gitignore");
    const list = glob.tail.length >= 2 ? listFor(this.byTail, glob.tail.slice(-2)) : glob.head.length >= 2 ? listFor(this.byHead, glob.head.slice(0, 2)) : this.rest;
    list.add({ ...rule, anchored, glob });
  }
}

function listFor(map: Map<string, RuleList>, key: string): RuleList {
  let list = map.get(key);
  if (!list) map.set(key, (list = new RuleList()));
  return list;
}

/** Wildcard rules in file order, with their indexes and character masks side by side in typed arrays. */
class RuleList {
  private readonly rules: GlobRule[] = [];
  private indexes: Int32Array = new Int32Array(8);
  private masks: Int32Array = new Int32Array(8);

  add(rule: GlobRule): void {
    if (this.rules.length === this.indexes.length) {
      this.indexes = grow(this.indexes);
      this.masks = grow(this.masks);
    }
    this.indexes[this.rules.length] = rule.index;
    this.masks[this.rules.length] = rule.glob.mask;
    this.rules.push(rule);
  }

  /** The last rule after `floor` (a rule index) that matches, or null. */
  lastMatch(floor: number, target: Target): GlobRule | null {
    const { indexes, masks } = this;
    const eitherMask = target.nameMask | target.relMask;
    for (let k = this.rules.length - 1; k >= 0 && (indexes[k] as number) > floor; k--) {
      // Cheap first: a rule needing a character neither the name nor the path holds cannot match.
      if (((masks[k] as number) & ~eitherMask) !== 0) continue;
      const rule = this.rules[k] as GlobRule;
      if (rule.dirOnly && !target.isDir) continue;
      if (((masks[k] as number) & ~(rule.anchored ? target.relMask : target.nameMask)) !== 0) continue;
      if (rule.glob.test(rule.anchored ? target.rel : target.name)) return rule;
    }
    return null;
  }
}

function grow(array: Int32Array): Int32Array {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
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
