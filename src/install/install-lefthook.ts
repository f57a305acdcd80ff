import { contentChange, readTextIfExists, type FileChange } from "./file-change.js";
import { HOOK_NAMES, LINE_MARK, isMarkedLine, type HookName } from "./hook-command.js";
import { shellScanCommand } from "./hook-command.js";
import { insertLines, joinLines, removeLines, splitLines, type Line } from "./byte-lines.js";

/**
 * lefthook: `pre-commit.commands.lumenguard` and `pre-push.commands.lumenguard` in the user's
 * lefthook.yml. Edited by lines, not through a YAML library (no dependency, and a parse and
 * dump would lose the user's comments, quoting and order): every line we add ends with the
 * mark, so removing the marked lines gives back the file byte for byte.
 */
export function planLefthook(file: string, command: string | null): FileChange[] {
  const existing = readTextIfExists(file);
  let lines = removeLines(splitLines(existing ?? ""), (line) => isMarkedLine(line.text));
  const notes: string[] = [];
  for (const hook of HOOK_NAMES) {
    const result = addCommand(lines, hook, lefthookEntry(hook, command));
    if (typeof result === "string") return [{ action: "conflict", file, note: result }];
    lines = result.lines;
    notes.push(result.note);
  }
  return [contentChange(file, existing, joinLines(lines), notes.join("; "))];
}

export function planLefthookUninstall(file: string): FileChange[] {
  const current = readTextIfExists(file);
  if (current === null) return [];
  const lines = splitLines(current);
  if (!lines.some((line) => isMarkedLine(line.text))) return [];
  return [{ action: "update", file, content: joinLines(removeLines(lines, (line) => isMarkedLine(line.text))), note: "lumenguard commands removed" }];
}

/** The command's settings. pre-push: `{1} {2}` are git's remote name and URL; use_stdin hands on the refs. */
function lefthookEntry(hook: HookName, command: string | null): string[] {
  const run = shellScanCommand(hook, command).replaceAll('"$@"', "{1} {2}");
  return hook === "pre-commit" ? [`run: ${run}`] : [`run: ${run}`, "use_stdin: true"];
}

type AddResult = { lines: Line[]; note: string } | string;

function addCommand(lines: Line[], hook: HookName, entry: string[]): AddResult {
  const unit = indentUnit(lines);
  const mark = (texts: string[]) => texts.map((text) => `${text} ${LINE_MARK}`);
  const top = lines.findIndex((line) => keyOf(line.text) === hook && indentOf(line.text) === "");
  if (top === -1) {
    const block = [`${hook}:`, `${unit}commands:`, `${unit}${unit}lumenguard:`, ...entry.map((text) => unit.repeat(3) + text)];
    return { lines: insertLines(lines, lines.length, mark(block)), note: `${hook}.commands.lumenguard added` };
  }
  if (hasInlineValue(lines[top]!.text)) return `${hook}: is written inline; add commands.lumenguard by hand (README, "lefthook")`;
  const end = blockEnd(lines, top, "");
  const childIndent = firstChildIndent(lines, top, end, "") ?? unit;
  const commands = findKey(lines, top + 1, end, childIndent, "commands");
  if (commands === -1) {
    const block = [`${childIndent}commands:`, `${childIndent}${unit}lumenguard:`, ...entry.map((text) => `${childIndent}${unit}${unit}${text}`)];
    return { lines: insertLines(lines, top + 1, mark(block)), note: `${hook}.commands.lumenguard added` };
  }
  if (hasInlineValue(lines[commands]!.text)) return `${hook}.commands is written inline; add lumenguard to it by hand (README, "lefthook")`;
  const commandsEnd = blockEnd(lines, commands, childIndent);
  const itemIndent = firstChildIndent(lines, commands, commandsEnd, childIndent) ?? childIndent + unit;
  if (findKey(lines, commands + 1, commandsEnd, itemIndent, "lumenguard") !== -1) {
    return { lines, note: `${hook}.commands.lumenguard is already there (yours): left alone` };
  }
  const block = [`${itemIndent}lumenguard:`, ...entry.map((text) => `${itemIndent}${unit}${text}`)];
  return { lines: insertLines(lines, commands + 1, mark(block)), note: `${hook}.commands.lumenguard added` };
}

/** The key of a `key:` line (quotes dropped), or null for comments, list items and blanks. */
function keyOf(text: string): string | null {
  const match = /^\s*(["']?)([\w.-]+)\1:(\s|$)/.exec(text);
  return match ? match[2]! : null;
}

function hasInlineValue(text: string): boolean {
  return /:\s*[^\s#]/.test(text.replace(/^\s*(["']?)[\w.-]+\1/, ""));
}

function indentOf(text: string): string {
  return /^[ \t]*/.exec(text)![0];
}

function isContent(text: string): boolean {
  return text.trim() !== "" && !text.trim().startsWith("#");
}

/** The index after the last line nested under lines[start] (whose indent is `indent`). */
function blockEnd(lines: Line[], start: number, indent: string): number {
  for (let index = start + 1; index < lines.length; index++) {
    const text = lines[index]!.text;
    if (isContent(text) && indentOf(text).length <= indent.length) return index;
  }
  return lines.length;
}

function firstChildIndent(lines: Line[], start: number, end: number, indent: string): string | null {
  for (let index = start + 1; index < end; index++) {
    const text = lines[index]!.text;
    if (isContent(text) && indentOf(text).length > indent.length) return indentOf(text);
  }
  return null;
}

function findKey(lines: Line[], start: number, end: number, indent: string, key: string): number {
  for (let index = start; index < end; index++) {
    if (indentOf(lines[index]!.text) === indent && keyOf(lines[index]!.text) === key) return index;
  }
  return -1;
}

/** The file's smallest indentation step, else two spaces (YAML's usual). */
function indentUnit(lines: Line[]): string {
  const indents = lines.map((line) => line.text).filter(isContent).map(indentOf).filter((indent) => indent.length > 0);
  if (indents.length === 0) return "  ";
  return indents.reduce((shortest, indent) => (indent.length < shortest.length ? indent : shortest));
}
