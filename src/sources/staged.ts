import { ScanError } from "../errors.js";
import { runGit, splitNul } from "./git.js";

/**
 * What `git commit` would record (SPEC §3.2): the blobs of added, modified, copied and
 * retyped paths in the index, with whether the file on disk still matches them. One
 * `git status --porcelain=v2` answers both (index against HEAD, and work tree against index),
 * which spares the hook a second git process and hashing every file itself.
 *
 * - `--no-optional-locks`: status may otherwise refresh and rewrite the index; lumenguard never
 *   writes it (and during `git commit` the index is locked anyway).
 * - `--no-renames`: a rename is its new path as an addition, whatever `status.renames` says.
 * - GIT_INDEX_FILE is honoured: `git commit -a` and `git commit <paths>` commit a temporary index.
 */
export interface StagedBlob {
  /** Relative to the work tree root, `/`-separated. */
  path: string;
  oid: string;
  /** The file on disk is byte-for-byte this blob: it can be read from disk. */
  matchesWorktree: boolean;
}

export interface StagedListing {
  blobs: StagedBlob[];
  /** Staged paths that are not file content: submodules, symlinks, unresolved conflicts. */
  skipped: Array<{ path: string; reason: string }>;
}

const GITLINK = "160000";
const SYMLINK = "120000";

export function listStagedBlobs(root: string, env: NodeJS.ProcessEnv): StagedListing {
  const args = ["--no-optional-locks", "status", "--porcelain=v2", "-z", "--untracked-files=no", "--no-renames", "--ignore-submodules=none"];
  const result = runGit(args, root, env);
  if (result.status !== 0) throw new ScanError(`git status failed: ${result.stderr}`);
  const listing: StagedListing = { blobs: [], skipped: [] };
  for (const entry of splitNul(result.stdout)) {
    if (entry.startsWith("u ")) {
      listing.skipped.push({ path: entry.split(" ").slice(10).join(" "), reason: "an unresolved merge conflict" });
      continue;
    }
    if (!entry.startsWith("1 ")) continue;
    // "1 <XY> <sub> <mH> <mI> <mW> <hH> <hI> <path>"; the path may hold spaces.
    const fields = entry.split(" ");
    const [, xy = "..", , , indexMode = "", , , oid = ""] = fields;
    const path = fields.slice(8).join(" ");
    const staged = xy.charAt(0);
    if (staged === "." || staged === "D") continue;
    if (indexMode === GITLINK) listing.skipped.push({ path, reason: "a submodule (its own repository is scanned on its own)" });
    else if (indexMode === SYMLINK) listing.skipped.push({ path, reason: "a symlink" });
    else listing.blobs.push({ path, oid, matchesWorktree: xy.charAt(1) === "." });
  }
  return listing;
}
