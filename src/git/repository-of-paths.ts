import { realpathSync, statSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { ScanError, UsageError } from "../errors.js";
import { envForPath, runGit } from "./run-git.js";

/**
 * Paths given to a git mode (`scan ../other-repo --history`, `--staged src`, `--pre-push`,
 * `ci`) name the repository, as `gitleaks git PATH` and `trufflehog git file://PATH` do: the
 * repository that holds them is the one scanned, whatever the current directory is. For
 * `--history` and `--staged` they also narrow the scan to their files.
 */
export interface RepositoryOfPaths {
  /** The work tree's top (or the repository folder, when bare): where git runs. */
  root: string;
  /** The paths from the root, `/`-separated, for a pathspec; empty when a path is the whole repository. */
  pathspecs: string[];
  /** The folder report paths are relative to: the one folder given, else the repository root. */
  displayRoot: string;
  /** The repository's git directory (absolute). */
  gitDir: string;
}

/**
 * @throws ScanError (exit 3) when a path does not exist or is in no repository.
 * @throws UsageError (exit 2) when the paths are in different repositories.
 */
export function repositoryOfPaths(paths: readonly string[], cwd: string, env: NodeJS.ProcessEnv): RepositoryOfPaths {
  let found: { root: string; bare: boolean; gitDir: string } | null = null;
  const pathspecs: string[] = [];
  let whole = false;
  for (const given of paths) {
    const absolute = realPath(resolve(cwd, given), given);
    const folder = isFolder(absolute) ? absolute : dirname(absolute);
    const repo = repositoryAt(folder, given, env);
    if (found && found.root !== repo.root) throw new UsageError(`${paths.join(", ")} are in different repositories (${found.root} and ${repo.root}): give paths of one repository`);
    found = repo;
    const inside = relative(repo.root, absolute);
    if (repo.bare || inside === "") whole = true;
    else pathspecs.push(inside.split(sep).join("/"));
  }
  if (!found) throw new UsageError("no path was given");
  const single = paths.length === 1 ? realPath(resolve(cwd, paths[0]!), paths[0]!) : null;
  return { root: found.root, pathspecs: whole ? [] : pathspecs, displayRoot: single !== null && isFolder(single) && !found.bare ? single : found.root, gitDir: found.gitDir };
}

function realPath(absolute: string, given: string): string {
  try {
    return realpathSync(absolute);
  } catch {
    throw new ScanError(`nothing to scan: ${given} does not exist`);
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function repositoryAt(folder: string, given: string, env: NodeJS.ProcessEnv): { root: string; bare: boolean; gitDir: string } {
  // GIT_DIR and friends a calling hook set name the hook's repository, not the path's.
  const clean = { ...env };
  for (const name of ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX"]) delete clean[name];
  const result = runGit(["rev-parse", "--is-bare-repository", "--absolute-git-dir", "--show-toplevel"], folder, clean);
  const [bare, gitDir, top] = result.stdout.toString("utf8").split("\n");
  if (bare === "true" && gitDir) return { root: realpathSync(gitDir), bare: true, gitDir: realpathSync(gitDir) };
  if (result.status !== 0 || !top || !gitDir) throw new ScanError(`${given} is not inside a git repository: git modes scan the repository that holds the path`);
  return { root: realpathSync(top), bare: false, gitDir: realpathSync(gitDir) };
}

/**
 * The environment for git in the named repository: a calling hook's GIT_DIR, GIT_INDEX_FILE
 * and the like are kept when they are that repository's (a pre-commit hook of `git commit -a`
 * names its temporary index so, absolute or relative to the hook's directory), and dropped
 * when they name another.
 */
export function envForRepository(repository: RepositoryOfPaths, cwd: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const gitDir = env["GIT_DIR"];
  const index = env["GIT_INDEX_FILE"];
  if (gitDir === undefined && index === undefined) return env;
  const named = (value: string) => {
    try {
      return realpathSync(resolve(cwd, value));
    } catch {
      return resolve(cwd, value);
    }
  };
  const ours = gitDir !== undefined ? named(gitDir) === repository.gitDir : isInside(named(index!), repository.gitDir);
  return ours ? env : envForPath(env);
}

function isInside(file: string, dir: string): boolean {
  return file === dir || file.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
}
