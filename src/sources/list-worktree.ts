import { envForPath, GitMissingError, runGit, splitNul } from "./git.js";
import { walkHonouringGitignore } from "./walk.js";

/**
 * The files of a directory that a worktree scan reads (SPEC §3.1). Inside git: what git would
 * commit — tracked plus untracked-not-ignored — from `git ls-files`, run in the scanned
 * directory itself so the repository is the one that holds the path. Outside git (or without
 * git): a walk that skips `.git` and `node_modules` and honours `.gitignore` files.
 */
export interface WorktreeListing {
  /** Paths relative to `dir`, `/`-separated. */
  files: string[];
  inGit: boolean;
  warnings: string[];
}

export function listWorktreeFiles(dir: string, env: NodeJS.ProcessEnv): WorktreeListing {
  try {
    const result = runGit(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], dir, envForPath(env));
    if (result.status === 0) {
      // --cached lists a path once per stage during a merge conflict.
      return { files: [...new Set(splitNul(result.stdout))], inGit: true, warnings: [] };
    }
    if (!/not a git repository/i.test(result.stderr)) {
      return { files: walkHonouringGitignore(dir), inGit: false, warnings: [`git ls-files failed (${result.stderr}); walked ${dir} instead, honouring .gitignore`] };
    }
  } catch (error) {
    if (!(error instanceof GitMissingError)) throw error;
    return { files: walkHonouringGitignore(dir), inGit: false, warnings: ["git was not found on PATH; walked the directory instead, honouring .gitignore files"] };
  }
  return { files: walkHonouringGitignore(dir), inGit: false, warnings: [] };
}
