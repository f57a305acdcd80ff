import { runGit } from "../sources/git.js";
import { resolve } from "node:path";
import { ScanError } from "../errors.js";

/** The repository `lumenguard init` works on: the one holding the current directory. */
export interface GitRepo {
  root: string;
  /** Where git looks for hooks: core.hooksPath (relative to the root when relative) or .git/hooks. */
  hooksDir: string;
  /** core.hooksPath as configured, if at all (husky sets it to `.husky/_`). */
  hooksPathConfig: string | null;
}

export class NotAGitRepoError extends ScanError {
  constructor(cwd: string, detail: string) {
    super(`${cwd} is not inside a git working tree (${detail}). Run lumenguard init from inside the repository.`);
  }
}

export function locateRepo(cwd: string, env: NodeJS.ProcessEnv): GitRepo {
  const top = git(["rev-parse", "--show-toplevel"], cwd, env);
  if (top.status !== 0) throw new NotAGitRepoError(cwd, top.stderr || "git rev-parse failed");
  // --git-path hooks honours core.hooksPath (relative to the root, ~ expanded) and linked
  // worktrees (hooks live in the common git dir); it answers relative to cwd.
  const hooks = git(["rev-parse", "--git-path", "hooks"], cwd, env);
  if (hooks.status !== 0) throw new ScanError(`git rev-parse --git-path hooks failed: ${hooks.stderr}`);
  const config = git(["config", "--get", "core.hooksPath"], cwd, env);
  return {
    root: resolve(cwd, top.stdout),
    hooksDir: resolve(cwd, hooks.stdout),
    hooksPathConfig: config.status === 0 && config.stdout !== "" ? config.stdout : null,
  };
}

/** runGit with text output: git's answers here are one line each. */
function git(args: string[], cwd: string, env: NodeJS.ProcessEnv): { status: number; stdout: string; stderr: string } {
  const result = runGit(args, cwd, env);
  return { status: result.status, stdout: result.stdout.toString("utf8").replace(/\r?\n$/, ""), stderr: result.stderr };
}
