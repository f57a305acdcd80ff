import { spawnSync } from "node:child_process";
import { ScanError } from "../errors.js";
import { gitArgs, gitEnv, runGit, splitNul } from "./run-git.js";

/**
 * A push sends more than commits: an annotated tag carries its own message, and a ref may
 * point at a blob or a tree directly (`git tag notes <blob>`), which a walk of commits never
 * visits. These are the objects of the pushed tips that a history walk would miss, so that the
 * pre-push and pre-receive sources scan them too.
 */
export interface TipObject {
  oid: string;
  /** How the report names it: `<tag message> <ref>`, `<ref>` for a blob, `<ref>:<path>` inside a tree. */
  path: string;
  /** A tag object: only its message is scanned. */
  message: boolean;
}

/**
 * @param tips the pushed tips (full object ids) with the ref each updates.
 * @throws ScanError when git cannot classify them.
 */
export function objectsBesideCommits(tips: ReadonlyArray<{ sha: string; ref: string }>, cwd: string, env: NodeJS.ProcessEnv): TipObject[] {
  if (tips.length === 0) return [];
  // For each tip: its own type, then the type of what it peels to (`^{}` follows tags).
  const input = tips.map((tip) => `${tip.sha}\n${tip.sha}^{}\n`).join("");
  const result = spawnSync("git", gitArgs(["cat-file", "--batch-check=%(objectname) %(objecttype)"]), { cwd, env: gitEnv(env), input, encoding: "utf8", maxBuffer: 1 << 26 });
  if (result.error || result.status !== 0) throw new ScanError(`git cat-file could not classify the pushed refs: ${result.stderr?.trim() || result.error?.message}`);
  const lines = result.stdout.split("\n");
  const objects: TipObject[] = [];
  tips.forEach((tip, index) => {
    const [, ownType] = (lines[2 * index] ?? "").split(" ");
    const [peeled = "", peeledType] = (lines[2 * index + 1] ?? "").split(" ");
    if (ownType === "tag") objects.push({ oid: tip.sha, path: `<tag message> ${tip.ref}`, message: true });
    if (peeledType === "blob") objects.push({ oid: peeled, path: tip.ref, message: false });
    if (peeledType === "tree") objects.push(...treeBlobs(peeled, tip.ref, cwd, env));
  });
  return objects;
}

function treeBlobs(tree: string, ref: string, cwd: string, env: NodeJS.ProcessEnv): TipObject[] {
  const listing = runGit(["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", tree], cwd, env);
  if (listing.status !== 0) throw new ScanError(`git ls-tree failed: ${listing.stderr}`);
  return splitNul(listing.stdout).flatMap((entry) => {
    const tab = entry.indexOf("\t");
    const [, type = "", oid = ""] = entry.slice(0, tab).split(" ");
    return type === "blob" ? [{ oid, path: `${ref}:${entry.slice(tab + 1)}`, message: false }] : [];
  });
}
