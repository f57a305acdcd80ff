import { readFileSync } from "node:fs";

/**
 * The commits a CI run is about (issue #3 item 4), read from the CI's own environment:
 *
 * - GitHub Actions, pull request: `pull_request.base.sha..pull_request.head.sha` from the event
 *   payload at GITHUB_EVENT_PATH. Push: `before..after`.
 * - GitLab CI, merge request pipeline: `CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA`.
 *   Branch pipeline: `CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA`.
 *
 * A new branch has no "before" (all zeros): its commits are those not on the default branch.
 */
export interface CiRange {
  provider: "github" | "gitlab";
  /** The commit the range starts after, or null for a new branch. */
  base: string | null;
  head: string;
  /** The default branch, to bound a new branch's commits (`origin/<it>`). */
  defaultBranch: string | null;
  describe: string;
}

const ZERO = /^0+$/;

export function detectCiRange(env: NodeJS.ProcessEnv): CiRange | null {
  if (env["GITHUB_ACTIONS"] === "true") return githubRange(env);
  if (env["GITLAB_CI"] === "true") return gitlabRange(env);
  return null;
}

interface GithubEvent {
  before?: string;
  after?: string;
  pull_request?: { base?: { sha?: string }; head?: { sha?: string } };
  repository?: { default_branch?: string };
}

function githubRange(env: NodeJS.ProcessEnv): CiRange | null {
  const event = readEvent(env["GITHUB_EVENT_PATH"]);
  const name = env["GITHUB_EVENT_NAME"] ?? "";
  const defaultBranch = event?.repository?.default_branch ?? null;
  const pr = event?.pull_request;
  if (pr?.base?.sha && pr.head?.sha) {
    return { provider: "github", base: pr.base.sha, head: pr.head.sha, defaultBranch, describe: `GitHub ${name} ${short(pr.base.sha)}..${short(pr.head.sha)}` };
  }
  const head = event?.after ?? env["GITHUB_SHA"];
  if (name === "push" && head) {
    const base = event?.before && !ZERO.test(event.before) ? event.before : null;
    return { provider: "github", base, head, defaultBranch, describe: `GitHub push ${base ? `${short(base)}..` : "new branch "}${short(head)}` };
  }
  return null;
}

function gitlabRange(env: NodeJS.ProcessEnv): CiRange | null {
  const head = env["CI_COMMIT_SHA"];
  if (!head) return null;
  const defaultBranch = env["CI_DEFAULT_BRANCH"] ?? null;
  const mrBase = env["CI_MERGE_REQUEST_DIFF_BASE_SHA"];
  if (mrBase) return { provider: "gitlab", base: mrBase, head, defaultBranch, describe: `GitLab merge request ${short(mrBase)}..${short(head)}` };
  const before = env["CI_COMMIT_BEFORE_SHA"];
  const base = before && !ZERO.test(before) ? before : null;
  return { provider: "gitlab", base, head, defaultBranch, describe: `GitLab pipeline ${base ? `${short(base)}..` : "new branch "}${short(head)}` };
}

function readEvent(path: string | undefined): GithubEvent | null {
  if (!path) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as GithubEvent;
  } catch {
    return null;
  }
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

/** How to get the missing history, per CI. */
export function fullHistoryHint(provider: CiRange["provider"] | null): string {
  if (provider === "github") return "set fetch-depth: 0 on actions/checkout";
  if (provider === "gitlab") return "set the GIT_DEPTH: 0 variable for the job";
  return "fetch the full history (git fetch --unshallow)";
}
