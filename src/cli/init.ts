import { basename, isAbsolute, join, relative, sep } from "node:path";
import { loadConfig } from "../config/load-config.js";
import { OutsideWriteRootError, UnsafeWriteTargetError } from "../files.js";
import { detectHookManager, huskyDir, lefthookConfig, LEFTHOOK_CONFIGS, type HookManager } from "../install/detect-hook-manager.js";
import { applyChanges, validateChanges, type FileChange } from "../install/file-change.js";
import { inactiveHooks } from "../install/hook-activation.js";
import { HOOK_NAMES, shellScanCommand } from "../install/hook-command.js";
import { hookResolution } from "../install/hook-resolution.js";
import { describeOrigin, hooksFolderOutside, spelledFrom, stopUsingCommand, type OutsideHooksFolder } from "../install/hooks-folder.js";
import { planGitHooks, planGitHooksUninstall } from "../install/install-git-hooks.js";
import { planHusky, planHuskyUninstall } from "../install/install-husky.js";
import { planLefthook, planLefthookUninstall } from "../install/install-lefthook.js";
import { locateRepo, NotAGitRepoError, type GitRepo } from "../install/locate-repo.js";
import { planGitignore } from "../install/plan-gitignore.js";
import { messages } from "./messages.js";
import type { CliIO } from "./io.js";

/**
 * `lumenguard init [--husky | --lefthook | --git-hooks] [--uninstall] [--dry-run]`: plan every
 * file change first, check every target (no links, no folders where a file goes), stop before
 * writing anything if one is refused or conflicts, then apply the whole plan (undone if a write
 * fails half-way) unless --dry-run, print one line per file and the next step, and warn when git
 * will not run the hooks in this checkout. Everything it prints goes through `io`.
 *
 * Hooks are written only in a hooks folder inside the repository (its work tree or its git
 * directory, after resolving links): a core.hooksPath that leads elsewhere, from any config
 * scope, is exit 2 with the hook lines to add there by hand (see hooks-folder.ts).
 *
 * Exit codes: 0 done (or planned); 2 a target lumenguard will not write (a link, a folder, a
 * hooks folder outside the repository) or bad flags; 3 not in a git repository, a conflict, or
 * a write that failed.
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
  // A hooks folder inside the repository, named through a link above it (an absolute
  // core.hooksPath under macOS's /tmp), is named from the repository's own path instead.
  repo = { ...repo, hooksDir: spelledFrom(repo.hooksDir, [repo.gitCommonDir, repo.root]) };
  const dryRun = flags["dry-run"] ?? false;
  const manager = forced[0] ?? (flags.uninstall ? null : detectHookManager(repo));
  const scope = { root: repo.root, gitDir: repo.gitCommonDir };
  // Hooks are written only inside the repository, whatever config scope points git elsewhere.
  for (const folder of hookFolders(repo, manager, flags.uninstall ?? false)) {
    const outside = hooksFolderOutside(folder, [repo.root, repo.gitCommonDir], repo.root, io.env);
    if (outside !== null) return fail(io, outsideMessage(repo, outside, flags.uninstall ?? false, io), 2);
  }
  let changes: FileChange[];
  try {
    changes = flags.uninstall ? planUninstall(repo, manager) : planInstall(repo, manager ?? "git-hooks", io);
    validateChanges(changes, scope);
  } catch (error) {
    if (error instanceof UnsafeWriteTargetError || error instanceof OutsideWriteRootError) return fail(io, messages.initRefused(error.message), 2);
    throw error;
  }
  const conflicts = changes.filter((change) => change.action === "conflict");
  for (const change of conflicts) io.stderr.write(`${messages.initConflict(shown(repo, change.file), change.note)}\n`);
  if (conflicts.length > 0) return fail(io, messages.initConflicts(), 3);
  if (!dryRun) {
    try {
      applyChanges(changes, scope);
    } catch (error) {
      return fail(io, messages.initFailed((error as Error).message), error instanceof UnsafeWriteTargetError || error instanceof OutsideWriteRootError ? 2 : 3);
    }
  }
  // One write: a reader that stops after the first line (`| head -1`) closes the pipe once,
  // after everything is in it, never between two writes.
  const report = [
    messages.initHeader(flags.uninstall ? "remove lumenguard's hooks" : managerName(manager), repo.root, dryRun),
    ...changes.map((change) => messages.initChange(verb(change, dryRun), shown(repo, change.file), change.note)),
    dryRun ? messages.initDryRun() : nextStep(repo, manager, flags, changes),
    ...(flags.uninstall ? [] : rotationOffer(repo)),
  ];
  io.stdout.write(`${report.join("\n")}\n`);
  if (!flags.uninstall && !dryRun && manager !== null) {
    const inactive = inactiveHooks(repo, manager);
    if (inactive !== null) io.stderr.write(`${messages.initNotActive(inactive.reason, inactive.fix)}\n`);
  }
  return 0;
}

/** The hooks folders a run of init writes in (lefthook's file lives at the top of the work tree). */
function hookFolders(repo: GitRepo, manager: HookManager | null, uninstall: boolean): string[] {
  if (uninstall && manager === null) return [huskyDir(repo), repo.hooksDir];
  if (manager === "husky") return [huskyDir(repo)];
  if (manager === "lefthook") return [];
  return [repo.hooksDir];
}

