import { existsSync } from "node:fs";
import { join } from "node:path";
import { readTextIfExists, type FileChange } from "./file-change.js";
import { HOOK_NAMES, shellScanCommand, type HookName } from "./hook-command.js";

/**
 * Plain git hooks in the hooks folder (core.hooksPath honoured). A hook that is already there
 * and is not ours is never overwritten: it moves to `<name>.lumenguard-chained` and our hook
 * runs it after lumenguard, with the same arguments and standard input (SPEC §8).
 */

/** First comment of every hook file we write; how we know a hook is ours. */
export const HOOK_HEADER = "# lumenguard: installed by lumenguard init; lumenguard init --uninstall removes it";
export const CHAINED_SUFFIX = ".lumenguard-chained";

export function planGitHooks(hooksDir: string, command: string | null): FileChange[] {
  return HOOK_NAMES.map((hook) => planHook(hooksDir, hook, command));
}

export function planGitHooksUninstall(hooksDir: string): FileChange[] {
  return HOOK_NAMES.flatMap((hook) => planHookUninstall(hooksDir, hook));
}

function planHook(hooksDir: string, hook: HookName, command: string | null): FileChange {
  const file = join(hooksDir, hook);
  const chained = file + CHAINED_SUFFIX;
  const current = readTextIfExists(file);
  const hasChained = existsSync(chained);
  if (current !== null && !isOurHook(current)) {
    if (hasChained) return { action: "conflict", file, note: `not lumenguard's, and ${hook}${CHAINED_SUFFIX} is taken: left alone` };
    return { action: "chain", file, chained, content: hookScript(hook, command, true), note: `your hook kept as ${hook}${CHAINED_SUFFIX}, run after lumenguard` };
  }
  const content = hookScript(hook, command, hasChained);
  const note = hasChained ? `runs lumenguard, then ${hook}${CHAINED_SUFFIX}` : `runs ${shellScanCommand(hook, command)}`;
  if (current === content) return { action: "unchanged", file, note };
  return current === null ? { action: "create", file, content, executable: true, note } : { action: "update", file, content, note };
}

function planHookUninstall(hooksDir: string, hook: HookName): FileChange[] {
  const file = join(hooksDir, hook);
  const chained = file + CHAINED_SUFFIX;
  const current = readTextIfExists(file);
  const hasChained = existsSync(chained);
  if (current !== null && !isOurHook(current)) {
    return hasChained ? [{ action: "conflict", file: chained, note: `${hook} is no longer lumenguard's: left both alone` }] : [];
  }
  if (hasChained) return [{ action: "restore", file, chained, note: `your hook is back from ${hook}${CHAINED_SUFFIX}` }];
  return current === null ? [] : [{ action: "delete", file, note: "lumenguard's hook removed" }];
}

export function isOurHook(content: string): boolean {
  return content.split(/\r?\n/).includes(HOOK_HEADER);
}

/** The hook file; with `chained`, it runs the kept hook next, if git would have run it. */
export function hookScript(hook: HookName, command: string | null, chained: boolean): string {
  const scan = shellScanCommand(hook, command);
  const head = ["#!/bin/sh", HOOK_HEADER];
  // The hook's exit status is the scan's: no `exec`, the command may be an if/else line.
  if (!chained) return [...head, scan, ""].join("\n");
  const kept = `"$(dirname "$0")/${hook}${CHAINED_SUFFIX}"`;
  if (hook === "pre-commit") {
    return [
      ...head,
      `# Then the hook that was here before, kept as ${hook}${CHAINED_SUFFIX}.`,
      `${scan} || exit $?`,
      `if [ -x ${kept} ]; then exec ${kept} "$@"; fi`,
      "",
    ].join("\n");
  }
  return [
    ...head,
    `# Then the hook that was here before, kept as ${hook}${CHAINED_SUFFIX}. git writes the refs`,
    "# being pushed to stdin once and both need them, so they are saved to a temp file first.",
    'lumenguard_refs=$(mktemp) || exit 1',
    `trap 'rm -f "$lumenguard_refs"' EXIT`,
    'cat > "$lumenguard_refs"',
    `${scan} < "$lumenguard_refs" || exit $?`,
    `if [ -x ${kept} ]; then ${kept} "$@" < "$lumenguard_refs"; fi`,
    "",
  ].join("\n");
}
