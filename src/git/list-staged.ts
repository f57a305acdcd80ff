import { ScanError } from "../errors.js";
import { runGit, splitNul } from "./run-git.js";

/**
 * What `git commit` would record: the blobs of added, modified, copied and
 * retyped paths in the index, from `git diff --cached --raw`. A symlink's blob is its target
 * text, which is what git records and pushes (https://git-scm.com/docs/git-diff#_raw_output_format:
 * mode 120000): it is listed like a file and read from the index, never through the link. That compares the index with
 * HEAD's tree only — its cost follows the change, where `git status` would stat every tracked
 * file (30 ms more on a 9,000-file repository, on every commit).
 *
 * - `--no-renames`: a rename is its new path as an addition, whatever `diff.renames` says.
 * - GIT_INDEX_FILE is honoured: `git commit -a` and `git commit <paths>` commit a temporary
 *   index. Nothing here writes the index.
 */
export interface StagedBlob {
  /** Relative to the work tree root, `/`-separated. */
  path: string;
  oid: string;
  /** The blob HEAD has at the same path (a modified file), or null (an added file). */
  headOid: string | null;
}

export interface StagedListing {
  blobs: StagedBlob[];
  /** Staged paths that are not file content: submodules, unresolved conflicts. */
  skipped: Array<{ path: string; reason: string }>;
  /** Every difference between the index and HEAD, deletions included: 0 when the index equals HEAD. */
  changes: number;
}

const GITLINK = "160000";

/** A regular file (100644, 100755) or a symlink (120000): what HEAD had there is comparable content. */
const CONTENT = /^(?:100[67][45]{2}|120000)$/;
const ZERO = /^0+$/;

/**
 * @param pathspecs paths from the work tree root to narrow the listing to (matched literally,
 *   after `--`, so none is read as an option); empty for everything staged.
 */
export function listStagedBlobs(root: string, env: NodeJS.ProcessEnv, pathspecs: readonly string[] = []): StagedListing {
  const paths = pathspecs.map((path) => `:(top,literal)${path}`);
  const result = runGit(["diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", "--ignore-submodules=none", "--", ...paths], root, env);
  if (result.status !== 0) {
    // Where git does not take the folder for a repository, `git diff` falls back to comparing
    // files (--no-index) and prints its whole usage; rev-parse says why (an untrusted owner throws).
    const probe = runGit(["rev-parse", "--git-dir"], root, env);
    const reason = probe.status !== 0 ? probe.stderr : result.stderr;
    throw new ScanError(`git diff --cached failed: ${reason.split("\n")[0]}`);
  }
  const fields = splitNul(result.stdout);
  const listing: StagedListing = { blobs: [], skipped: [], changes: fields.length >> 1 };
  const conflicted = new Set<string>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // ":<old mode> <new mode> <old oid> <new oid> <status>", then the path.
    const [oldMode = "", newMode = "", oldOid = "", oid = "", status = ""] = (fields[i] as string).slice(1).split(" ");
    const path = fields[i + 1] as string;
    const kind = status.charAt(0);
    if (kind === "D") continue;
    if (kind === "U") {
      if (!conflicted.has(path)) listing.skipped.push({ path, reason: "an unresolved merge conflict" });
      conflicted.add(path);
    } else if (newMode === GITLINK) listing.skipped.push({ path, reason: "a submodule (its own repository is scanned on its own)" });
    else listing.blobs.push({ path, oid, headOid: CONTENT.test(oldMode) && !ZERO.test(oldOid) ? oldOid : null });
  }
  return listing;
}
