import { ScanError } from "../errors.js";
import { objectsBesideCommits, type TipObject } from "../git/pushed-objects.js";
import { isRemoteName, type Revisions } from "../git/revisions.js";
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
 * The pushed commits: every pushed tip, less the old remote tips we have and everything on the
 * remote's tracking refs (when `remote` is a remote's name rather than a URL).
 */
export function pushedRevisions(refs: readonly PushedRef[], remote: string | undefined, known: (sha: string) => boolean): Revisions {
  const tips: string[] = [];
  const exclude: string[] = [];
  for (const ref of refs) {
    if (ZERO.test(ref.localSha)) continue;
    tips.push(ref.localSha);
    if (!ZERO.test(ref.remoteSha) && known(ref.remoteSha)) exclude.push(ref.remoteSha);
  }
  if (tips.length === 0) return { tips: [] };
  return { tips, exclude, ...trackingOf(remote) };
}

/** The remote's own tracking refs, when it is a remote name (a push to a URL has none). */
function trackingOf(remote: string | undefined): Pick<Revisions, "excludeRemote"> {
  return remote !== undefined && isRemoteName(remote) ? { excludeRemote: remote } : {};
}

/** @throws ScanError (exit 3) when the pre-commit framework ran the hook and nothing says what is pushed. */
export async function scanPrePush(session: ScanSession, options: PrePushOptions): Promise<void> {
  const { cwd, env } = options;
  const known = (rev: string) => !rev.startsWith("-") && runGit(["cat-file", "-e", "--end-of-options", `${rev}^{commit}`], cwd, env).status === 0;
  const refs = parsePushedRefs(options.refs);
  let revisions: Revisions;
  let objects: TipObject[] = [];
  if (refs.length > 0) {
    revisions = pushedRevisions(refs, options.remote, known);
    objects = objectsBesideCommits(refs.filter((ref) => !ZERO.test(ref.localSha)).map((ref) => ({ sha: ref.localSha, ref: ref.localRef })), cwd, env);
  }
  else if (env["PRE_COMMIT"] === "1" || env["PRE_COMMIT_TO_REF"] || env["PRE_COMMIT_REMOTE_NAME"]) revisions = preCommitFrameworkRevisions(env, known);
  else if (options.refs.trim() !== "") throw new ScanError(`the pre-push hook's standard input is not git's "<local ref> <sha> <remote ref> <sha>" lines, so what is being pushed cannot be told; nothing was checked`);
  // Nothing on stdin outside the framework: nothing to push (up to date), an empty scope by nature.
  else revisions = { tips: [] };
  await scanHistory(session, { cwd, env, revisions, objects, onProgress: options.onProgress });
}

function preCommitFrameworkRevisions(env: NodeJS.ProcessEnv, known: (rev: string) => boolean): Revisions {
  const remote = env["PRE_COMMIT_REMOTE_NAME"];
  const to = env["PRE_COMMIT_TO_REF"];
  const from = env["PRE_COMMIT_FROM_REF"];
  if (to) {
    if (!known(to)) throw new ScanError(`the pre-commit framework says ${to} is pushed (PRE_COMMIT_TO_REF), but it is not a commit here; nothing was checked`);
    const exclude = from && !ZERO.test(from) && known(from) ? [from] : [];
    return { tips: [to], exclude, ...trackingOf(remote) };
  }
  const branch = env["PRE_COMMIT_LOCAL_BRANCH"] || "HEAD";
  if (!known(branch) || !remote) {
    throw new ScanError(
      `the pre-commit framework ran the pre-push hook without PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF${remote ? "" : " or PRE_COMMIT_REMOTE_NAME"}${known(branch) ? "" : `, and ${branch} is not a commit here`}: what is being pushed cannot be told, so nothing was checked`,
    );
  }
  return { tips: [branch], ...trackingOf(remote) };
}
