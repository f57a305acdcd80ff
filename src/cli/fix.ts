import { dirname, join, relative, sep } from "node:path";
import { applyChanges, contentChange, readTextIfExists, type FileChange } from "../install/file-change.js";
import { planGitignore } from "../install/plan-gitignore.js";
import { dominantEol, insertLines, joinLines, splitLines } from "../install/byte-lines.js";
import { shellQuote } from "../files.js";
import { runGit } from "../sources/git.js";
import { findWorkTreeRoot } from "../sources/repo-root.js";
import type { ScanResult } from "../types.js";

/**
 * `scan --fix` (issue #5 item 3): makes git ignore the env files it does not — `.env*` and
 * `!.env.example` appended to the root `.gitignore`, and, for a file that a deeper
 * `.gitignore` takes back with a negation, an anchored line in the `.gitignore` beside it.
 * Append only, atomic, keeping line endings; a second run changes nothing. A tracked env file
 * is never untracked by lumenguard: the exact `git rm --cached` command is printed instead.
 * `--dry-run` prints the lines it would add and changes nothing.
 */
export interface FixOutcome {
  changes: FileChange[];
  /** Commands for the user to run (tracked env files). */
  commands: string[];
  /** Env files still not ignored after the fix (should be none). */
  stillUnignored: string[];
}

export function fixEnvIgnores(result: ScanResult, cwd: string, env: NodeJS.ProcessEnv, dryRun: boolean): FixOutcome {
  const unignored = uniqueFiles(result, "dotenv-unignored");
  const tracked = uniqueFiles(result, "dotenv-tracked");
  const outcome: FixOutcome = { changes: [], commands: [], stillUnignored: [] };
  if (unignored.length === 0 && tracked.length === 0) return outcome;
  const root = findWorkTreeRoot(cwd, env);
  outcome.commands = tracked.map((file) => `git rm --cached -- ${shellQuote(relative(cwd, join(cwd, file)) || file)}`);
  if (unignored.length === 0) return outcome;
  const rootChange = planGitignore(root);
  outcome.changes.push(rootChange);
  if (!dryRun) applyChanges([rootChange]);
  // A negation deeper down (`!.env.local`) wins over the root: anchor the file beside it.
  const remaining = dryRun ? unignored : unignored.filter((file) => !isIgnored(join(cwd, file), root, env));
  for (const file of remaining) {
    const change = anchorInOwnGitignore(join(cwd, file));
    if (change.action !== "unchanged" && (dryRun ? !coveredByRootPlan(rootChange) : true)) outcome.changes.push(change);
  }
  if (!dryRun) {
    applyChanges(outcome.changes.slice(1));
    outcome.stillUnignored = unignored.filter((file) => !isIgnored(join(cwd, file), root, env));
  }
  return outcome;
}

function uniqueFiles(result: ScanResult, ruleId: string): string[] {
  return [...new Set(result.findings.filter((finding) => finding.ruleId === ruleId).map((finding) => finding.file))];
}

function isIgnored(absPath: string, root: string, env: NodeJS.ProcessEnv): boolean {
  return runGit(["check-ignore", "-q", "--", relative(root, absPath)], root, env).status === 0;
}

/** `/<name>` appended to the `.gitignore` in the file's own folder: nothing deeper can take it back. */
function anchorInOwnGitignore(absPath: string): FileChange {
  const file = join(dirname(absPath), ".gitignore");
  const current = readTextIfExists(file);
  const pattern = `/${absPath.slice(dirname(absPath).length + 1).split(sep).join("/")}`;
  const lines = splitLines(current ?? "");
  if (lines.some((line) => line.text.trim() === pattern)) return { action: "unchanged", file, note: `already ignores ${pattern}` };
  const last = lines[lines.length - 1];
  if (last && last.eol === "") last.eol = dominantEol(lines);
  return contentChange(file, current, joinLines(insertLines(lines, lines.length, [pattern])), `added ${pattern}`);
}

/** In a dry run the root change is not applied yet, so nothing can be checked: show both. */
function coveredByRootPlan(change: FileChange): boolean {
  return change.action === "unchanged";
}


/** A diff-like preview for `--dry-run`: the lines each file would gain. */
export function describeChanges(changes: readonly FileChange[], cwd: string): string[] {
  const lines: string[] = [];
  for (const change of changes) {
    if (change.action !== "create" && change.action !== "update") continue;
    const before = readTextIfExists(change.file) ?? "";
    const added = change.content.slice(before.length).split(/\r?\n/).filter(Boolean);
    lines.push(`--- ${relative(cwd, change.file) || change.file}`);
    lines.push(`+++ ${relative(cwd, change.file) || change.file}`);
    for (const line of added) lines.push(`+${line}`);
  }
  return lines;
}
