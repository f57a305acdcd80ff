import { join, relative } from "node:path";
import { shellQuote } from "../files.js";
import { applyChanges, readBytesAsText, validateChanges, type FileChange } from "../install/file-change.js";
import { planEnvIgnores } from "../install/plan-env-ignores.js";
import { runGit } from "../git/run-git.js";
import { findWorkTreeRoot } from "../git/work-tree-root.js";
import type { ScanResult } from "../types.js";

/**
 * `scan --fix`: makes git ignore the env files it reported as `dotenv-unignored`
 * (planEnvIgnores() says how). The plan is made before anything is written and is the same
 * with and without `--dry-run`, which prints it as a diff and changes nothing. Every target
 * is checked first (a `.gitignore` that is a link or a folder is refused, exit 2, nothing
 * written). A tracked env file is never untracked by lumenguard: the exact
 * `git rm --cached` command is printed instead.
 */
export interface FixOutcome {
  changes: FileChange[];
  /** Commands for the user to run (tracked env files). */
  commands: string[];
  /** Env files still not ignored after the fix (should be none). */
  stillUnignored: string[];
}

/** Throws UnsafeWriteTargetError (exit 2) before writing anything when a target is a link, a folder or a special file. */
export function fixEnvIgnores(result: ScanResult, cwd: string, env: NodeJS.ProcessEnv, dryRun: boolean): FixOutcome {
  const unignored = uniqueFiles(result, "dotenv-unignored");
  const tracked = uniqueFiles(result, "dotenv-tracked");
  const outcome: FixOutcome = { changes: [], commands: [], stillUnignored: [] };
  if (unignored.length === 0 && tracked.length === 0) return outcome;
  const root = findWorkTreeRoot(cwd, env);
  outcome.commands = tracked.map((file) => `git rm --cached -- ${shellQuote(relative(cwd, join(cwd, file)) || file)}`);
  outcome.changes = planEnvIgnores(root, unignored.map((file) => join(cwd, file)), env);
  validateChanges(outcome.changes, { root, gitDir: join(root, ".git") });
  if (dryRun) return outcome;
  applyChanges(outcome.changes, { root, gitDir: join(root, ".git") });
  outcome.stillUnignored = unignored.filter((file) => !isIgnored(join(cwd, file), root, env));
  return outcome;
}

function uniqueFiles(result: ScanResult, ruleId: string): string[] {
  return [...new Set(result.findings.filter((finding) => finding.ruleId === ruleId).map((finding) => finding.file))];
}

function isIgnored(absPath: string, root: string, env: NodeJS.ProcessEnv): boolean {
  return runGit(["check-ignore", "-q", "--", relative(root, absPath)], root, env).status === 0;
}

/**
 * A diff-like preview of `changes` (create and update only): `--- file`, `+++ file`, then
 * each line the file gains, `+` first. Computed against the files as they are now, so it is
 * called before the changes are applied (dry run) or is the same lines either way, since
 * every change appends.
 */
export function describeChanges(changes: readonly FileChange[], cwd: string): string[] {
  const lines: string[] = [];
  for (const change of changes) {
    if (change.action !== "create" && change.action !== "update") continue;
    const before = Buffer.from(readBytesAsText(change.file) ?? "", "latin1");
    const start = change.content.subarray(0, before.length).equals(before) ? before.length : 0;
    const added = change.content.subarray(start).toString("utf8").split(/\r?\n/).filter(Boolean);
    const name = relative(cwd, change.file) || change.file;
    lines.push(`--- ${name}`, `+++ ${name}`, ...added.map((line) => `+${line}`));
  }
  return lines;
}
