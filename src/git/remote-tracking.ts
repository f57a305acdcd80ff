import { spawnSync } from "node:child_process";
import { isRemoteName } from "./revisions.js";
import { gitArgs, gitEnv, runGit } from "./run-git.js";

/**
 * What a repository's remote-tracking refs say a remote has, and the configuration that says
 * where they came from. They are a memory of the last fetch (or push), not the remote's word:
 * stale after the remote's URL changes, when pushes go to another URL than fetches
 * (`remote.<name>.pushurl`), or when a branch was deleted or rewritten on the server. A pre-push
 * check uses them only where they agree with what git reports the remote has
 * (src/sources/pre-push.ts).
 */
export interface RemoteTracking {
  /** The remote's name. */
  name: string;
  /** Tracking ref (`refs/remotes/origin/main`) → the commit it points at. */
  refs: Map<string, string>;
  /** `remote.<name>.url` values (where fetches, and so the tracking refs, come from). */
  urls: string[];
  /** `remote.<name>.pushurl` values (where pushes go, when set). */
  pushUrls: string[];
  /** `remote.<name>.fetch` refspecs, which map the remote's refs to tracking refs. */
  fetchSpecs: string[];
}

/**
 * The tracking refs and settings of the remote named `remote`, or null when it is no
 * configured remote (a push to a URL: git passes the URL as the name). Two git processes.
 */
export function readRemoteTracking(remote: string, cwd: string, env: NodeJS.ProcessEnv): RemoteTracking | null {
  if (!isRemoteName(remote)) return null;
  const config = runGit(["config", "--null", "--get-regexp", `^remote\\.${escapeRegExp(remote)}\\.(url|pushurl|fetch)$`], cwd, env);
  if (config.status !== 0) return null;
  const tracking: RemoteTracking = { name: remote, refs: new Map(), urls: [], pushUrls: [], fetchSpecs: [] };
  for (const entry of config.stdout.toString("utf8").split("\0")) {
    const newline = entry.indexOf("\n");
    if (newline === -1) continue;
    const key = entry.slice(0, newline).toLowerCase();
    const value = entry.slice(newline + 1);
    if (key.endsWith(".pushurl")) tracking.pushUrls.push(value);
    else if (key.endsWith(".url")) tracking.urls.push(value);
    else tracking.fetchSpecs.push(value);
  }
  if (tracking.urls.length === 0) return null;
  const prefixes = [...new Set(tracking.fetchSpecs.map(destinationPrefix).filter((prefix): prefix is string => prefix !== null))];
  if (prefixes.length === 0) return tracking;
  const listed = runGit(["for-each-ref", "--format=%(objectname) %(refname)", "--end-of-options", ...prefixes], cwd, env);
  for (const line of listed.stdout.toString("utf8").split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0) tracking.refs.set(line.slice(space + 1), line.slice(0, space));
  }
  return tracking;
}

/**
 * The tracking ref a fetch refspec maps `remoteRef` to (`refs/heads/main` through
 * `+refs/heads/*:refs/remotes/origin/*` → `refs/remotes/origin/main`), or null when none does
 * (tags, notes, refs the remote's refspecs do not fetch). https://git-scm.com/docs/git-fetch#_configured_remote_tracking_branches
 */
export function trackingRefFor(remoteRef: string, tracking: RemoteTracking): string | null {
  for (const spec of tracking.fetchSpecs) {
    const [source = "", destination = ""] = spec.replace(/^\+/, "").split(":");
    if (source.startsWith("^") || destination === "") continue;
    const star = source.indexOf("*");
    if (star === -1) {
      if (source === remoteRef) return destination;
      continue;
    }
    const before = source.slice(0, star);
    const after = source.slice(star + 1);
    if (remoteRef.length >= before.length + after.length && remoteRef.startsWith(before) && remoteRef.endsWith(after)) {
      return destination.replace("*", remoteRef.slice(before.length, remoteRef.length - after.length));
    }
  }
  return null;
}

/** The ref folder a refspec's destination names (`refs/remotes/origin/`), for for-each-ref. */
function destinationPrefix(spec: string): string | null {
  const destination = spec.replace(/^\+/, "").split(":")[1];
  if (!destination || !destination.startsWith("refs/")) return null;
  const star = destination.indexOf("*");
  return star === -1 ? destination : destination.slice(0, destination.lastIndexOf("/", star) + 1);
}

/** Those of `shas` that are commits in this repository: one `git cat-file --batch-check` for all. */
export function existingCommits(shas: Iterable<string>, cwd: string, env: NodeJS.ProcessEnv): Set<string> {
  const asked = [...new Set(shas)].filter((sha) => /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i.test(sha));
  if (asked.length === 0) return new Set();
  const result = spawnSync("git", gitArgs(["cat-file", "--batch-check=%(objectname) %(objecttype)"]), { cwd, env: gitEnv(env), input: `${asked.join("\n")}\n`, encoding: "utf8", maxBuffer: 1 << 26 });
  const found = new Set<string>();
  for (const line of (result.stdout ?? "").split("\n")) {
    const [sha = "", type] = line.split(" ");
    if (type === "commit") found.add(sha);
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
