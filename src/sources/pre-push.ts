import { ScanError } from "../errors.js";
import { objectsBesideCommits, type TipObject } from "../git/pushed-objects.js";
import { existingCommits, readRemoteTracking, trackingRefFor, type RemoteTracking } from "../git/remote-tracking.js";
import type { Revisions } from "../git/revisions.js";
import { runGit } from "../git/run-git.js";
import type { ScanSession } from "../scanning/session.js";
import { scanHistory, type HistoryProgress } from "./history.js";

/**
 * The commits a push sends (`scan --pre-push`, the pre-push hook). git's pre-push hook gets the
 * remote's name as its first argument and one line per ref being pushed on stdin —
 * `<local ref> <local sha> <remote ref> <remote sha>` (https://git-scm.com/docs/githooks#_pre_push).
 *
 * What counts as already there is what the remote being pushed to has: the old tips it reports
 * for the refs being updated, and its remote-tracking refs (`refs/remotes/<name>/*`). Commits
 * reachable from another remote only (an internal mirror) are outgoing: pushing them to a public
 * mirror is exactly the leak to stop. A remote with no tracking refs (a fresh mirror, or a push
 * to a URL, where git passes the URL as the name) has nothing: everything reachable from the
 * pushed tips — branches, tags, new branch names alike — is scanned. A deletion pushes nothing.
 *
 * Under the pre-commit framework there is no stdin: PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF give
 * the range, and on a first push (the framework sets neither when the push holds a root commit)
 * PRE_COMMIT_LOCAL_BRANCH (or HEAD) less what `refs/remotes/<PRE_COMMIT_REMOTE_NAME>/*` has is
 * scanned (https://pre-commit.com/#pre-push). When nothing says what is pushed, the scan fails
 * closed (exit 3).
 */
export interface PrePushOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The hook's standard input. */
  refs: string;
  /** The name (or URL) of the remote being pushed to: the hook's first argument. */
  remote?: string | undefined;
  onProgress?: ((progress: HistoryProgress) => void) | undefined;
}

export interface PushedRef {
  localRef: string;
  localSha: string;
  remoteRef: string;
  remoteSha: string;
}

const ZERO = /^0+$/;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;

/** The lines of git's pre-push standard input; malformed lines are dropped. */
export function parsePushedRefs(input: string): PushedRef[] {
  return input
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 4 && SHA.test(fields[1]!) && SHA.test(fields[3]!))
    .map(([localRef = "", localSha = "", remoteRef = "", remoteSha = ""]) => ({ localRef, localSha, remoteRef, remoteSha }));
}

/**
 * What the remote being pushed to has, as far as this repository can tell. git's pre-push input
 * is the remote's own word: each `<remote sha>` is what the remote reported for that ref on this
 * very connection (zeros: it has no such ref). The remote-tracking refs are only a memory of an
 * earlier fetch or push, and are used only where nothing git reports contradicts them
 * ({@link trackingVerdict}), so that the common push — to the remote the tracking refs came
 * from, with them up to date — stays a walk of the new commits only.
 */
export interface RemoteKnowledge {
  /** Whether a commit is in this repository. */
  known: (sha: string) => boolean;
  /** The remote's tracking refs and settings, or null (a push to a URL, or no such remote). */
  tracking: RemoteTracking | null;
  /** The commits the tracking refs point at that this repository has. */
  tracked: () => Iterable<string>;
}

/** Whether the tracking refs may stand for what the remote has, and if not, why. */
export type TrackingVerdict = { use: true } | { use: false; reason: string | null };

/**
 * The tracking refs are used when they describe the server pushed to and agree with every line
 * git reports: a ref the remote lacks (zeros) has no tracking ref, and a ref it has is where its
 * tracking ref points. A push URL other than the fetch URL (`remote.<name>.pushurl`) means the
 * tracking refs describe another server. `reason` is null when there is nothing to use.
 */
