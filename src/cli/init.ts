import { isAbsolute, relative, sep } from "node:path";
import { detectHookManager, huskyDir, lefthookConfig, LEFTHOOK_CONFIGS, type HookManager } from "../install/detect-hook-manager.js";
import { applyChanges, type FileChange } from "../install/file-change.js";
import { locateRepo, NotAGitRepoError, type GitRepo } from "../install/locate-repo.js";
import { planGitignore } from "../install/plan-gitignore.js";
import { lumenguardCommand } from "../install/hook-command.js";
import { planGitHooks, planGitHooksUninstall } from "../install/install-git-hooks.js";
import { planHusky, planHuskyUninstall } from "../install/install-husky.js";
import { planLefthook, planLefthookUninstall } from "../install/install-lefthook.js";
import { messages } from "./messages.js";
import type { CliIO } from "./run.js";

/**
 * `lumenguard init [--husky | --lefthook | --git-hooks] [--uninstall] [--dry-run]` (SPEC §8):
 * plan every file change first, stop before writing anything if one conflicts, then apply
 * (unless --dry-run) and print one line per file and the next step.
 */
export interface InitFlags {
  husky?: boolean;
  lefthook?: boolean;
  "git-hooks"?: boolean;
  uninstall?: boolean;
  "dry-run"?: boolean;
}

export async function initCommand(args: string[], flags: InitFlags, io: CliIO): Promise<number> {
  if (args[0] !== undefined) return fail(io, messages.initNoPaths(args[0]), 2);
  const forced = (["husky", "lefthook", "git-hooks"] as const).filter((manager) => flags[manager]);
  if (forced.length > 1) return fail(io, messages.initOneManager(), 2);
  let repo: GitRepo;
  try {
    repo = locateRepo(io.cwd, io.env);
  } catch (error) {
    if (error instanceof NotAGitRepoError) return fail(io, messages.initNotARepo(error.message), 3);
    throw error;
  }
  const dryRun = flags["dry-run"] ?? false;
  const manager = forced[0] ?? (flags.uninstall ? null : detectHookManager(repo));
  const changes = flags.uninstall ? planUninstall(repo, manager) : planInstall(repo, manager ?? "git-hooks", io.env);
  const conflicts = changes.filter((change) => change.action === "conflict");
  for (const change of conflicts) io.stderr.write(`${messages.initConflict(shown(repo, change.file), change.note)}\n`);
  if (conflicts.length > 0) return fail(io, messages.initConflicts(), 3);
  if (!dryRun) {
    try {
      applyChanges(changes);
    } catch (error) {
      return fail(io, messages.initFailed((error as Error).message), 3);
    }
  }
  io.stdout.write(`${messages.initHeader(flags.uninstall ? "remove lumenguard's hooks" : managerName(manager), repo.root, dryRun)}\n`);
  for (const change of changes) io.stdout.write(`${messages.initChange(verb(change, dryRun), shown(repo, change.file), change.note)}\n`);
  io.stdout.write(`${dryRun ? messages.initDryRun() : nextStep(repo, manager, flags, changes)}\n`);
  return 0;
}

function planInstall(repo: GitRepo, manager: HookManager, env: NodeJS.ProcessEnv): FileChange[] {
  const command = lumenguardCommand(env);
  const hooks =
    manager === "husky"
      ? planHusky(huskyDir(repo), command)
      : manager === "lefthook"
        ? planLefthook(lefthookConfig(repo.root) ?? `${repo.root}${sep}lefthook.yml`, command)
        : planGitHooks(repo.hooksDir, command);
  return [...hooks, planGitignore(repo.root)];
}

/** Without a flag, every place init could have written to: the manager in use may have changed since. */
function planUninstall(repo: GitRepo, manager: HookManager | null): FileChange[] {
  const changes: FileChange[] = [];
  if (manager === null || manager === "husky") changes.push(...planHuskyUninstall(huskyDir(repo)));
  if (manager === null || manager === "lefthook") {
    for (const name of LEFTHOOK_CONFIGS) changes.push(...planLefthookUninstall(`${repo.root}${sep}${name}`));
  }
  if (manager === null || manager === "git-hooks") changes.push(...planGitHooksUninstall(repo.hooksDir));
  return changes;
}

function nextStep(repo: GitRepo, manager: HookManager | null, flags: InitFlags, changes: FileChange[]): string {
  if (flags.uninstall) return changes.length === 0 ? messages.initNothingToRemove() : messages.initUninstalled();
  if (manager === "husky") {
    const files = changes.filter((change) => change.file.startsWith(huskyDir(repo))).map((change) => shown(repo, change.file));
    return messages.initNextHusky(files.join(", "), huskyDir(repo) === repo.hooksDir || repo.hooksDir.startsWith(huskyDir(repo) + sep));
  }
  if (manager === "lefthook") return messages.initNextLefthook(shown(repo, lefthookConfig(repo.root) ?? "lefthook.yml"));
  const hooksDir = shown(repo, repo.hooksDir);
  // A hooks folder inside the working tree (core.hooksPath = .githooks) can be committed; .git/hooks cannot.
  return messages.initNextGitHooks(hooksDir, !isAbsolute(hooksDir) && !hooksDir.startsWith(".git/") && hooksDir !== ".git");
}

function managerName(manager: HookManager | null): string {
  return manager === "husky" ? "husky hooks" : manager === "lefthook" ? "lefthook commands" : "git hooks";
}

const VERBS: Record<FileChange["action"], [done: string, planned: string]> = {
  create: ["created", "would create"],
  update: ["updated", "would update"],
  delete: ["deleted", "would delete"],
  chain: ["chained", "would chain"],
  restore: ["restored", "would restore"],
  unchanged: ["unchanged", "unchanged"],
  conflict: ["left alone", "left alone"],
};

function verb(change: FileChange, dryRun: boolean): string {
  return VERBS[change.action][dryRun ? 1 : 0];
}

/** Repository-relative with forward slashes; absolute when outside the repository. */
function shown(repo: GitRepo, file: string): string {
  const path = relative(repo.root, file);
  if (path === "" || path.startsWith("..") || isAbsolute(path)) return file;
  return path.split(sep).join("/");
}

function fail(io: CliIO, message: string, code: number): number {
  io.stderr.write(`${message}\n`);
  return code;
}
