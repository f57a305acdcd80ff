import { ScanError } from "../errors.js";
import { objectsBesideCommits, type TipObject } from "../git/pushed-objects.js";
import { listRemoteRefs } from "../git/ls-remote.js";
import { existingCommits } from "../git/existing-commits.js";
import type { Revisions } from "../git/revisions.js";
import { runGit } from "../git/run-git.js";
import type { ScanSession } from "../scanning/session.js";
import { scanHistory, type HistoryProgress } from "./history.js";

/**
 * The commits a push sends (`scan --pre-push`, the pre-push hook). git's pre-push hook gets the
 * remote's name and the URL pushed to as its arguments and one line per ref being pushed on
 * stdin — `<local ref> <local sha> <remote ref> <remote sha>`
 * (https://git-scm.com/docs/githooks#_pre_push).
 *
 * What counts as already there is what the remote being pushed to really has: the old tips git
 * reports on stdin, and the refs the remote lists when asked (`git ls-remote <URL>`, see
 * src/git/ls-remote.ts). Remote-tracking refs are never taken as the remote's word: git keeps
 * `origin/wip` after the server deleted `wip` (fetch does not prune by default), and a new branch
 * built on it would otherwise push the deleted commits unscanned. Commits reachable from another
 * remote only (an internal mirror) are outgoing too. When the remote cannot be asked, only the
 * old tips git reported count, and a warning says so. A deletion pushes nothing.
 *
 * git runs the hook with empty stdin for a push that sends nothing ("Everything up-to-date").
 * Empty stdin while HEAD or a local branch has commits the remote lacks means something else
 * read git's lines first (another command in the same hook, such as `git lfs pre-push`): that
 * fails closed (exit 3) with the fix.
 *
 * Under the pre-commit framework there is no stdin and the framework passes only the first
 * pushed ref (PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF, https://pre-commit.com/#pre-push), so the
 * other refs of the push cannot be known: every local branch and tag, HEAD and the framework's
 * ref are scanned, less what the remote lists.
 */
export interface PrePushOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The hook's standard input. */
  refs: string;
  /** The name (or URL) of the remote being pushed to: the hook's first argument. */
  remote?: string | undefined;
  /** The URL pushed to: the hook's second argument (git resolves a relative path from the top of the work tree). */
  url?: string | undefined;
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
 * What the remote being pushed to has: the commits the remote lists (`git ls-remote`) that are
 * in this repository, or null when it could not be asked.
 */
export interface RemoteKnowledge {
  /** Whether a commit is in this repository. */
  known: (sha: string) => boolean;
  /** Commits the remote lists that this repository has; null when the remote could not be asked. */
  listed: ReadonlySet<string> | null;
}

/**
 * The pushed commits: every pushed tip, less the old remote tips git reports (those this
 * repository has) and the commits the remote lists.
 */
export function pushedRevisions(refs: readonly PushedRef[], remote: RemoteKnowledge): Revisions {
  const tips: string[] = [];
  const exclude = new Set<string>();
  for (const ref of refs) {
    if (ZERO.test(ref.localSha)) continue;
    tips.push(ref.localSha);
    if (!ZERO.test(ref.remoteSha) && remote.known(ref.remoteSha)) exclude.add(ref.remoteSha.toLowerCase());
  }
  if (tips.length === 0) return { tips: [] };
  for (const sha of remote.listed ?? []) exclude.add(sha);
  return { tips, exclude: [...exclude] };
}

/** What `target` lists, as commits this repository has, or why it could not be asked. */
function askRemote(target: string | undefined, cwd: string, env: NodeJS.ProcessEnv): { listed: Set<string> } | { listed: null; reason: string } {
  if (target === undefined || target === "") return { listed: null, reason: "no remote was named" };
  const answer = listRemoteRefs(target, cwd, env);
  if (!answer.ok) return { listed: null, reason: `git ls-remote ${target} failed: ${answer.reason}` };
  return { listed: existingCommits(answer.refs.values(), cwd, env) };
}

function warnUnasked(session: ScanSession, reason: string, rest: string): void {
  session.warn({ code: "pre-push-remote-not-asked", message: `what the remote has could not be read (${reason}): ${rest}` });
}