/** Why init will not write in `outside`, where that folder was set, and the two ways on. */
function outsideMessage(repo: GitRepo, outside: OutsideHooksFolder, uninstall: boolean, io: CliIO): string {
  const stop = stopUsingCommand(outside.origin, join(repo.gitCommonDir, "hooks"), join(repo.gitCommonDir, "config"));
  const where = {
    folder: outside.folder,
    realFolder: outside.realFolder,
    origin: describeOrigin(outside.origin),
    root: repo.root,
    gitDir: repo.gitCommonDir,
    stop,
  };
  if (uninstall) return messages.initUninstallHooksOutside(where);
  const resolution = hookResolution(repo, io.cwd, false, io.env);
  return messages.initHooksOutside(where, HOOK_NAMES.map((hook) => [hook, shellScanCommand(hook, resolution)]));
}

function planInstall(repo: GitRepo, manager: HookManager, io: CliIO): FileChange[] {
  // Hooks in the work tree are committed and run in other clones; .git/hooks stays on this machine.
  const committed = manager !== "git-hooks" || !isInside(repo.hooksDir, repo.gitCommonDir);
  const resolution = hookResolution(repo, io.cwd, committed, io.env);
  const hooks =
    manager === "husky"
      ? planHusky(huskyDir(repo), resolution)
      : manager === "lefthook"
        ? planLefthook(lefthookConfig(repo.root) ?? `${repo.root}${sep}lefthook.yml`, resolution)
        : planGitHooks(repo.hooksDir, resolution);
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
    return messages.initNextHusky(files.join(", "));
  }
  if (manager === "lefthook") return messages.initNextLefthook(shown(repo, lefthookConfig(repo.root) ?? "lefthook.yml"));
  const hooksDir = shown(repo, repo.hooksDir);
  // A hooks folder inside the working tree (core.hooksPath = .githooks) can be committed; .git/hooks cannot.
  return messages.initNextGitHooks(hooksDir, !isAbsolute(hooksDir) && !isInside(repo.hooksDir, repo.gitCommonDir));
}

/** Offers key rotation (config `rotation`) when the repository's config does not set it; an unreadable config gets no offer (scan names its problem). */
function rotationOffer(repo: GitRepo): string[] {
  try {
    const loaded = loadConfig({ startDir: repo.root });
    if (loaded.config.rotation) return [];
    const where = loaded.file === null ? "lumenguard.config.json" : basename(loaded.file) === "package.json" ? `the "lumenguard" key of ${shown(repo, loaded.file)}` : shown(repo, loaded.file);
    return [messages.initOfferRotation(where)];
  } catch {
    return [];
  }
}

function isInside(path: string, folder: string): boolean {
  const inside = relative(folder, path);
  return inside === "" || (!inside.startsWith("..") && !isAbsolute(inside));
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
