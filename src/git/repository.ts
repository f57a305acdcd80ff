import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ScanError } from "../errors.js";
import { revisionArgs, type Revisions } from "./revisions.js";
import { runGit } from "./run-git.js";

/**
 * Facts about the repository a history scan walks, from one `git rev-parse`: where its files
 * are, whether it is bare, and whether the clone is shallow and where its
 * history stops, or partial, with objects that were never fetched.
 */
export interface RepositoryFacts {
  /** The work tree's top, or the repository folder itself when bare. */
  root: string;
  bare: boolean;
  /** Commits where a shallow clone's history stops (empty when it is complete). */
  shallowBoundary: string[];
  /** A partial clone (a promisor remote): some objects may be missing. */
  partial: boolean;
  /** The git directory shared by all worktrees (holds `lfs/objects`, where Git LFS keeps content locally). */
  commonDir: string;
}

export function inspectRepository(cwd: string, env: NodeJS.ProcessEnv): RepositoryFacts {
  // --show-toplevel comes last: in a bare repository it fails after the others have answered.
  const result = runGit(["rev-parse", "--is-bare-repository", "--is-shallow-repository", "--git-path", "shallow", "--git-common-dir", "--show-toplevel"], cwd, env);
  const [bare, shallow, shallowFile, commonDir, top] = result.stdout.toString("utf8").split("\n");
  if (bare === undefined || shallow === undefined || commonDir === undefined || (result.status !== 0 && bare !== "true")) {
    const reason = /not a git repository/i.test(result.stderr) ? `${cwd} is not inside a git repository` : result.stderr;
    throw new ScanError(`${reason}: history scans need a repository`);
  }
  return {
    root: bare === "true" || !top ? resolve(cwd) : top,
    bare: bare === "true",
    shallowBoundary: shallow === "true" && shallowFile ? readShallowFile(resolve(cwd, shallowFile)) : [],
    // Older git marks a partial clone with extensions.partialClone, newer with remote.<name>.promisor.
    partial: runGit(["config", "--get-regexp", "^(extensions\\.partialclone|remote\\..*\\.promisor)$"], cwd, env).status === 0,
    commonDir: resolve(cwd, commonDir),
  };
}

function readShallowFile(path: string): string[] {
  try {
    return readFileSync(path, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Objects a partial clone never fetched, among those reachable from `revisions`. Asked with
 * `--missing=print`, which lists them without fetching; reading one through cat-file would
 * make git fetch it from the promisor remote, so they are left out instead, and counted.
 */
export function missingObjects(revisions: Revisions, cwd: string, env: NodeJS.ProcessEnv): Set<string> {
  const result = runGit(["rev-list", "--objects", "--missing=print", ...revisionArgs(revisions)], cwd, env);
  if (result.status !== 0) throw new ScanError(`git rev-list failed: ${result.stderr}`);
  const missing = new Set<string>();
  for (const line of result.stdout.toString("utf8").split("\n")) if (line.startsWith("?")) missing.add(line.slice(1).trim());
  return missing;
}
