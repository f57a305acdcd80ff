import { resolve } from "node:path";
import { objectsBesideCommits } from "../git/pushed-objects.js";
import type { Revisions } from "../git/revisions.js";
import type { ScanSession } from "../scanning/session.js";
import { scanHistory } from "./history.js";
import type { ServerLfs } from "./lfs-content.js";

/**
 * What a push brings to a server (`scan --pre-receive`, the server's pre-receive hook). git
 * runs the hook in the receiving repository with one line per ref on stdin — `<old> <new>
 * <ref>` (https://git-scm.com/docs/githooks#pre-receive) — before any ref is updated, with the
 * pushed objects in a quarantine directory that GIT_OBJECT_DIRECTORY and
 * GIT_ALTERNATE_OBJECT_DIRECTORIES point git at (https://git-scm.com/docs/git-receive-pack#_quarantine_environment).
 * Those variables are kept: without them the new objects cannot be read.
 *
 * The commits new to the server are those reachable from a pushed tip and from no ref the hook
 * guards — by default `refs/heads/*` and `refs/tags/*` (`acceptedRefs`): a branch deletion, or a
 * push of commits already on a branch or tag (a new branch name for them, a tag on them), walks
 * nothing. Refs a hosting server creates without running its hooks — GitLab's
 * `refs/merge-requests/<n>/head` and `refs/keep-around/*`, GitHub's `refs/pull/<n>/head` — do
 * not count: a fork's commits fetched into one are scanned when a branch is moved onto them. An annotated tag — headers and message, every tag of a
 * chain — and a blob or tree a ref points at directly are scanned too
 * (src/git/pushed-objects.ts), and so are the names of the refs being created or updated.
 */
export interface RefUpdate {
  oldSha: string;
  newSha: string;
  ref: string;
}

const ZERO = /^0+$/;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;

/** The update lines; a line that is not `<sha> <sha> <ref>` is returned in `malformed`. */
export function parseRefUpdates(input: string): { updates: RefUpdate[]; malformed: string[] } {
  const updates: RefUpdate[] = [];
  const malformed: string[] = [];
  for (const line of input.split("\n")) {
    if (line.trim() === "") continue;
    const [oldSha = "", newSha = "", ref = "", ...rest] = line.trim().split(" ");
    if (SHA.test(oldSha) && SHA.test(newSha) && ref !== "" && rest.length === 0) updates.push({ oldSha, newSha, ref });
    else malformed.push(line);
  }
  return { updates, malformed };
}

/** The refs whose commits count as already accepted when the server's settings name none: those a push through the hook moves. */
export const DEFAULT_ACCEPTED_REFS: readonly string[] = ["refs/heads/*", "refs/tags/*"];

/**
 * The commits a push brings that no accepted ref reaches.
 * @param acceptedRefs git `--glob` patterns of the refs whose commits the server has already
 *   judged (default {@link DEFAULT_ACCEPTED_REFS}).
 */
export function receivedRevisions(updates: readonly RefUpdate[], acceptedRefs: readonly string[] = DEFAULT_ACCEPTED_REFS): Revisions {
  const tips = [...new Set(updates.filter((update) => !ZERO.test(update.newSha)).map((update) => update.newSha))];
  return { tips, excludeRefPatterns: acceptedRefs };
}

export interface PreReceiveOptions {
  /** The receiving repository (the hook's working directory). */
  cwd: string;
  /** git's environment for the hook, quarantine variables included. */
  env: NodeJS.ProcessEnv;
  updates: readonly RefUpdate[];
  /** Stops the scan when the server's time budget is spent. */
  signal?: AbortSignal | undefined;
  /** See {@link receivedRevisions}. */
  acceptedRefs?: readonly string[] | undefined;
  /** Where the server keeps Git LFS content, or that it scans only pointers (src/sources/lfs-content.ts); default: neither. */
  lfs?: ServerLfs | undefined;
}

export async function scanReceived(session: ScanSession, options: PreReceiveOptions): Promise<void> {
  // One inflating process per push: a server runs many pushes at once.
  const pushed = options.updates.filter((update) => !ZERO.test(update.newSha)).map((update) => ({ sha: update.newSha, ref: update.ref }));
  const objects = objectsBesideCommits(pushed, options.cwd, options.env);
  const refNames = pushed.map((update) => update.ref);
  await scanHistory(session, { cwd: options.cwd, env: options.env, revisions: receivedRevisions(options.updates, options.acceptedRefs), objects, refNames, readers: 1, signal: options.signal, judgeByBoundary: true, server: { lfs: serverLfsAt(options.lfs, options.cwd) } });
}

/** The LFS setting with its folder made absolute (relative to the repository). */
function serverLfsAt(lfs: ServerLfs | undefined, cwd: string): ServerLfs | null {
  if (lfs === undefined) return null;
  return lfs === "pointer-only" ? lfs : { objects: resolve(cwd, lfs.objects) };
}
