import { join } from "node:path";
import { contentChange, readBytesAsText, type FileChange } from "./file-change.js";
import { CREATED_MARK, HOOK_NAMES, LINE_MARK, isMarkedLine, shellScanCommand, type HookName, type HookResolution } from "./hook-command.js";
import { insertLines, joinLines, removeLines, splitLines } from "./byte-lines.js";

/**
 * husky: one marked line at the end of `.husky/pre-commit` and `.husky/pre-push`. husky runs
 * each file with `sh -e` from the top of the work tree, after sourcing
 * `~/.config/husky/init.sh`, passing git's arguments and standard input through, so the line
 * needs no wrapper; a file that was missing is created (husky 9 needs no shebang). The files
 * are committed, so the line finds lumenguard by paths relative to the top of the work tree.
 */
export function planHusky(dir: string, resolution: HookResolution): FileChange[] {
  return HOOK_NAMES.map((hook) => planHuskyHook(join(dir, hook), hook, resolution));
}

export function planHuskyUninstall(dir: string): FileChange[] {
  return HOOK_NAMES.flatMap((hook) => planHuskyHookUninstall(join(dir, hook)));
}

function planHuskyHook(file: string, hook: HookName, resolution: HookResolution): FileChange {
  const line = `${shellScanCommand(hook, resolution)} ${LINE_MARK}`;
  const note = "runs lumenguard";
  const current = readBytesAsText(file);
  if (current === null) return contentChange(file, null, `${CREATED_MARK}\n${line}\n`, note, true);
  const lines = splitLines(current);
  const ours = lines.findIndex((candidate) => candidate.text.trimEnd().endsWith(LINE_MARK));
  if (ours === -1) return contentChange(file, current, joinLines(insertLines(lines, lines.length, [line])), note);
  // An older or differently configured line of ours is replaced where it stands.
  const updated = lines.map((candidate, index) => (index === ours ? { ...candidate, text: line } : candidate));
  return contentChange(file, current, joinLines(updated), note);
}

function planHuskyHookUninstall(file: string): FileChange[] {
  const current = readBytesAsText(file);
  if (current === null) return [];
  const lines = splitLines(current);
  if (!lines.some((line) => isMarkedLine(line.text))) return [];
  const createdByUs = lines.some((line) => line.text.trimEnd() === CREATED_MARK);
  const rest = removeLines(lines, (line) => isMarkedLine(line.text));
  if (createdByUs && rest.every((line) => line.text.trim() === "")) return [{ action: "delete", file, note: "created by lumenguard init: removed" }];
  return [contentChange(file, current, joinLines(rest), "lumenguard line removed")];
}