export function trackingVerdict(refs: readonly PushedRef[], tracking: RemoteTracking | null): TrackingVerdict {
  if (tracking === null || tracking.refs.size === 0) return { use: false, reason: null };
  const elsewhere = tracking.pushUrls.find((url) => !tracking.urls.includes(url));
  if (elsewhere !== undefined) return { use: false, reason: `pushes to ${tracking.name} go to its pushurl ${elsewhere}, while its tracking refs come from ${tracking.urls[0]}` };
  for (const ref of refs) {
    const trackingRef = trackingRefFor(ref.remoteRef, tracking);
    const remembered = trackingRef === null ? undefined : tracking.refs.get(trackingRef);
    if (remembered === undefined) continue;
    if (ZERO.test(ref.remoteSha)) return { use: false, reason: `git reports that ${tracking.name} has no ${ref.remoteRef}, but ${trackingRef} says it has ${remembered.slice(0, 12)} (the remote's URL changed, or the branch was deleted there)` };
    if (ref.remoteSha.toLowerCase() !== remembered.toLowerCase()) return { use: false, reason: `git reports ${ref.remoteRef} on ${tracking.name} at ${ref.remoteSha.slice(0, 12)}, but ${trackingRef} says ${remembered.slice(0, 12)} (rewritten or moved on the server since the last fetch)` };
  }
  return { use: true };
}

/**
 * The pushed commits: every pushed tip, less the old remote tips git reports (those this
 * repository has) and, when {@link trackingVerdict} allows, what the tracking refs point at.
 */
export function pushedRevisions(refs: readonly PushedRef[], remote: RemoteKnowledge): { revisions: Revisions; verdict: TrackingVerdict } {
  const tips: string[] = [];
  const exclude = new Set<string>();
  for (const ref of refs) {
    if (ZERO.test(ref.localSha)) continue;
    tips.push(ref.localSha);
    if (!ZERO.test(ref.remoteSha) && remote.known(ref.remoteSha)) exclude.add(ref.remoteSha);
  }
  const verdict = trackingVerdict(refs, remote.tracking);
  if (tips.length === 0) return { revisions: { tips: [] }, verdict };
  if (verdict.use) for (const sha of remote.tracked()) exclude.add(sha);
  return { revisions: { tips, exclude: [...exclude] }, verdict };
}

/** @throws ScanError (exit 3) when the pre-commit framework ran the hook and nothing says what is pushed. */
export async function scanPrePush(session: ScanSession, options: PrePushOptions): Promise<void> {
  const { cwd, env } = options;
  const known = (rev: string) => !rev.startsWith("-") && runGit(["cat-file", "-e", "--end-of-options", `${rev}^{commit}`], cwd, env).status === 0;
  const refs = parsePushedRefs(options.refs);
  let revisions: Revisions;
  let objects: TipObject[] = [];
  let refNames: string[] = [];
  if (refs.length > 0) {
    const tracking = options.remote === undefined ? null : readRemoteTracking(options.remote, cwd, env);
    const remote = { known, tracking, tracked: () => (tracking === null ? [] : existingCommits(tracking.refs.values(), cwd, env)) };
    const pushed = pushedRevisions(refs, remote);
    revisions = pushed.revisions;
    warnIfTrackingIgnored(session, pushed.verdict);
    const sent = refs.filter((ref) => !ZERO.test(ref.localSha));
    objects = objectsBesideCommits(sent.map((ref) => ({ sha: ref.localSha, ref: ref.localRef })), cwd, env);
    // The remote gets the names too: a branch or tag named with a key publishes it.
    refNames = sent.flatMap((ref) => [ref.localRef, ref.remoteRef]);
  }
  else if (env["PRE_COMMIT"] === "1" || env["PRE_COMMIT_TO_REF"] || env["PRE_COMMIT_REMOTE_NAME"]) revisions = preCommitFrameworkRevisions(session, env, { cwd, env, known });
  else if (options.refs.trim() !== "") throw new ScanError(`the pre-push hook's standard input is not git's "<local ref> <sha> <remote ref> <sha>" lines, so what is being pushed cannot be told; nothing was checked`);
  // Nothing on stdin outside the framework: nothing to push (up to date), an empty scope by nature.
  else revisions = { tips: [] };
  // A key the remote already has in the same file is reported as already there (low), as --staged does for HEAD.
  await scanHistory(session, { cwd, env, revisions, objects, refNames, onProgress: options.onProgress, judgeByBoundary: true });
}

