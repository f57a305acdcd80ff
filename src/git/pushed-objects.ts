import { spawnSync } from "node:child_process";
import { ScanError } from "../errors.js";
import { gitArgs, gitEnv, runGit, splitNul } from "./run-git.js";

/**
 * A push sends more than commits: an annotated tag carries its own headers and message — and
 * may point at another tag, which carries its own (a tag chain) — and a ref may point at a blob
 * or a tree directly (`git tag notes <blob>`), which a walk of commits never visits. These are
 * the objects of the pushed tips that a history walk would miss, so that the pre-push,
 * pre-receive, ci and history sources scan them too.
 */
export interface TipObject {
  oid: string;
  /** How the report names it: `<tag message> <ref>`, `<ref>` for a blob, `<ref>:<path>` inside a tree. */
  path: string;
  /** A tag object: its message is scanned as `path`, its headers as `headerPath`. */
  message: boolean;
  /** For a tag object: where its headers (`tag`, `tagger`, …) are reported. */
  headerPath?: string;
}

/** How deep a tag chain is followed: git itself gives up peeling after a few levels; this bounds a crafted one. */
const MAX_TAG_CHAIN = 64;

/**
 * @param tips the pushed tips (full object ids) with the ref each updates.
 * @throws ScanError when git cannot classify them.
 */
export function objectsBesideCommits(tips: ReadonlyArray<{ sha: string; ref: string }>, cwd: string, env: NodeJS.ProcessEnv): TipObject[] {
  if (tips.length === 0) return [];
  const objects: TipObject[] = [];
  let level = tips.map((tip) => ({ sha: tip.sha, ref: tip.ref, depth: 1 }));
  const seen = new Set<string>();
  // One `git cat-file --batch` per level of the chains: most pushes have one level, a tag has two.
  while (level.length > 0) {
    const described = describeObjects(level.map((item) => item.sha), cwd, env);
    const next: typeof level = [];
    level.forEach((item, index) => {
      const object = described[index];
      if (!object || seen.has(`${item.sha}\u0000${item.ref}`)) return;
      seen.add(`${item.sha}\u0000${item.ref}`);
      const chain = item.depth === 1 ? "" : ` (tag ${item.depth} of its chain)`;
      if (object.type === "tag") {
        objects.push({ oid: item.sha, path: `<tag message> ${item.ref}${chain}`, headerPath: `<tag header> ${item.ref}${chain}`, message: true });
        if (object.target && item.depth < MAX_TAG_CHAIN) next.push({ sha: object.target, ref: item.ref, depth: item.depth + 1 });
      } else if (object.type === "blob") {
        objects.push({ oid: item.sha, path: item.ref, message: false });
      } else if (object.type === "tree") {
        objects.push(...treeBlobs(item.sha, item.ref, cwd, env));
      }
    });
    level = next;
  }
  return objects;
}

/**
 * Every ref's name, and the objects beside commits of every ref that does not point at a commit
 * (annotated tags and their chains, tags on blobs and trees): what `scan --history` of every ref
 * adds to its walk of commits.
 */
export function objectsOfAllRefs(cwd: string, env: NodeJS.ProcessEnv): { objects: TipObject[]; refNames: string[] } {
  const listed = runGit(["for-each-ref", "--format=%(objectname) %(objecttype) %(refname)"], cwd, env);
  if (listed.status !== 0) throw new ScanError(`git for-each-ref failed: ${listed.stderr}`);
  const refNames: string[] = [];
  const tips: Array<{ sha: string; ref: string }> = [];
  for (const line of listed.stdout.toString("utf8").split("\n")) {
    const [sha = "", type = "", ...name] = line.split(" ");
    if (sha === "") continue;
    const ref = name.join(" ");
    refNames.push(ref);
    if (type !== "commit") tips.push({ sha, ref });
  }
  return { objects: objectsBesideCommits(tips, cwd, env), refNames };
}

/** Each object's type, and for a tag the object it points at; undefined for one git does not have. */
function describeObjects(shas: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Array<{ type: string; target: string | null } | undefined> {
  const types = catFile(["--batch-check=%(objecttype)"], shas, cwd, env).toString("utf8").split("\n");
  const tags = shas.filter((_, index) => types[index] === "tag");
  const targets = new Map<string, string | null>();
  if (tags.length > 0) {
    // Tag objects are small: read whole, only their first header (`object <id>`) is kept.
    const out = catFile(["--batch"], tags, cwd, env);
    let at = 0;
    for (const tag of tags) {
      const end = out.indexOf(0x0a, at);
      if (end === -1) break;
      const size = Number(out.toString("utf8", at, end).split(" ")[2] ?? "0");
      targets.set(tag, /^object ([0-9a-f]{40,64})\n/.exec(out.toString("utf8", end + 1, Math.min(end + 1 + size, end + 1 + 200)))?.[1] ?? null);
      at = end + 1 + size + 1;
    }
  }
  return shas.map((sha, index) => {
    const type = types[index] ?? "";
    if (type === "" || type.endsWith("missing") || type.endsWith("ambiguous")) return undefined;
    return { type, target: targets.get(sha) ?? null };
  });
}

function catFile(options: string[], ids: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Buffer {
  const result = spawnSync("git", gitArgs(["cat-file", ...options]), { cwd, env: gitEnv(env), input: `${ids.join("\n")}\n`, maxBuffer: 1 << 28 });
  if (result.error || result.status !== 0) throw new ScanError(`git cat-file could not read the pushed refs: ${result.stderr?.toString("utf8").trim() || result.error?.message}`);
  return result.stdout;
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
