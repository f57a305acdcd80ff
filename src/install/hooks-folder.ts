import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { isWithin, shellQuote } from "../files.js";
import { runGit } from "../git/run-git.js";

/**
 * Whether a hooks folder belongs to the repository it was found for. git runs hooks from the
 * folder core.hooksPath names (https://git-scm.com/docs/githooks), wherever that is, and the
 * setting can come from any config scope: a repository's own `.git/config` (which arrives with
 * a downloaded archive, so its author chooses it), the user's global config (a `~/.githooks`
 * shared by every repository) or the system config. An installer that wrote there would change
 * files that are not the repository's: a hook in a shared folder runs for every repository, and
 * a folder such as `~/bin` holds programs (a `pre-commit` executable, say) that init would move
 * aside. So installers write hooks only in a folder that, after every symbolic link is resolved,
 * is inside the repository's work tree or its git directory.
 */

/** Where core.hooksPath was set: git's scope name (`local`, `global`, `system`, `worktree`, `command`) and the file, when a file set it. */
export interface ConfigOrigin {
  scope: string;
  /** Absolute path of the config file; null for `git -c` and GIT_CONFIG_PARAMETERS/GIT_CONFIG_COUNT. */
  file: string | null;
}

/** A hooks folder outside the repository: where it is, and what set it. */
export interface OutsideHooksFolder {
  /** The folder as git names it (absolute). */
  folder: string;
  /** The same folder with every symbolic link resolved (absolute); equal to `folder` when no link is involved. */
  realFolder: string;
  /** Where core.hooksPath was set; null when it is not set (the default hooks folder is itself a link that leads out). */
  origin: ConfigOrigin | null;
}

/**
 * Null when `folder` (absolute), with every symbolic link on its path resolved, is inside one of
 * `inside` (absolute folders, also resolved: the work tree's top, the git directory); else what
 * an error message needs, including where core.hooksPath was set (read with
 * `git config --show-origin --show-scope`, run in `cwd`). A folder that does not exist yet is
 * judged by its nearest existing parent. Never throws for missing paths.
 */
export function hooksFolderOutside(folder: string, inside: ReadonlyArray<string | null>, cwd: string, env: NodeJS.ProcessEnv): OutsideHooksFolder | null {
  const realFolder = realPathAllowingMissing(folder);
  for (const root of inside) if (root !== null && isWithin(realFolder, realPathAllowingMissing(root))) return null;
  return { folder, realFolder, origin: hooksPathOrigin(cwd, env) };
}

/**
 * The path with every symbolic link resolved, also when its last parts do not exist yet (they
 * are appended to the resolved nearest existing parent). A dangling link is followed to where it
 * points. Gives up following after 40 links (the Linux limit, ELOOP) and returns what it has.
 */
export function realPathAllowingMissing(path: string, depth = 0): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    // Missing, or a dangling link somewhere: resolve piece by piece below.
  }
  const parent = dirname(absolute);
  if (parent === absolute || depth > 40) return absolute;
  let isLink = false;
  try {
    isLink = lstatSync(absolute).isSymbolicLink();
  } catch {
    // Does not exist: its parent decides.
  }
  if (isLink) return realPathAllowingMissing(resolve(parent, readlinkSync(absolute)), depth + 1);
  return join(realPathAllowingMissing(parent, depth + 1), basename(absolute));
}

/** Where the core.hooksPath git uses in `cwd` was set, or null when it is not set. */
export function hooksPathOrigin(cwd: string, env: NodeJS.ProcessEnv): ConfigOrigin | null {
  // -z: scope, origin and value each end in NUL, so a path with a tab or newline stays whole.
  const result = runGit(["config", "--show-origin", "--show-scope", "-z", "--get", "core.hooksPath"], cwd, env);
  if (result.status !== 0) return null;
  const [scope = "", origin = ""] = result.stdout.toString("utf8").split("\0");
  // Origins are `file:<path>` (relative to cwd for the repository's own config), `command line:`, `blob:…`, `standard input:`.
  const file = origin.startsWith("file:") ? resolve(cwd, origin.slice("file:".length)) : null;
  return { scope, file };
}

/** "set in /home/me/.gitconfig (global config)" and the like, for messages. */
export function describeOrigin(origin: ConfigOrigin | null): string {
  if (origin === null) return "core.hooksPath is not set; the default hooks folder is a symbolic link that leads out of the repository";
  if (origin.file === null) return `core.hooksPath is set on the command line (git -c, or GIT_CONFIG_PARAMETERS / GIT_CONFIG_COUNT in the environment)`;
  return `core.hooksPath is set in ${origin.file} (${origin.scope} config)`;
}

/**
 * The command that makes this repository stop using the outside folder: `git config --unset
 * core.hooksPath` when the repository's own config file (`localConfig`) set it; a repository-local setting that
 * points back at `defaultHooks` when a wider scope did (unsetting the global one would change
 * every repository); null when nothing in config can fix it (a link, or `git -c`).
 */
export function stopUsingCommand(origin: ConfigOrigin | null, defaultHooks: string, localConfig: string): string | null {
  if (origin === null || origin.file === null) return null;
  // A file the repository's config includes is local in scope, but --unset edits only the config itself.
  if (origin.scope === "local" && realPathAllowingMissing(origin.file) === realPathAllowingMissing(localConfig)) return "git config --unset core.hooksPath";
  if (origin.scope === "worktree") return "git config --worktree --unset core.hooksPath";
  return `git config core.hooksPath ${shellQuote(defaultHooks)}`;
}

/**
 * `folder` spelled from the first of `bases` whose real path one of its ancestors resolves to
 * (`/tmp/app/.githooks` as `/private/tmp/app/.githooks` when git names the work tree by the
 * latter), so that writes confined to that base accept it; only the prefix is re-spelled, so a
 * link below the base is still seen (and refused) on the way. Unchanged when no ancestor matches.
 */
export function spelledFrom(folder: string, bases: readonly string[]): string {
  const realBases = bases.map((base) => ({ base, real: realPathAllowingMissing(base) }));
  for (let at = resolve(folder); ; at = dirname(at)) {
    let real: string | null = null;
    try {
      real = realpathSync(at);
    } catch {
      // Not there yet: an ancestor may be.
    }
    const match = real === null ? undefined : realBases.find((candidate) => candidate.real === real);
    if (match !== undefined) return join(match.base, relative(at, resolve(folder)));
    if (dirname(at) === at) return folder;
  }
}