/** @throws ScanError (exit 3) when what is pushed cannot be told: unreadable stdin, empty stdin with unpushed commits, or a framework ref that is not here. */
export async function scanPrePush(session: ScanSession, options: PrePushOptions): Promise<void> {
  const { cwd, env } = options;
  const known = (rev: string) => !rev.startsWith("-") && runGit(["cat-file", "-e", "--end-of-options", `${rev}^{commit}`], cwd, env).status === 0;
  const refs = parsePushedRefs(options.refs);
  let revisions: Revisions;
  let objects: TipObject[] = [];
  let refNames: string[] = [];
  if (refs.length > 0) {
    const sends = refs.some((ref) => !ZERO.test(ref.localSha));
    const asked = sends ? askRemote(options.url ?? options.remote, cwd, env) : { listed: new Set<string>() };
    if (asked.listed === null) warnUnasked(session, asked.reason, "only the old tips git reported count as already there; every other commit the push sends was scanned");
    revisions = pushedRevisions(refs, { known, listed: asked.listed });
    const sent = refs.filter((ref) => !ZERO.test(ref.localSha));
    objects = objectsBesideCommits(sent.map((ref) => ({ sha: ref.localSha, ref: ref.localRef })), cwd, env);
    // The remote gets the names too: a branch or tag named with a key publishes it.
    refNames = sent.flatMap((ref) => [ref.localRef, ref.remoteRef]);
  }
  else if (env["PRE_COMMIT"] === "1" || env["PRE_COMMIT_TO_REF"] || env["PRE_COMMIT_REMOTE_NAME"]) {
    const framework = preCommitFrameworkPush(session, env, { cwd, env, known });
    revisions = framework.revisions;
    objects = objectsBesideCommits(framework.tips, cwd, env);
    refNames = framework.tips.map((tip) => tip.ref).filter((ref) => ref !== "");
  }
  else if (options.refs.trim() !== "") throw new ScanError(`the pre-push hook's standard input is not git's "<local ref> <sha> <remote ref> <sha>" lines, so what is being pushed cannot be told; nothing was checked`);
  else {
    // Empty stdin: git's word for a push that sends nothing, unless someone else read the lines.
    if (options.remote !== undefined) checkNothingOutgoing(options, known);
    revisions = { tips: [] };
  }
  // A key the remote already has in the same file is reported as already there (low), as --staged does for HEAD.
  await scanHistory(session, { cwd, env, revisions, objects, refNames, onProgress: options.onProgress, judgeByBoundary: true });
}

/**
 * git called the hook with no ref lines. That is what it does for a push with nothing to send;
 * but when HEAD or a local branch has commits the remote lacks, the likelier story is that
 * another command of the same hook read git's lines before lumenguard.
 * @throws ScanError (exit 3) unless HEAD and every local branch are on the remote.
 */
function checkNothingOutgoing(options: PrePushOptions, known: (rev: string) => boolean): void {
  const { cwd, env } = options;
  const target = options.url ?? options.remote;
  const heads = localTips(cwd, env, ["refs/heads/"]);
  if (known("HEAD")) heads.unshift({ sha: runGit(["rev-parse", "--verify", "HEAD^{commit}"], cwd, env).stdout.toString("utf8").trim(), ref: "HEAD" });
  if (heads.length === 0) return;
  const asked = askRemote(target, cwd, env);
  const consumed = "git gave the pre-push hook no ref lines — what it does for a push that sends nothing —";
  const fix = "If another command in the hook runs before lumenguard and reads git's standard input (`git lfs pre-push` does), put lumenguard's line first: `lumenguard init` does that (in .husky/pre-push, lumenguard's line saves the lines for the commands after it). If this push really sends nothing, there is nothing to push";
  if (asked.listed === null) throw new ScanError(`${consumed} and ${asked.reason}, so whether commits are being pushed unchecked cannot be told; nothing was checked. ${fix}.`);
  const exclude = [...asked.listed].map((sha) => `^${sha}`);
  // One walk for all of them (the common, up-to-date case); which one is ahead is looked up only to say so.
  const any = runGit(["rev-list", "-n", "1", "--end-of-options", ...new Set(heads.map((head) => head.sha)), ...exclude, "--"], cwd, env);
  if (any.status === 0 && any.stdout.toString("utf8").trim() === "") return;
  for (const head of heads) {
    const ahead = runGit(["rev-list", "--count", "--end-of-options", head.sha, ...exclude, "--"], cwd, env);
    const count = Number(ahead.stdout.toString("utf8").trim());
    if (ahead.status !== 0 || count > 0) {
      const what = ahead.status !== 0 ? `${head.ref} could not be compared with ${target}` : `${head.ref} has ${count} commit${count === 1 ? "" : "s"} ${target} does not have`;
      throw new ScanError(`${consumed} but ${what}: another command may have read git's lines, so nothing was checked. ${fix}.`);
    }
  }
}

