import { join } from "node:path";
import { contentChange, readTextIfExists, type FileChange } from "./file-change.js";
import { CREATED_MARK, HOOK_NAMES, LINE_MARK, isMarkedLine, shellScanCommand, type HookName } from "./hook-command.js";
import { insertLines, joinLines, removeLines, splitLines } from "./byte-lines.js";

/**
 * husky: one marked line at the end of `.husky/pre-commit` and `.husky/pre-push`. husky runs
 * each file with `sh -e`, passing git's arguments and standard input through, so the line
 * needs no wrapper; a file that was missing is created (husky 9 needs no shebang).
 */
export function planHusky(dir: string, command: string | null): FileChange[] {
  return HOOK_NAMES.map((hook) => planHuskyHook(join(dir, hook), hook, command));
}

export function planHuskyUninstall(dir: string): FileChange[] {
  return HOOK_NAMES.flatMap((hook) => planHuskyHookUninstall(join(dir, hook)));
}

function planHuskyHook(file: string, hook: HookName, command: string | null): FileChange {
  const line = `${shellScanCommand(hook, command)} ${LINE_MARK}`;
  const note = `runs ${shellScanCommand(hook, command)}`;
  const current = readTextIfExists(file);
  if (current === null) return contentChange(file, null, `${CREATED_MARK}\n${line}\n`, note, true);
  const lines = splitLines(current);
  const ours = lines.findIndex((candidate) => candidate.text.trimEnd().endsWith(LINE_MARK));
  if (ours === -1) return contentChange(file, current, joinLines(insertLines(lines, lines.length, [line])), note);
  // An older or differently configured line of ours is replaced where it stands.
  const updated = lines.map((candidate, index) => (index === ours ? { ...candidate, text: line } : candidate));
  return contentChange(file, current, joinLines(updated), note);
}

function planHuskyHookUninstall(file: string): FileChange[] {
  const current = readTextIfExists(file);
  if (current === null) return [];
  const lines = splitLines(current);
  if (!lines.some((line) => isMarkedLine(line.text))) return [];
  const createdByUs = lines.some((line) => line.text.trimEnd() === CREATED_MARK);
  const rest = removeLines(lines, (line) => isMarkedLine(line.text));
  if (createdByUs && rest.every((line) => line.text.trim() === "")) return [{ action: "delete", file, note: "created by lumenguard init: removed" }];
  return [{ action: "update", file, content: joinLines(rest), note: "lumenguard line removed" }];
}