function warnIfTrackingIgnored(session: ScanSession, verdict: TrackingVerdict): void {
  if (verdict.use || verdict.reason === null) return;
  session.warn({
    code: "pre-push-tracking-ignored",
    message: `the remote-tracking refs were not taken as what the remote has: ${verdict.reason}. Every pushed commit the remote did not report was scanned (git fetch updates the tracking refs)`,
  });
}

/**
 * Under the pre-commit framework there is no standard input: the framework read git's lines
 * itself and passes one ref (https://pre-commit.com/#pre-push). PRE_COMMIT_FROM_REF is the
 * remote's old tip when git reported one, but for a new branch the framework derives it from
 * the remote-tracking refs; it is used only when those refs do not contradict the push (the
 * pushed branch's tracking ref, if any, is FROM_REF itself). The first-push fallback (no
 * FROM/TO: the framework found a root commit among the new ones) scans the branch less what
 * trustworthy tracking refs have.
 */
function preCommitFrameworkRevisions(session: ScanSession, env: NodeJS.ProcessEnv, git: { cwd: string; env: NodeJS.ProcessEnv; known: (rev: string) => boolean }): Revisions {
  const { known } = git;
  const remote = env["PRE_COMMIT_REMOTE_NAME"];
  const to = env["PRE_COMMIT_TO_REF"];
  const from = env["PRE_COMMIT_FROM_REF"];
  const remoteBranch = env["PRE_COMMIT_REMOTE_BRANCH"] ?? "";
  const tracking = remote ? readRemoteTracking(remote, git.cwd, git.env) : null;
  if (to) {
    if (!known(to)) throw new ScanError(`the pre-commit framework says ${to} is pushed (PRE_COMMIT_TO_REF), but it is not a commit here; nothing was checked`);
    // The framework's FROM_REF, as the remote's line: its old tip (or zeros for a new branch).
    const line: PushedRef = { localRef: "", localSha: to, remoteRef: remoteBranch, remoteSha: from && !ZERO.test(from) ? from : "0".repeat(40) };
    const verdict = trackingVerdict([line], tracking);
    warnIfTrackingIgnored(session, verdict);
    // With tracking refs that contradict the push, FROM_REF may have come from them: not used.
    const fromTrusted = from && !ZERO.test(from) && known(from) && (verdict.use || tracking === null || tracking.refs.size === 0 || trackedAt(remoteBranch, tracking) === from);
    return { tips: [to], exclude: [...(fromTrusted ? [from] : []), ...(verdict.use ? existingCommits(tracking!.refs.values(), git.cwd, git.env) : [])] };
  }
  const branch = env["PRE_COMMIT_LOCAL_BRANCH"] || "HEAD";
  if (!known(branch) || !remote) {
    throw new ScanError(
      `the pre-commit framework ran the pre-push hook without PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF${remote ? "" : " or PRE_COMMIT_REMOTE_NAME"}${known(branch) ? "" : `, and ${branch} is not a commit here`}: what is being pushed cannot be told, so nothing was checked`,
    );
  }
  // The framework's fallback: git reported no usable old tip for the pushed branch.
  const verdict = trackingVerdict([{ localRef: branch, localSha: branch, remoteRef: remoteBranch, remoteSha: "0".repeat(40) }], tracking);
  warnIfTrackingIgnored(session, verdict);
  return { tips: [branch], exclude: verdict.use ? [...existingCommits(tracking!.refs.values(), git.cwd, git.env)] : [] };
}

function trackedAt(remoteRef: string, tracking: RemoteTracking): string | undefined {
  const trackingRef = trackingRefFor(remoteRef, tracking);
  return trackingRef === null ? undefined : tracking.refs.get(trackingRef);
}