/** Local refs under `prefixes` (`refs/heads/`, `refs/tags/`) with the object each points at. */
function localTips(cwd: string, env: NodeJS.ProcessEnv, prefixes: string[]): { sha: string; ref: string }[] {
  const listed = runGit(["for-each-ref", "--format=%(objectname) %(refname)", "--end-of-options", ...prefixes], cwd, env);
  const tips: { sha: string; ref: string }[] = [];
  for (const line of listed.stdout.toString("utf8").split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0) tips.push({ sha: line.slice(0, space), ref: line.slice(space + 1) });
  }
  return tips;
}

/**
 * Under the pre-commit framework there is no standard input: the framework read git's lines
 * itself and passes the first pushed ref only (https://pre-commit.com/#pre-push), so a push of
 * several refs (`git push origin a b`, `--all`, `--tags`) cannot be told from a push of one.
 * Everything local the remote does not have is scanned: every local branch and tag, HEAD,
 * PRE_COMMIT_LOCAL_BRANCH and PRE_COMMIT_TO_REF, less what the remote lists
 * (PRE_COMMIT_REMOTE_URL, else PRE_COMMIT_REMOTE_NAME). The framework's FROM_REF is not used:
 * for a new branch it derives it from the remote-tracking refs.
 * @throws ScanError (exit 3) when a ref the framework names is not a commit here.
 */
function preCommitFrameworkPush(session: ScanSession, env: NodeJS.ProcessEnv, git: { cwd: string; env: NodeJS.ProcessEnv; known: (rev: string) => boolean }): { revisions: Revisions; tips: { sha: string; ref: string }[] } {
  const { known } = git;
  const to = env["PRE_COMMIT_TO_REF"];
  const branch = env["PRE_COMMIT_LOCAL_BRANCH"];
  for (const [name, value] of [["PRE_COMMIT_TO_REF", to], ["PRE_COMMIT_LOCAL_BRANCH", branch]] as const) {
    if (value && !known(value)) throw new ScanError(`the pre-commit framework says ${value} is pushed (${name}), but it is not a commit here: what is being pushed cannot be told, so nothing was checked`);
  }
  const tips = localTips(git.cwd, git.env, ["refs/heads/", "refs/tags/"]);
  const refCount = tips.length;
  const named = [known("HEAD") ? "HEAD" : "", to ?? "", branch ?? ""].filter((rev) => rev !== "");
  for (const rev of named) tips.push({ sha: runGit(["rev-parse", "--verify", "--end-of-options", `${rev}^{commit}`], git.cwd, git.env).stdout.toString("utf8").trim(), ref: "" });
  const target = env["PRE_COMMIT_REMOTE_URL"] || env["PRE_COMMIT_REMOTE_NAME"];
  const asked = askRemote(target, git.cwd, git.env);
  const local = `${refCount} branch and tag ref${refCount === 1 ? "" : "s"}, and HEAD`;
  if (asked.listed === null) warnUnasked(session, asked.reason, `the pre-commit framework passes only the first pushed ref, so everything local (${local}) was scanned whole`);
  else {
    session.warn({
      code: "pre-push-framework-all-refs",
      message: `the pre-commit framework passes only the first pushed ref, so everything local (${local}) was scanned less what ${target} has; git's own pre-push hook (lumenguard init) checks exactly what a push sends`,
    });
  }
  return { revisions: { tips: [...new Set(tips.map((tip) => tip.sha))], exclude: [...(asked.listed ?? [])] }, tips };
}
