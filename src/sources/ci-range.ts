import { readFileSync } from "node:fs";

/**
 * What a CI run is about, read from the CI's own environment:
 *
 * - GitHub Actions (https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows):
 *   `pull_request` / `pull_request_target`: `base.sha..head.sha` from the event payload at
 *   GITHUB_EVENT_PATH; `push`: `before..after` (a new branch, or a `before` that a force-push
 *   removed: the commits not on the default branch); `merge_group` (the merge queue):
 *   `base_sha..head_sha`; `schedule` and `workflow_dispatch`: all of history.
 * - GitLab CI (https://docs.gitlab.com/ci/variables/predefined_variables/): merge request
 *   pipelines `CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA` (a merge train:
 *   `CI_MERGE_REQUEST_TARGET_BRANCH_SHA..CI_COMMIT_SHA`); branch pipelines
 *   `CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA`; scheduled pipelines: all of history.
 */
export type CiRange =
  | {
      kind: "range";
      provider: "github" | "gitlab";
      /** The commit the range starts after, or null for a new branch. */
      base: string | null;
      head: string;
      /** The default branch, to bound a new branch's commits (`origin/<it>`). */
      defaultBranch: string | null;
      /** The branch being pushed (a push on the default branch itself has nothing to bound it). */
      branch: string | null;
      /**
       * A change proposed for review (pull request, merge request, merge queue or train): its
       * own edits to the scan's configuration and baseline must not decide its scan.
       */
      review: boolean;
      describe: string;
    }
  | { kind: "all-history"; provider: "github" | "gitlab"; describe: string };

const ZERO = /^0+$/;

export function detectCiRange(env: NodeJS.ProcessEnv): CiRange | null {
  if (env["GITHUB_ACTIONS"] === "true") return githubRange(env);
  if (env["GITLAB_CI"] === "true") return gitlabRange(env);
  return null;
}

interface GithubEvent {
  ref?: string;
  before?: string;
  after?: string;
  pull_request?: { base?: { sha?: string }; head?: { sha?: string } };
  merge_group?: { base_sha?: string; head_sha?: string };
  repository?: { default_branch?: string };
}

function githubRange(env: NodeJS.ProcessEnv): CiRange | null {
  const event = readEvent(env["GITHUB_EVENT_PATH"]);
  const name = env["GITHUB_EVENT_NAME"] ?? "";
  const defaultBranch = event?.repository?.default_branch ?? null;
  const pr = event?.pull_request;
  if (pr?.base?.sha && pr.head?.sha) {
    return { kind: "range", provider: "github", base: pr.base.sha, head: pr.head.sha, defaultBranch, branch: null, review: true, describe: `GitHub ${name || "pull request"} ${short(pr.base.sha)}..${short(pr.head.sha)}` };
  }
  const group = event?.merge_group;
  if (name === "merge_group" && group?.base_sha && group.head_sha) {
    return { kind: "range", provider: "github", base: group.base_sha, head: group.head_sha, defaultBranch, branch: null, review: true, describe: `GitHub merge queue ${short(group.base_sha)}..${short(group.head_sha)}` };
  }
  if (name === "schedule" || name === "workflow_dispatch") return { kind: "all-history", provider: "github", describe: `GitHub ${name} run: all of history` };
  const head = event?.after ?? env["GITHUB_SHA"];
  if (name === "push" && head) {
    const base = event?.before && !ZERO.test(event.before) ? event.before : null;
    const branch = event?.ref?.startsWith("refs/heads/") ? event.ref.slice("refs/heads/".length) : null;
    return { kind: "range", provider: "github", base, head, defaultBranch, branch, review: false, describe: `GitHub push ${base ? `${short(base)}..` : "new branch "}${short(head)}` };
  }
  return null;
}

function gitlabRange(env: NodeJS.ProcessEnv): CiRange | null {
  if (env["CI_PIPELINE_SOURCE"] === "schedule") return { kind: "all-history", provider: "gitlab", describe: "GitLab scheduled pipeline: all of history" };
  const head = env["CI_COMMIT_SHA"];
  if (!head) return null;
  const defaultBranch = env["CI_DEFAULT_BRANCH"] ?? null;
  const branch = env["CI_COMMIT_BRANCH"] ?? null;
  const train = env["CI_MERGE_REQUEST_EVENT_TYPE"] === "merge_train" ? env["CI_MERGE_REQUEST_TARGET_BRANCH_SHA"] : undefined;
  const mrBase = train || env["CI_MERGE_REQUEST_DIFF_BASE_SHA"];
  if (mrBase) {
    return { kind: "range", provider: "gitlab", base: mrBase, head, defaultBranch, branch: null, review: true, describe: `GitLab ${train ? "merge train" : "merge request"} ${short(mrBase)}..${short(head)}` };
  }
  const before = env["CI_COMMIT_BEFORE_SHA"];
  const base = before && !ZERO.test(before) ? before : null;
  return { kind: "range", provider: "gitlab", base, head, defaultBranch, branch, review: false, describe: `GitLab pipeline ${base ? `${short(base)}..` : "new branch "}${short(head)}` };
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
export function fullHistoryHint(provider: "github" | "gitlab" | null): string {
  if (provider === "github") return "set fetch-depth: 0 on actions/checkout";
  if (provider === "gitlab") return "set the GIT_DEPTH: 0 variable for the job";
  return "fetch the full history (git fetch --unshallow)";
}
