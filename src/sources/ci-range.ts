import { readFileSync } from "node:fs";
import { ScanError } from "../errors.js";

/**
 * What a CI run is about, read from the CI's own environment:
 *
 * - GitHub Actions (https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows):
 *   `pull_request` / `pull_request_target`: `base.sha..head.sha` from the event payload at
 *   GITHUB_EVENT_PATH — when the payload cannot be read (a container step that does not mount
 *   it), `origin/$GITHUB_BASE_REF..HEAD`, still a review; `push`: `before..after` (a new
 *   branch, or a `before` that a force-push removed: the commits not on the default branch);
 *   `merge_group` (the merge queue): `base_sha..head_sha`; `schedule` and
 *   `workflow_dispatch`: all of history.
 * - GitLab CI (https://docs.gitlab.com/ci/variables/predefined_variables/): merge request
 *   pipelines `CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA` (a merge train:
 *   `CI_MERGE_REQUEST_TARGET_BRANCH_SHA..CI_COMMIT_SHA`); pipelines for an external (GitHub)
 *   pull request (`external_pull_request_event`)
 *   `CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_SHA..CI_COMMIT_SHA`; branch pipelines
 *   `CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA`; scheduled pipelines: all of history.
 *
 * A run that is a review by its trigger (a pull or merge request event) but whose base cannot
 * be told is an error (exit 3), never a plain run: a plain run would take the change's own
 * settings and skip its commits.
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
      /** The names of the refs the run is about (the branch or tag pushed, the change's branch). */
      refNames: string[];
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
  pull_request?: { base?: { sha?: string }; head?: { sha?: string; ref?: string } };
  merge_group?: { base_sha?: string; head_sha?: string; head_ref?: string };
  repository?: { default_branch?: string };
}

/** GitHub events that are a change under review: their payload names the base. */
const GITHUB_REVIEWS = new Set(["pull_request", "pull_request_target", "merge_group"]);

function githubRange(env: NodeJS.ProcessEnv): CiRange | null {
  const event = readEvent(env["GITHUB_EVENT_PATH"]);
  const name = env["GITHUB_EVENT_NAME"] ?? "";
  const defaultBranch = event?.repository?.default_branch ?? null;
  const pr = event?.pull_request;
  const headRef = names(env["GITHUB_HEAD_REF"], pr?.head?.ref);
  if (pr?.base?.sha && pr.head?.sha) {
    return { kind: "range", provider: "github", base: pr.base.sha, head: pr.head.sha, defaultBranch, branch: null, review: true, describe: `GitHub ${name || "pull request"} ${short(pr.base.sha)}..${short(pr.head.sha)}`, refNames: headRef };
  }
  const group = event?.merge_group;
  if (name === "merge_group" && group?.base_sha && group.head_sha) {
    return { kind: "range", provider: "github", base: group.base_sha, head: group.head_sha, defaultBranch, branch: null, review: true, describe: `GitHub merge queue ${short(group.base_sha)}..${short(group.head_sha)}`, refNames: names(group.head_ref) };
  }
  if (GITHUB_REVIEWS.has(name)) return githubReviewWithoutPayload(env, name, headRef);
  if (name === "schedule" || name === "workflow_dispatch") return { kind: "all-history", provider: "github", describe: `GitHub ${name} run: all of history` };
  const head = event?.after ?? env["GITHUB_SHA"];
  if (name === "push" && head) {
    const base = event?.before && !ZERO.test(event.before) ? event.before : null;
    const branch = event?.ref?.startsWith("refs/heads/") ? event.ref.slice("refs/heads/".length) : null;
    return { kind: "range", provider: "github", base, head, defaultBranch, branch, review: false, describe: `GitHub push ${base ? `${short(base)}..` : "new branch "}${short(head)}`, refNames: names(event?.ref ?? env["GITHUB_REF"]) };
  }
  return null;
}

/**
 * A pull request event whose payload cannot be read (GITHUB_EVENT_PATH unset, or a path a
 * container step does not see): GITHUB_BASE_REF names the base branch, and what is checked out
 * (HEAD: the merge commit of `pull_request`, or what the workflow checked out) is the change.
 * @throws ScanError when not even the base branch is named.
 */
