import { join } from "node:path";
import { contentChange, readBytesAsText, type FileChange } from "./file-change.js";
import { CREATED_MARK, HOOK_NAMES, LINE_MARK, isMarkedLine, shellScanCommand, type HookName, type HookResolution } from "./hook-command.js";
import { insertLines, joinLines, removeLines, splitLines } from "./byte-lines.js";

/**
 * husky: one marked line in each hook file of `.husky/` — at the end of `pre-commit`, and
 * first in `pre-push` (after a shebang, comments and a husky.sh line), because git writes a
 * pre-push hook's ref lines to its standard input once and a command before lumenguard that
 * reads them (`git lfs pre-push "$@"`) would leave lumenguard nothing. lumenguard's pre-push
 * line saves the lines to a temporary file, scans from it, and makes it the standard input of
 * the rest of the file, so the commands after it read the same lines. husky runs each file
 * with `sh -e` from the top of the work tree, after sourcing `~/.config/husky/init.sh`, passing
 * git's arguments and standard input through; a file that was missing is created (husky 9 needs
 * no shebang). The files are committed, so the line finds lumenguard by paths relative to the
 * top of the work tree.
 */
export function planHusky(dir: string, resolution: HookResolution): FileChange[] {
  return HOOK_NAMES.map((hook) => planHuskyHook(join(dir, hook), hook, resolution));
}

export function planHuskyUninstall(dir: string): FileChange[] {
  return HOOK_NAMES.flatMap((hook) => planHuskyHookUninstall(join(dir, hook)));
}

/**
 * The pre-push line: git's ref lines saved to a temp file (unlinked at once; the open
 * descriptors keep it), the scan reading them on descriptor 9, and the file as standard input
 * of every later line, which reads the lines from their start.
 */
export function huskyPrePushLine(scan: string): string {
  return `lumenguard_refs=$(mktemp) || exit 3; cat > "$lumenguard_refs"; exec 9< "$lumenguard_refs" 0< "$lumenguard_refs"; rm -f "$lumenguard_refs"; { ${scan}; } <&9 || exit $?; exec 9<&-`;
}

/** Where the pre-push line goes: after the leading shebang, blank and comment lines and husky's own `husky.sh` line, before any command. */
function firstCommandIndex(lines: readonly { text: string }[]): number {
  const index = lines.findIndex((line) => {
    const text = line.text.trim();
    return !(text === "" || text.startsWith("#") || /^\.\s.*husky\.sh["']?$/.test(text));
  });
  return index === -1 ? lines.length : index;
}

function planHuskyHook(file: string, hook: HookName, resolution: HookResolution): FileChange {
  const scan = shellScanCommand(hook, resolution);
  const line = `${hook === "pre-push" ? huskyPrePushLine(scan) : scan} ${LINE_MARK}`;
  const note = hook === "pre-push" ? "runs lumenguard first (it hands git's ref lines on to the lines after it)" : "runs lumenguard";
  const current = readBytesAsText(file);
  if (current === null) return contentChange(file, null, `${CREATED_MARK}\n${line}\n`, note, true);
  const lines = splitLines(current);
  if (hook === "pre-push") {
    // Placed (or moved) before the first command: one that reads stdin must come after it.
    const rest = removeLines(lines, (candidate) => candidate.text.trimEnd().endsWith(LINE_MARK));
    return contentChange(file, current, joinLines(insertLines(rest, firstCommandIndex(rest), [line])), note);
  }
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
