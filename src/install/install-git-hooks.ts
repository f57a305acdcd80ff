import { join } from "node:path";
import { pathKind, UnsafeWriteTargetError } from "../files.js";
import { readBytesAsText, type FileChange } from "./file-change.js";
import { HOOK_NAMES, shellScanLines, SOURCE_HUSKY_INIT, type HookName, type HookResolution } from "./hook-command.js";

/**
 * Plain git hooks in the hooks folder (core.hooksPath honoured). A hook that is already there
 * and is not ours is never overwritten: it moves to `<name>.lumenguard-chained` and our hook
 * runs it after lumenguard, with the same arguments and standard input. A hook that is a
 * symbolic link is moved the same way (a rename moves the link, never what it points to);
 * anything else at a hook's name (a folder, a FIFO) is refused.
 */

/** First comment of every hook file we write; how we know a hook is ours. */
export const HOOK_HEADER = "# lumenguard: installed by lumenguard init; lumenguard init --uninstall removes it";
export const CHAINED_SUFFIX = ".lumenguard-chained";

export function planGitHooks(hooksDir: string, resolution: HookResolution): FileChange[] {
  return HOOK_NAMES.map((hook) => planHook(hooksDir, hook, resolution));
}

export function planGitHooksUninstall(hooksDir: string): FileChange[] {
  return HOOK_NAMES.flatMap((hook) => planHookUninstall(hooksDir, hook));
}

/** The hook at `file`: missing, ours, the user's (a file or a link to move aside). */
function existingHook(file: string): { state: "missing" } | { state: "ours"; content: string } | { state: "theirs" } {
  const kind = pathKind(file);
  if (kind === "missing") return { state: "missing" };
  if (kind === "symlink") return { state: "theirs" };
  if (kind !== "file") throw new UnsafeWriteTargetError(file, kind);
  const content = readBytesAsText(file) ?? "";
  return isOurHook(content) ? { state: "ours", content } : { state: "theirs" };
}

function planHook(hooksDir: string, hook: HookName, resolution: HookResolution): FileChange {
  const file = join(hooksDir, hook);
  const chained = file + CHAINED_SUFFIX;
  const current = existingHook(file);
  const hasChained = pathKind(chained) !== "missing";
  if (current.state === "theirs") {
    if (hasChained) return { action: "conflict", file, note: `not lumenguard's, and ${hook}${CHAINED_SUFFIX} is taken: left alone` };
    return { action: "chain", file, chained, content: Buffer.from(hookScript(hook, resolution, true), "latin1"), note: `your hook kept as ${hook}${CHAINED_SUFFIX}, run after lumenguard` };
  }
  const content = hookScript(hook, resolution, hasChained);
  const note = hasChained ? `runs lumenguard, then ${hook}${CHAINED_SUFFIX}` : "runs lumenguard";
  if (current.state === "ours" && current.content === content) return { action: "unchanged", file, note };
  const bytes = Buffer.from(content, "latin1");
  return current.state === "missing" ? { action: "create", file, content: bytes, executable: true, note } : { action: "update", file, content: bytes, note };
}

function planHookUninstall(hooksDir: string, hook: HookName): FileChange[] {
  const file = join(hooksDir, hook);
  const chained = file + CHAINED_SUFFIX;
  const current = existingHook(file);
  const hasChained = pathKind(chained) !== "missing";
  if (current.state === "theirs") {
    return hasChained ? [{ action: "conflict", file: chained, note: `${hook} is no longer lumenguard's: left both alone` }] : [];
  }
  if (hasChained) return [{ action: "restore", file, chained, note: `your hook is back from ${hook}${CHAINED_SUFFIX}` }];
  return current.state === "missing" ? [] : [{ action: "delete", file, note: "lumenguard's hook removed" }];
}

export function isOurHook(content: string): boolean {
  return content.split(/\r?\n/).includes(HOOK_HEADER);
}

/** The hook file; with `chained`, it runs the kept hook next, if git would have run it. */
export function hookScript(hook: HookName, resolution: HookResolution, chained: boolean): string {
  const scan = shellScanLines(hook, resolution);
  const head = [
    "#!/bin/sh",
    HOOK_HEADER,
    "# husky's per-user PATH setup (for node under nvm or a GUI git client), read as husky's own hooks read it.",
    SOURCE_HUSKY_INIT,
    "# lumenguard: the copy init ran from, then node_modules/.bin, then PATH; nothing is downloaded.",
  ];
  // The hook's exit status is the scan's: no `exec`, the last statement decides.
  if (!chained) return [...head, ...scan, ""].join("\n");
  const inSubshell = ["(", ...scan.map((line) => `  ${line}`)];
  const kept = `"$(dirname "$0")/${hook}${CHAINED_SUFFIX}"`;
  if (hook !== "pre-push") {
    return [
      ...head,
      `# Then the hook that was here before, kept as ${hook}${CHAINED_SUFFIX}.`,
      ...inSubshell,
      ") || exit $?",
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
    ...inSubshell,
    ') < "$lumenguard_refs" || exit $?',
    `if [ -x ${kept} ]; then ${kept} "$@" < "$lumenguard_refs"; fi`,
    "",
  ].join("\n");
}