function githubReviewWithoutPayload(env: NodeJS.ProcessEnv, name: string, headRef: string[]): CiRange {
  const baseRef = env["GITHUB_BASE_REF"];
  if (!baseRef) {
    throw new ScanError(
      `GitHub ${name} run, but its event payload (GITHUB_EVENT_PATH=${env["GITHUB_EVENT_PATH"] ?? "unset"}) cannot be read and GITHUB_BASE_REF is not set, so the change under review cannot be told from the rest; nothing was scanned. Make the payload readable in this step (a container step needs the runner's event file), or pass --range BASE..HEAD`,
    );
  }
  const base = `refs/remotes/origin/${baseRef}`;
  return {
    kind: "range",
    provider: "github",
    base,
    head: "HEAD",
    defaultBranch: null,
    branch: null,
    review: true,
    describe: `GitHub ${name} (no readable event payload) origin/${baseRef}..HEAD`,
    refNames: headRef,
  };
}

/** GitLab's pipeline sources that are a change under review (https://docs.gitlab.com/ci/jobs/job_rules/#ci_pipeline_source-predefined-variable). */
const GITLAB_REVIEWS = new Set(["merge_request_event", "external_pull_request_event"]);

function gitlabRange(env: NodeJS.ProcessEnv): CiRange | null {
  const source = env["CI_PIPELINE_SOURCE"] ?? "";
  if (source === "schedule") return { kind: "all-history", provider: "gitlab", describe: "GitLab scheduled pipeline: all of history" };
  const head = env["CI_COMMIT_SHA"];
  if (!head) {
    if (GITLAB_REVIEWS.has(source)) throw new ScanError(`GitLab ${source} pipeline without CI_COMMIT_SHA: the change under review cannot be told; nothing was scanned. Pass --range BASE..HEAD`);
    return null;
  }
  const defaultBranch = env["CI_DEFAULT_BRANCH"] ?? null;
  const branch = env["CI_COMMIT_BRANCH"] ?? null;
  const review = (base: string, what: string, refNames: string[]): CiRange => ({ kind: "range", provider: "gitlab", base, head, defaultBranch, branch: null, review: true, describe: `GitLab ${what} ${short(base)}..${short(head)}`, refNames });
  const train = env["CI_MERGE_REQUEST_EVENT_TYPE"] === "merge_train" ? env["CI_MERGE_REQUEST_TARGET_BRANCH_SHA"] : undefined;
  const mrSource = names(env["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"]);
  if (train) return review(train, "merge train", mrSource);
  const mrBase = env["CI_MERGE_REQUEST_DIFF_BASE_SHA"] || env["CI_MERGE_REQUEST_TARGET_BRANCH_SHA"];
  if (mrBase) return review(mrBase, "merge request", mrSource);
  // A pipeline for a pull request of an external repository (GitHub), run by GitLab CI/CD for external repositories.
  const external = env["CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_SHA"];
  if (external) return review(external, "external pull request", names(env["CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME"]));
  const target = env["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] ?? env["CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_NAME"];
  if (GITLAB_REVIEWS.has(source)) {
    if (target) return review(`refs/remotes/origin/${target}`, `${source === "merge_request_event" ? "merge request" : "external pull request"} (target branch origin/${target})`, mrSource);
    throw new ScanError(`GitLab ${source} pipeline, but no variable names its target (CI_MERGE_REQUEST_DIFF_BASE_SHA, CI_MERGE_REQUEST_TARGET_BRANCH_SHA, CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_SHA or a target branch name): the change under review cannot be told; nothing was scanned. Pass --range BASE..HEAD`);
  }
  const before = env["CI_COMMIT_BEFORE_SHA"];
  const base = before && !ZERO.test(before) ? before : null;
  return { kind: "range", provider: "gitlab", base, head, defaultBranch, branch, review: false, describe: `GitLab pipeline ${base ? `${short(base)}..` : "new branch "}${short(head)}`, refNames: names(env["CI_COMMIT_REF_NAME"]) };
}

/** The ref names given (set, non-empty), for scanning as text. */
function names(...values: Array<string | undefined>): string[] {
  return values.filter((value): value is string => typeof value === "string" && value !== "");
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
