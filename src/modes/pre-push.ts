import { resolve } from "node:path";
import { runGit } from "../sources/git.js";
import type { ScanRun } from "../scanning/session.js";
import { scanHistory, type HistoryOptions } from "./history.js";

/**
 * `scan --pre-push` (SPEC §3.3, issue #3): git's pre-push hook gets one line per ref being
 * pushed on stdin — `<local ref> <local sha> <remote ref> <remote sha>` — and exactly the
 * commits being pushed are scanned: for an update, those after the remote's sha; for a new
 * branch, those on no remote yet; for a deletion, none.
 */
export interface PrePushOptions extends Omit<HistoryOptions, "revisions" | "mode"> {
  /** The hook's standard input. */
  refs: string;
}

export interface PushedRef {
  localRef: string;
  localSha: string;
  remoteRef: string;
  remoteSha: string;
}

const ZERO = /^0+$/;

export function parsePushedRefs(input: string): PushedRef[] {
  return input
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 4)
    .map(([localRef = "", localSha = "", remoteRef = "", remoteSha = ""]) => ({ localRef, localSha, remoteRef, remoteSha }));
}

/**
 * The revisions of the pushed commits: every pushed tip, minus what the remote already has —
 * the old remote tips we know of, and (for new branches, or a remote tip we never fetched)
 * everything on any remote-tracking branch.
 */
export function pushedRevisions(refs: PushedRef[], known: (sha: string) => boolean): string[] {
  const tips: string[] = [];
  const excluded: string[] = [];
  let excludeRemotes = false;
  for (const ref of refs) {
    if (ZERO.test(ref.localSha)) continue;
    tips.push(ref.localSha);
    if (ZERO.test(ref.remoteSha) || !known(ref.remoteSha)) excludeRemotes = true;
    else excluded.push(ref.remoteSha);
  }
  if (tips.length === 0) return [];
  return [...tips, "--not", ...excluded, ...(excludeRemotes ? ["--remotes"] : [])];
}

/**
 * The pre-commit framework hands the range over in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF
 * instead of stdin; those are read when stdin has no refs.
 */
function refsFromPreCommitFramework(env: NodeJS.ProcessEnv): PushedRef[] {
  const to = env["PRE_COMMIT_TO_REF"];
  if (!to) return [];
  return [{ localRef: env["PRE_COMMIT_LOCAL_BRANCH"] ?? to, localSha: to, remoteRef: env["PRE_COMMIT_REMOTE_BRANCH"] ?? "", remoteSha: env["PRE_COMMIT_FROM_REF"] || "0" }];
}

export async function scanPrePush(options: PrePushOptions): Promise<ScanRun> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  let refs = parsePushedRefs(options.refs);
  if (refs.length === 0) refs = refsFromPreCommitFramework(env);
  const revisions = pushedRevisions(refs, (sha) => runGit(["cat-file", "-e", `${sha}^{commit}`], cwd, env).status === 0);
  // Nothing to push (or only deletions): an empty scope by nature, exit 0 with the count shown.
  return scanHistory({ ...options, revisions, mode: "pre-push" });
}
