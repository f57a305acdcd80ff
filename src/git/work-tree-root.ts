import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ScanError } from "../errors.js";
import { runGit } from "./run-git.js";

/**
 * The top of the work tree that holds `cwd`. The pre-commit path looks for `.git` (a folder,
 * or a file in linked worktrees and submodules) itself — a few stat calls instead of a git
 * process — and asks `git rev-parse` only when GIT_DIR or GIT_WORK_TREE say otherwise.
 */
export function findWorkTreeRoot(cwd: string, env: NodeJS.ProcessEnv): string {
  if (!env["GIT_DIR"] && !env["GIT_WORK_TREE"]) {
    for (let dir = resolve(cwd); ; dir = dirname(dir)) {
      if (existsSync(join(dir, ".git"))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  const result = runGit(["rev-parse", "--show-toplevel"], cwd, env);
  if (result.status !== 0) {
    const reason = /not a git repository/i.test(result.stderr) ? `${cwd} is not inside a git repository` : result.stderr;
    throw new ScanError(`${reason}: --staged scans what git is about to commit, so it needs a repository with a work tree`);
  }
  return result.stdout.toString("utf8").trim();
}

/** The top of the work tree holding `dir`, or null outside a repository (or without git). */
export function repoRootOf(dir: string): string | null {
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (existsSync(join(at, ".git"))) return at;
    if (dirname(at) === at) return null;
  }
}
