import { resolve } from "node:path";
import { ScanError } from "../errors.js";
import { compareFindings, type ScanRun } from "../scanning/session.js";
import { runGit } from "../sources/git.js";
import type { Warning } from "../types.js";
import { detectCiRange, fullHistoryHint, type CiRange } from "./ci-range.js";
import { scanHistory, type HistoryProgress } from "./history.js";
import { scanWorktree, type WorktreeOptions } from "./worktree.js";

/**
 * `lumenguard ci` (issue #3 item 4): the working tree, plus the commits of the pull request or
 * push that triggered the run. A checkout too shallow to hold those commits is an error with
 * the fix (`fetch-depth: 0`), never a vacuous pass.
 */
export interface CiOptions extends WorktreeOptions {
  /** `A..B` instead of what the CI environment says. */
  range?: string;
  onProgress?: (progress: HistoryProgress) => void;
}

export async function scanCi(options: CiOptions): Promise<ScanRun> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const ci = options.range ? null : detectCiRange(env);
  const worktree = await scanWorktree({ ...options, paths: ["."] });
  const warnings: Warning[] = [];
  let revisions: string[] | null = null;
  if (options.range) revisions = [options.range];
  else if (ci) revisions = revisionsFor(ci, cwd, env);
  else warnings.push({ code: "ci-no-range", message: "no pull request or push range found in the environment (GitHub Actions, GitLab CI): only the working tree was scanned; pass --range BASE..HEAD to scan the new commits too" });
  if (!revisions) return withWarnings(worktree, warnings);
  const history = await scanHistory({ ...options, revisions, mode: "history" });
  return merge(worktree, history, warnings);
}

function revisionsFor(ci: CiRange, cwd: string, env: NodeJS.ProcessEnv): string[] {
  const has = (rev: string) => runGit(["cat-file", "-e", `${rev}^{commit}`], cwd, env).status === 0;
  if (!has(ci.head) || (ci.base !== null && !has(ci.base))) {
    throw new ScanError(`${ci.describe}: the commits are not in this checkout (a shallow clone), so they cannot be scanned. Fix: ${fullHistoryHint(ci.provider)}`);
  }
  if (ci.base !== null) return [`${ci.base}..${ci.head}`];
  const bound = ci.defaultBranch && has(`origin/${ci.defaultBranch}`) ? [`^origin/${ci.defaultBranch}`] : [];
  return [ci.head, ...bound];
}

/**
 * One report: the working tree's findings, and history's — except a key the working tree
 * still shows at the same path, which is one leak, reported where it can be fixed.
 */
function merge(worktree: ScanRun, history: ScanRun, warnings: Warning[]): ScanRun {
  const inTree = new Set(worktree.result.findings.map((f) => `${f.secret?.fingerprint}\u0000${f.file}`));
  const keep = (file: string, fingerprint: string | undefined) => !inTree.has(`${fingerprint}\u0000${file}`);
  const a = worktree.result;
  const b = history.result;
  return {
    config: worktree.config,
    placed: [...worktree.placed, ...history.placed.filter((p) => keep(p.finding.file, p.finding.secret?.fingerprint))],
    result: {
      version: 1,
      mode: "ci",
      findings: [...a.findings, ...b.findings.filter((f) => keep(f.file, f.secret?.fingerprint))].sort(compareFindings),
      warnings: [...warnings, ...a.warnings, ...b.warnings],
      suppressed: [...a.suppressed, ...b.suppressed],
      stats: {
        files: a.stats.files,
        bytes: a.stats.bytes + b.stats.bytes,
        blobs: b.stats.blobs,
        commits: b.stats.commits ?? 0,
        durationMs: a.stats.durationMs + b.stats.durationMs,
        skipped: a.stats.skipped + b.stats.skipped,
        suppressed: a.stats.suppressed + b.stats.suppressed,
      },
    },
  };
}

function withWarnings(run: ScanRun, warnings: Warning[]): ScanRun {
  return { ...run, result: { ...run.result, mode: "ci", warnings: [...warnings, ...run.result.warnings] } };
}
