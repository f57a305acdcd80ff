import { resolve } from "node:path";
import { ScanError } from "../errors.js";
import { runGit } from "../git/run-git.js";

/** The repository `lumenguard init` works on: the one holding the current directory. */
export interface GitRepo {
  /** The top of this work tree (absolute); git runs hooks from here. */
  root: string;
  /** The git directory shared by all work trees of the repository (absolute): `.git` of the main one. */
  gitCommonDir: string;
  /** Where git looks for hooks (absolute): core.hooksPath (relative to the root when relative) or `<common dir>/hooks`. */
  hooksDir: string;
  /** core.hooksPath as configured, if at all (husky sets it to `.husky/_`). */
  hooksPathConfig: string | null;
}

export class NotAGitRepoError extends ScanError {
  constructor(cwd: string, detail: string) {
    super(`${cwd} is not inside a git working tree (${detail}). Run lumenguard init from inside the repository.`);
  }
}

/** Throws NotAGitRepoError outside a work tree, ScanError when git fails otherwise. */
export function locateRepo(cwd: string, env: NodeJS.ProcessEnv): GitRepo {
  const top = git(["rev-parse", "--show-toplevel"], cwd, env);
  if (top.status !== 0) throw new NotAGitRepoError(cwd, top.stderr || "git rev-parse failed");
  // --git-path hooks honours core.hooksPath (relative to the root, ~ expanded) and linked
  // worktrees (hooks live in the common git dir); it answers relative to cwd.
  const hooks = git(["rev-parse", "--git-path", "hooks", "--git-common-dir"], cwd, env);
  if (hooks.status !== 0) throw new ScanError(`git rev-parse --git-path hooks failed: ${hooks.stderr}`);
  const [hooksPath = "", commonDir = ""] = hooks.stdout.split("\n");
  const config = git(["config", "--get", "core.hooksPath"], cwd, env);
  return {
    root: resolve(cwd, top.stdout),
    gitCommonDir: resolve(cwd, commonDir),
    hooksDir: resolve(cwd, hooksPath),
    hooksPathConfig: config.status === 0 && config.stdout !== "" ? config.stdout : null,
  };
}

/** runGit with text output: git's answers here are one line each. */
function git(args: string[], cwd: string, env: NodeJS.ProcessEnv): { status: number; stdout: string; stderr: string } {
  const result = runGit(args, cwd, env);
  return { status: result.status, stdout: result.stdout.toString("utf8").replace(/\r?\n$/, ""), stderr: result.stderr };
}
