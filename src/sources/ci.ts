import { MAX_FINDINGS_PER_SCAN, SeverityCap } from "../engine/finding-cap.js";
import { ScanError } from "../errors.js";
import type { Revisions } from "../git/revisions.js";
import { runGit } from "../git/run-git.js";
import type { ScanRun } from "../scanning/session.js";
import { compareFindings } from "../scanning/session.js";
import type { Finding, Warning } from "../types.js";
import { detectCiRange, fullHistoryHint, type CiRange } from "./ci-range.js";

/**
 * `lumenguard ci`: the working tree, plus the commits of the pull request, push, merge queue
 * entry or schedule that triggered the run. A checkout too shallow to hold those commits is an
 * error with the fix (`fetch-depth: 0`), never a vacuous pass; a `before` commit that a
 * force-push removed from a full clone makes the push count as a new branch.
 */
export interface CiPlan {
  /** The commits for the history scan, or null for none (no range found). */
  revisions: Revisions | null;
  warnings: Warning[];
  describe: string | null;
  /**
   * For a change under review (pull or merge request, merge queue): the commit it is proposed
   * against, whose configuration and baseline the scan uses. Null otherwise.
   */
  reviewBase: string | null;
  /** The names of the refs the run is about (the branch or tag pushed, the change's branch): scanned as text. */
  refNames: string[];
}

/**
 * The history part of a `ci` run: from `--range`, else from the CI environment.
 * @throws ScanError (exit 3) when the clone is shallow and lacks the range's commits.
 */
export function planCi(cwd: string, env: NodeJS.ProcessEnv, range: string | undefined): CiPlan {
  if (range !== undefined) return { revisions: { tips: [range] }, warnings: [], describe: `--range ${range}`, reviewBase: null, refNames: [] };
  const ci = detectCiRange(env);
  if (!ci) {
    return {
      revisions: null,
      describe: null,
      reviewBase: null,
      refNames: [],
      warnings: [
        {
          code: "ci-no-range",
          message: noRangeMessage(env),
        },
      ],
    };
  }
  if (ci.kind === "all-history") {
    return { revisions: { tips: [], allRefs: true }, warnings: [{ code: "ci-scope", message: `${ci.describe}: the working tree and every commit of every ref were scanned` }], describe: ci.describe, reviewBase: null, refNames: [] };
  }
  return rangeRevisions(ci, cwd, env);
}

/** Why only the working tree was scanned, naming the CI event when there is one, and how to give the commits. */
function noRangeMessage(env: NodeJS.ProcessEnv): string {
  const github = env["GITHUB_ACTIONS"] === "true" ? env["GITHUB_EVENT_NAME"] : undefined;
  const gitlab = env["GITLAB_CI"] === "true" ? env["CI_PIPELINE_SOURCE"] : undefined;
  const what = github
    ? `the GitHub Actions event "${github}" gives no commit range lumenguard knows how to read`
    : gitlab
      ? `the GitLab pipeline source "${gitlab}" gives no commit range lumenguard knows how to read`
      : "no pull request, push or schedule found in the environment (GitHub Actions, GitLab CI)";
  return `${what}: only the working tree was scanned, not the commits of this run; pass --range BASE..HEAD to scan commits too (or run lumenguard scan --history for every commit)`;
}

function rangeRevisions(ci: Extract<CiRange, { kind: "range" }>, cwd: string, env: NodeJS.ProcessEnv): CiPlan {
  const has = (rev: string) => !rev.startsWith("-") && runGit(["cat-file", "-e", "--end-of-options", `${rev}^{commit}`], cwd, env).status === 0;
  const shallow = runGit(["rev-parse", "--is-shallow-repository"], cwd, env).stdout.toString("utf8").trim() === "true";
  const warnings: Warning[] = [];
  if (!has(ci.head)) {
    throw new ScanError(
      shallow
        ? `${ci.describe}: the commits are not in this checkout (a shallow clone), so they cannot be scanned. Fix: ${fullHistoryHint(ci.provider)}`
        : `${ci.describe}: the commit ${ci.head.slice(0, 12)} is not in this checkout, so it cannot be scanned; check out the commit the CI run is about`,
    );
  }
  let base = ci.base;
  if (base !== null && !has(base)) {
    if (shallow) throw new ScanError(`${ci.describe}: the commits are not in this checkout (a shallow clone), so they cannot be scanned. Fix: ${fullHistoryHint(ci.provider)}`);
    // Only a push can rewrite what came before it; a change under review always has its base.
    if (ci.review) {
      const branch = base.startsWith("refs/remotes/origin/") ? base.slice("refs/remotes/origin/".length) : null;
      const what = branch === null ? `the base commit ${base.slice(0, 12)}` : `the base branch origin/${branch}`;
      throw new ScanError(`${ci.describe}: ${what} is not in this checkout, so the change cannot be scanned against it; fetch it (git fetch origin ${branch ?? base}; in GitHub Actions: fetch-depth: 0)`);
    }
    warnings.push({ code: "ci-force-push", message: `${ci.describe}: ${base.slice(0, 12)} is not in this clone (the push rewrote history): scanning the branch as a new one` });
    base = null;
  }
  const reviewBase = ci.review && base !== null ? base : null;
  // A review whose head is its base (a pull_request_target run that did not check the change out) would pass having read none of it.
  if (reviewBase !== null && sameCommit(ci.head, reviewBase, cwd, env)) {
    throw new ScanError(`${ci.describe}: what is checked out (${ci.head}) is the base itself, so the change under review is not here to scan; check out the pull request's head (or its merge commit)`);
  }
  if (base !== null) return { revisions: { tips: [ci.head], exclude: [base] }, warnings, describe: ci.describe, reviewBase, refNames: ci.refNames };
  // A new branch: what is not on the default branch — or, on the default branch itself, everything reachable.
  const onDefault = ci.branch !== null && ci.branch === ci.defaultBranch;
  const defaultRef = ci.defaultBranch ? `refs/remotes/origin/${ci.defaultBranch}` : null;
  const bound = !onDefault && defaultRef && has(defaultRef) ? [defaultRef] : [];
  warnings.push({
    code: "ci-scope",
    message: bound.length > 0 ? `${ci.describe}: the commits of ${ci.head.slice(0, 12)} that are not on ${ci.defaultBranch} were scanned` : `${ci.describe}: every commit reachable from ${ci.head.slice(0, 12)} was scanned`,
  });
  return { revisions: { tips: [ci.head], exclude: bound }, warnings, describe: ci.describe, reviewBase, refNames: ci.refNames };
}

