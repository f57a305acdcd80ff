import { accessSync, constants, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { isDirectory } from "../files.js";
import type { HookManager } from "./detect-hook-manager.js";
import { HOOK_NAMES } from "./hook-command.js";
import type { GitRepo } from "./locate-repo.js";

/**
 * Whether git will run the hooks init installed, in this checkout: git runs
 * `<hooks folder>/<name>` only when that file exists and is executable, in the folder
 * core.hooksPath names (https://git-scm.com/docs/githooks). husky's `.husky/_` is made by
 * `husky` in each checkout (it is gitignored), so a linked worktree or a fresh clone has the
 * setting but not the folder until `npx husky` (or npm install's "prepare" script) runs there;
 * lefthook's hooks exist only after `lefthook install`.
 */
export interface InactiveHooks {
  /** What is wrong, naming the folder or file. */
  reason: string;
  /** The command that makes git run the hooks. */
  fix: string;
}

export function inactiveHooks(repo: GitRepo, manager: HookManager): InactiveHooks | null {
  const folder = shown(repo, repo.hooksDir);
  if (manager === "husky") {
    if (repo.hooksPathConfig === null) return { reason: "core.hooksPath is not set, so git does not call husky", fix: 'Run `npx husky` in this checkout (a "prepare": "husky" script does it on npm install).' };
    if (!isDirectory(repo.hooksDir)) return { reason: `core.hooksPath is ${repo.hooksPathConfig}, and ${folder} does not exist in this checkout (husky makes it per checkout, for example per linked worktree)`, fix: "Run `npx husky` in this checkout." };
  }
  if (manager === "lefthook") {
    const missing = HOOK_NAMES.filter((hook) => !mentions(join(repo.hooksDir, hook), "lefthook"));
    if (missing.length > 0) return { reason: `${missing.map((hook) => `${folder}/${hook}`).join(" and ")} ${missing.length === 1 ? "does" : "do"} not call lefthook`, fix: "Run `npx lefthook install`." };
    return null;
  }
  const notExecutable = HOOK_NAMES.filter((hook) => !isExecutable(join(repo.hooksDir, hook)));
  if (notExecutable.length === 0) return null;
  return {
    reason: `${notExecutable.map((hook) => `${folder}/${hook}`).join(" and ")} ${notExecutable.length === 1 ? "is" : "are"} missing or not executable`,
    fix: manager === "husky" ? "Run `npx husky` in this checkout." : `Run \`chmod +x ${notExecutable.map((hook) => `${folder}/${hook}`).join(" ")}\`.`,
  };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function mentions(file: string, text: string): boolean {
  try {
    return isExecutable(file) && readFileSync(file, "latin1").includes(text);
  } catch {
    return false;
  }
}

function shown(repo: GitRepo, path: string): string {
  const inside = relative(repo.root, path);
  return inside === "" || inside.startsWith("..") ? path : inside.split(sep).join("/");
}
