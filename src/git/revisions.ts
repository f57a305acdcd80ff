import { UsageError } from "../errors.js";

/**
 * Which commits a history walk covers, as data rather than a ready-made argument list, so that
 * nothing a user, a CI payload, a pushed ref or a hook argument says can reach git as an option.
 * {@link revisionArgs} puts git's own pseudo-options (`--all`, `--remotes=`, `--not`) first and
 * every other value after `--end-of-options` (git 2.24+), where git reads it as a revision
 * whatever its first character (https://git-scm.com/docs/gitcli#_options).
 */
export interface Revisions {
  /** Commits, refs or ranges (`A..B`, `A...B`), each checked by {@link checkRevision}. */
  tips: readonly string[];
  /** Commits whose history is already known (the remote's old tips): excluded as `^<rev>`. */
  exclude?: readonly string[];
  /** Every ref and HEAD as tips (git's `--all`). */
  allRefs?: boolean;
  /** A remote's name: everything reachable from `refs/remotes/<name>/*` is excluded. */
  excludeRemote?: string;
  /** Everything reachable from any existing ref is excluded. */
  excludeAllRefs?: boolean;
  /**
   * Everything reachable from the refs these patterns match is excluded (git's `--glob=`:
   * https://git-scm.com/docs/git-rev-list#Documentation/git-rev-list.txt---globglob-pattern;
   * `*` also matches `/`): a server deciding what is new to it, counting only the refs its hook
   * guards. Each is checked by {@link checkRefPattern}.
   */
  excludeRefPatterns?: readonly string[];
  /** Only these paths (from the repository root): a pathspec after `--`, matched literally. */
  paths?: readonly string[];
}

/** Every ref: what `scan --history` walks by default. */
export const ALL_REFS: Revisions = { tips: [], allRefs: true };

/** Whether a walk of these revisions can hold any commit at all. */
export function isEmpty(revisions: Revisions): boolean {
  return !revisions.allRefs && revisions.tips.length === 0;
}

/**
 * The arguments for `git log` / `git rev-list`: pseudo-options, then `--end-of-options`, the
 * revisions, and `--` with the paths (or none).
 * @throws UsageError when a tip or exclusion starts with `-` or names an empty range end.
 */
export function revisionArgs(revisions: Revisions): string[] {
  const options: string[] = [];
  if (revisions.allRefs) options.push("--all");
  const negated: string[] = [];
  if (revisions.excludeAllRefs) negated.push("--all");
  for (const pattern of revisions.excludeRefPatterns ?? []) negated.push(`--glob=${checkRefPattern(pattern)}`);
  if (revisions.excludeRemote !== undefined) negated.push(`--remotes=${checkRemoteName(revisions.excludeRemote)}`);
  // `--not` flips every revision after it: once to exclude, once more so that later tips count again.
  if (negated.length > 0) options.push("--not", ...negated, "--not");
  for (const tip of revisions.tips) checkRevision(tip);
  for (const sha of revisions.exclude ?? []) checkRevision(sha);
  const paths = (revisions.paths ?? []).map((path) => `:(top,literal)${path}`);
  // A pathspec would simplify history away (a side branch that added and removed a key): keep all of it.
  const fullHistory = paths.length > 0 ? ["--full-history"] : [];
  return [...fullHistory, ...options, "--end-of-options", ...revisions.tips, ...(revisions.exclude ?? []).map((sha) => `^${sha}`), "--", ...paths];
}

/**
 * A value that reaches git as a revision must be one: a leading `-` would be read as an option
 * (`--output=/tmp/x` writes a file), and an empty range end (`..HEAD`, an unset `$BASE` in CI)
 * silently means HEAD — a range of nothing that passes.
 * @throws UsageError naming the value.
 */
export function checkRevision(revision: string): void {
  if (revision.trim() === "") throw new UsageError("an empty revision was given; name a commit, branch or range (A..B)");
  if (revision.startsWith("-")) throw new UsageError(`"${revision}" is not a revision (it starts with "-", which git would read as an option)`);
  if (/[\u0000-\u001f\u007f]/.test(revision)) throw new UsageError(`${JSON.stringify(revision)} is not a revision (it holds a control character)`);
  const range = /^(.*?)(\.\.\.?)(.*)$/.exec(revision);
  if (!range) return;
  const [, from = "", dots, to = ""] = range;
  if (from.trim() === "" || to.trim() === "") {
    throw new UsageError(`"${revision}" has an empty end: both sides of ${dots} must name a commit (is a variable such as $BASE unset?)`);
  }
  if (from.startsWith("-") || to.startsWith("-")) throw new UsageError(`"${revision}" is not a revision range (an end starts with "-")`);
}

/**
 * A remote name as git accepts one for `refs/remotes/<name>/`: no leading `-` or `.`, no glob
 * characters (`--remotes=` takes a pattern), no `..`, no spaces or controls.
 * @throws UsageError for anything else.
 */
export function checkRemoteName(name: string): string {
  if (!isRemoteName(name)) throw new UsageError(`"${name}" is not a remote name`);
  return name;
}

export function isRemoteName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/.test(name) && !name.includes("..") && !name.endsWith("/") && !name.endsWith(".lock");
}

/**
 * A ref pattern for git's `--glob=`: starts with `refs/`, then ref-name characters and the glob
 * characters `*`, `?`, `[`, `]` — no `..`, spaces, controls, `~^:\\` or `@{`.
 * @throws UsageError for anything else.
 */
export function checkRefPattern(pattern: string): string {
  if (!isRefPattern(pattern)) throw new UsageError(`"${pattern}" is not a ref pattern (refs/… with * ? [ ] as wildcards)`);
  return pattern;
}

export function isRefPattern(pattern: string): boolean {
  return REF_PATTERN.test(pattern) && !pattern.includes("..") && !pattern.includes("//");
}

/** The same pattern as schema/server.schema.json's `acceptedRefs` items. */
export const REF_PATTERN = /^refs\/[A-Za-z0-9._\/*?\[\]+=-]+$/;