function sameCommit(a: string, b: string, cwd: string, env: NodeJS.ProcessEnv): boolean {
  // rev-parse echoes `--end-of-options` itself (git 2.39): only object ids count.
  const resolved = runGit(["rev-parse", "--end-of-options", `${a}^{commit}`, `${b}^{commit}`], cwd, env).stdout.toString("utf8").split("\n").filter((line) => /^[0-9a-f]{40,64}$/.test(line));
  return resolved.length === 2 && resolved[0] === resolved[1];
}

/**
 * One report: the working tree's findings, and history's — except a key the working tree still
 * shows at the same path (from the repository root), which is one leak, reported where it can
 * be fixed — and `extra` findings of the run itself (a change to the scan's own settings).
 */
export function mergeCiRuns(worktree: ScanRun, history: ScanRun | null, warnings: Warning[], extra: readonly Finding[] = []): ScanRun {
  const a = worktree.result;
  const b = history?.result;
  const place = (finding: Finding) => `${finding.secret?.fingerprint ?? finding.ruleId}\u0000${finding.repoPath ?? finding.file}`;
  const inTree = new Set(a.findings.map(place));
  // Each run kept at most MAX_FINDINGS_PER_SCAN; together they are held to it again, most severe first.
  const kept = new SeverityCap<Finding>(MAX_FINDINGS_PER_SCAN, (finding) => finding.severity);
  for (const finding of [...a.findings, ...(b?.findings.filter((f) => !inTree.has(place(f))) ?? []), ...extra]) kept.add(finding);
  const overCap = (a.stats.findingsOverCap ?? 0) + (b?.stats.findingsOverCap ?? 0) + kept.overCap;
  if (kept.overCap > 0) warnings = [...warnings, { code: "findings-cap", message: `${kept.overCap.toLocaleString("en-US")} more findings of the working tree and the commits together were counted but not kept (at most ${MAX_FINDINGS_PER_SCAN.toLocaleString("en-US")} are kept for one scan, the most severe)` }];
  const findings = kept.items.sort(compareFindings);
  const capped = overCap > 0 ? { findingsOverCap: overCap } : {};
  if (!history || !b) {
    return { ...worktree, result: { ...a, mode: "ci", findings, warnings: [...warnings, ...a.warnings], stats: { ...a.stats, ...capped } } };
  }
  const keptSet = new Set(findings);
  return {
    resolved: worktree.resolved,
    placed: [...worktree.placed, ...history.placed.filter((p) => !inTree.has(place(p.finding)))].filter((p) => keptSet.has(p.finding)),
    result: {
      version: 1,
      mode: "ci",
      findings,
      warnings: distinct([...warnings, ...a.warnings, ...b.warnings]),
      suppressed: [...a.suppressed, ...b.suppressed],
      stats: {
        files: a.stats.files,
        bytes: a.stats.bytes + b.stats.bytes,
        blobs: b.stats.blobs,
        commits: b.stats.commits ?? 0,
        durationMs: a.stats.durationMs + b.stats.durationMs,
        skipped: a.stats.skipped + b.stats.skipped,
        suppressed: a.stats.suppressed + b.stats.suppressed,
        ...capped,
      },
    },
  };
}

/** The warnings said once: the tree and the commits can say the same (an LFS file whose content is not here). */
function distinct(warnings: Warning[]): Warning[] {
  const seen = new Set<string>();
  return warnings.filter((warning) => {
    const key = `${warning.code}\u0000${warning.file ?? ""}\u0000${warning.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
