import { existsSync, lstatSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { KEY_ROTATION_RULE_ID, type EnvKey, type RotationOptions } from "../../rules/key-rotation-due.js";
import type { ResolvedConfig } from "../config/resolve-config.js";
import { scrubKeys } from "../detectors/lumenfall/index.js";
import { envForPath, runGit } from "../git/run-git.js";
import type { ScanSession } from "../scanning/session.js";
import type { Warning } from "../types.js";
import { keyAgesPath, readKeyAges, writeKeyAges, type KeyAges } from "./key-ages-file.js";

/**
 * Key ages for the `key-rotation-due` rule (config `rotation`), kept by working-tree scans:
 * before the scan the recorded first-seen dates become the rule's options; after it the keys
 * the rule saw for the first time are recorded (see rules/key-rotation-due.ts for the whole
 * design, and ./key-ages-file.ts for the file).
 */
export interface KeyAgeTracker {
  /** The configuration to plan the scan with: the rule's options carry today and the first-seen dates. */
  resolved: ResolvedConfig;
  /**
   * After the scan: records the keys seen for the first time, forgets keys no longer in the
   * files that were read, and writes the state file when anything changed.
   * @returns warnings for the report (a state file that could not be written); never throws for that.
   */
  record(session: ScanSession): Warning[];
}

/** One key in one env file, as the state file records it. */
export interface Sighting {
  /** The env file's path from the repository root, `/`-separated. */
  file: string;
  fingerprint: string;
}

/** Today as the state file writes dates: the UTC calendar day, `YYYY-MM-DD`. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Starts key-age tracking for a working-tree scan of `scanRoot`, or returns null when the
 * config sets no `rotation`. When the ages cannot be read (not a git repository, a state file
 * that is a link or unreadable), the scan runs without them and `warn` says why.
 */
export function trackKeyAges(resolved: ResolvedConfig, scanRoot: string, env: NodeJS.ProcessEnv, warn: (warning: Warning) => void, now = new Date()): KeyAgeTracker | null {
  const maxAgeDays = resolved.loaded.config.rotation?.maxAgeDays;
  if (maxAgeDays === undefined) return null;
  const repository = locateRepository(scanRoot, env);
  if (repository === null) {
    warn({ code: "key-ages", message: `rotation.maxAgeDays is set, but ${scanRoot} is not in a git repository: key ages are kept in its .git folder, so they are not tracked here` });
    return null;
  }
  const unsafe = unsafeGitDir(repository.root, repository.gitCommonDir, env);
  if (unsafe !== null) {
    warn({ code: "key-ages", message: `key ages were not checked: ${unsafe}; the state file is kept only in a repository's own git directory` });
    return null;
  }
  const file = keyAgesPath(repository.gitCommonDir);
  let ages: KeyAges;
  try {
    ages = readKeyAges(file, repository.gitCommonDir);
  } catch (error) {
    warn({ code: "key-ages", message: `key ages were not checked: ${(error as Error).message}` });
    return null;
  }
  const today = utcDay(now);
  const options: RotationOptions = { maxAgeDays, today, firstSeen: firstSeenByKey(ages) };
  return {
    resolved: { ...resolved, ruleOptions: new Map([...resolved.ruleOptions, [KEY_ROTATION_RULE_ID, options]]) },
    record(session) {
      const seen = sightingsOf(session, repository.root);
      const updated = recordSightings(ages, seen, today, (path) => existsSync(join(repository.root, path)));
      if (JSON.stringify(updated) === JSON.stringify(ages)) return [];
      try {
        writeKeyAges(file, updated, repository.gitCommonDir);
        return [];
      } catch (error) {
        return [{ code: "key-ages", message: `key ages could not be recorded: ${(error as Error).message}` }];
      }
    },
  };
}

/** The earliest date each fingerprint was seen in any env file: a key moved to another file keeps its age. */
export function firstSeenByKey(ages: KeyAges): Record<string, string> {
  const first: Record<string, string> = {};
  for (const keys of Object.values(ages.files)) {
    for (const [fingerprint, date] of Object.entries(keys)) if (!(fingerprint in first) || date < first[fingerprint]!) first[fingerprint] = date;
  }
  return first;
}

/**
 * The ages after a scan whose env files holding Lumenfall keys are `seen` (each key in each such
 * file): such a file now records exactly the keys it holds — one new to it gets the date it was
 * first seen in any file, else `today`; one it no longer holds is forgotten there. Other files
 * keep their entries while they exist. Pure: `exists` answers for a path from the repository root.
 */
export function recordSightings(ages: KeyAges, seen: readonly Sighting[], today: string, exists: (path: string) => boolean): KeyAges {
  const first = firstSeenByKey(ages);
  const read = new Map<string, Set<string>>();
  for (const { file, fingerprint } of seen) read.set(file, (read.get(file) ?? new Set()).add(fingerprint));
  const files: KeyAges["files"] = {};
  for (const [path, keys] of Object.entries(ages.files)) {
    if (read.has(path) || !exists(path)) continue;
    files[path] = { ...keys };
  }
  for (const [path, fingerprints] of read) {
    const before = ages.files[path] ?? {};
    files[path] = Object.fromEntries([...fingerprints].map((fingerprint) => [fingerprint, before[fingerprint] ?? first[fingerprint] ?? today]));
  }
  return { version: 1, files };
}

/**
 * The keys the rule kept from the env files of this repository, by path from its root. Files
 * of another repository (a second path given to the scan) and names that hold something
 * key-shaped (the state file must never hold a key, even in a file name) are left out.
 */
function sightingsOf(session: ScanSession, repoRoot: string): Sighting[] {
  const seen: Sighting[] = [];
  for (const { item, file } of session.collectedBy(KEY_ROTATION_RULE_ID)) {
    // git names the top with links resolved; the scan names files as the user's path did.
    const inside = relative(repoRoot, join(realPath(dirname(file.absPath)), basename(file.absPath)));
    if (!file.repoPath || inside.startsWith("..") || isAbsolute(inside) || scrubKeys(file.repoPath) !== file.repoPath) continue;
    seen.push({ file: file.repoPath, fingerprint: (item as EnvKey).key.fingerprint });
  }
  return seen;
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Why the git directory is not one to keep state in, or null when it is. A folder whose `.git`
 * is a symbolic link (an unpacked archive can hold one, pointing at another repository of the
 * user's) would have lumenguard write into the link's target. Accepted:
 * - `.git` a real directory (not a link), which is the common git directory;
 * - `.git` a gitfile (https://git-scm.com/docs/gitrepository-layout, "gitdir: <path>") of a
 *   linked worktree whose git directory links back to this `.git` (its `gitdir` file, which
 *   `git worktree add` writes), or of a submodule whose git directory's `core.worktree` is this
 *   folder — both written by git for this checkout, never by the content of a checkout;
 * and in both the common git directory must be a real directory, not a link.
 */
export function unsafeGitDir(root: string, gitCommonDir: string, env: NodeJS.ProcessEnv): string | null {
  const dotGit = join(root, ".git");
  const kind = lstatKind(dotGit);
  if (lstatKind(gitCommonDir) !== "directory") return `${gitCommonDir} is not a directory (a symbolic link, or missing)`;
  if (kind === "directory") {
    return realPath(dotGit) === realPath(gitCommonDir) ? null : `${dotGit} is not the repository's git directory (${gitCommonDir})`;
  }
  if (kind !== "file") return kind === "link" ? `${dotGit} is a symbolic link` : `${root} has no .git of its own`;
  let gitDir: string;
  try {
    const text = readFileSync(dotGit, "utf8");
    const named = /^gitdir: (.+?)\r?\n?$/.exec(text.slice(0, 4096));
    if (!named) return `${dotGit} is not a gitfile`;
    gitDir = resolve(root, named[1]!);
  } catch (error) {
    return `${dotGit} cannot be read (${(error as Error).message})`;
  }
  const backLink = join(gitDir, "gitdir");
  if (lstatKind(backLink) === "file") {
    const back = readFileSync(backLink, "utf8").trim();
    return realPath(resolve(gitDir, back)) === realPath(dotGit) ? null : `${dotGit} names the git directory of another worktree (${gitDir})`;
  }
  const worktree = runGit(["config", "--file", join(gitDir, "config"), "--get", "core.worktree"], root, envForPath(env));
  const named = worktree.stdout.toString("utf8").trim();
  if (worktree.status === 0 && named !== "" && realPath(resolve(gitDir, named)) === realPath(root)) return null;
  return `${dotGit} names a git directory (${gitDir}) that does not name this folder back`;
}

function lstatKind(path: string): "directory" | "file" | "link" | "other" | "missing" {
  try {
    const stat = lstatSync(path);
    return stat.isSymbolicLink() ? "link" : stat.isDirectory() ? "directory" : stat.isFile() ? "file" : "other";
  } catch {
    return "missing";
  }
}

/** The work tree's top and the git directory its worktrees share, or null outside a repository (or without git). */
function locateRepository(dir: string, env: NodeJS.ProcessEnv): { root: string; gitCommonDir: string } | null {
  try {
    const result = runGit(["rev-parse", "--show-toplevel", "--git-common-dir"], dir, envForPath(env));
    const [top, common] = result.stdout.toString("utf8").split("\n");
    if (result.status !== 0 || !top || !common) return null;
    return { root: resolve(dir, top), gitCommonDir: resolve(dir, common) };
  } catch {
    return null;
  }
}
