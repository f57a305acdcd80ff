import { isDirectory, readRegularFile } from "../files.js";
import { MAX_PACKAGE_JSON_BYTES } from "../config/load-config.js";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { GitRepo } from "./locate-repo.js";

export type HookManager = "husky" | "lefthook" | "git-hooks";

/** Names lefthook reads its config from, in its own order of preference. */
export const LEFTHOOK_CONFIGS = [".lefthook.yml", "lefthook.yml", ".lefthook.yaml", "lefthook.yaml"] as const;

/**
 * The hook manager the repository already uses: husky owns core.hooksPath, so it
 * wins; then lefthook; else plain git hooks. `--husky`, `--lefthook`, `--git-hooks` override.
 */
export function detectHookManager(repo: GitRepo): HookManager {
  if (usesHusky(repo)) return "husky";
  if (lefthookConfig(repo.root) !== null) return "lefthook";
  return "git-hooks";
}

function usesHusky(repo: GitRepo): boolean {
  if (huskyDirFromHooksPath(repo) !== null) return true;
  if (isDirectory(join(repo.root, ".husky"))) return true;
  return packageDeclaresHusky(join(repo.root, "package.json"));
}

/**
 * The folder husky's hook files live in: husky 9 points core.hooksPath at `<dir>/_` (husky 8
 * at `<dir>` itself), which also finds a `.husky` kept in a sub-package; else `<root>/.husky`.
 */
export function huskyDir(repo: GitRepo): string {
  return huskyDirFromHooksPath(repo) ?? join(repo.root, ".husky");
}

function huskyDirFromHooksPath(repo: GitRepo): string | null {
  const configured = repo.hooksPathConfig?.replace(/[\\/]+$/, "");
  if (!configured) return null;
  // repo.hooksDir is git's own reading of the setting (relative to the root, `~` expanded).
  if (/(^|[\\/])\.husky[\\/]_$/.test(configured)) return dirname(repo.hooksDir);
  if (/(^|[\\/])\.husky$/.test(configured)) return repo.hooksDir;
  return null;
}

export function lefthookConfig(root: string): string | null {
  for (const name of LEFTHOOK_CONFIGS) if (existsSync(join(root, name))) return join(root, name);
  return null;
}

function packageDeclaresHusky(file: string): boolean {
  try {
    const pkg = JSON.parse(readRegularFile(file, MAX_PACKAGE_JSON_BYTES)?.toString("utf8") ?? "{}") as Record<string, unknown>;
    return ["devDependencies", "dependencies"].some((field) => {
      const deps = pkg[field];
      return typeof deps === "object" && deps !== null && "husky" in deps;
    });
  } catch {
    // No package.json, or one that does not parse: nothing says husky.
    return false;
  }
}

