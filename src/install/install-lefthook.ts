import { createRequire } from "node:module";
import type { Document, Pair, YAMLMap } from "yaml";
import { contentChange, readBytesAsText, type FileChange } from "./file-change.js";
import { CREATED_MARK, HOOK_NAMES, LINE_MARK, shellScanCommand, SOURCE_HUSKY_INIT, type HookName, type HookResolution } from "./hook-command.js";

/**
 * lefthook: `pre-commit.commands.lumenguard` and `pre-push.commands.lumenguard` in the user's
 * lefthook.yml, edited through the `yaml` package's Document API
 * (https://eemeli.org/yaml/#documents), which keeps comments, key order, blank lines and
 * quoting, whatever the file's indentation. Each key init adds carries the mark as its
 * trailing comment (`lumenguard: # lumenguard (added by lumenguard init)`), so `--uninstall`
 * removes exactly those keys — and a `commands:` or hook key init had to create, with
 * everything under it — and leaves any `lumenguard` command the user wrote alone.
 *
 * How exact the round trip is: the file is written back with the library's printer, set to the
 * file's own indentation, sequence style and line endings. A file the printer reproduces as it
 * is (block style, one indentation step; what `lefthook install` and the lefthook docs write)
 * comes back from `--uninstall` byte for byte. A file it would re-print otherwise (mixed
 * indentation steps, odd spacing inside flow collections) keeps its data and every comment, not
 * its exact spacing; test/lefthook.test.ts checks both.
 */
type Yaml = typeof import("yaml");

/** The yaml package, loaded only by init: the scan path never pays for it. */
function loadYaml(): Yaml {
  return createRequire(import.meta.url)("yaml") as Yaml;
}

const MARK = ` ${LINE_MARK.replace(/^# /, "")}`;

export function planLefthook(file: string, resolution: HookResolution): FileChange[] {
  const existing = readBytesAsText(file);
  const parsed = parse(existing ?? "");
  if (typeof parsed === "string") return [{ action: "conflict", file, note: parsed }];
  const { doc, style } = parsed;
  const notes: string[] = [];
  for (const hook of HOOK_NAMES) {
    const result = addCommand(doc, hook, lefthookEntry(hook, resolution));
    if (result.startsWith("!")) return [{ action: "conflict", file, note: result.slice(1) }];
    notes.push(result);
  }
  // A file init creates says so in its first line, so --uninstall can delete it again.
  const content = existing === null ? `${CREATED_MARK}\n${print(doc, style)}` : print(doc, style);
  return [contentChange(file, existing, content, notes.join("; "))];
}

export function planLefthookUninstall(file: string): FileChange[] {
  const existing = readBytesAsText(file);
  if (existing === null || !existing.includes(LINE_MARK)) return [];
  const parsed = parse(existing);
  if (typeof parsed === "string") return [{ action: "conflict", file, note: parsed }];
  const { doc, style } = parsed;
  let removed = false;
  for (const hook of HOOK_NAMES) removed = removeCommand(doc, hook) || removed;
  if (!removed) return [];
  const rest = print(doc, style);
  if (existing.startsWith(CREATED_MARK) && rest.replace(CREATED_MARK, "").trim() === "") return [{ action: "delete", file, note: "created by lumenguard init: removed" }];
  return [contentChange(file, existing, rest, "lumenguard commands removed")];
}

/** The command's settings. pre-push: `{1} {2}` are git's remote name and URL; use_stdin hands on the refs. */
function lefthookEntry(hook: HookName, resolution: HookResolution): Record<string, unknown> {
  const run = `${SOURCE_HUSKY_INIT}; ${shellScanCommand(hook, resolution).replaceAll('"$@"', "{1} {2}")}`;
  return hook === "pre-push" ? { run, use_stdin: true } : { run };
}

/** How the user's file is laid out, so the printer writes it back the same way (UTF-8 text). */
interface PrintStyle {
  /** Spaces per indentation step: the smallest indentation in the file, else 2. */
  indent: number;
  /** Whether `- item` lines are indented below their key (the yaml printer's indentSeq). */
  indentSeq: boolean;
  /** CRLF when most line ends are CRLF. */
  crlf: boolean;
}

/** The file as a YAML document, or why it cannot be edited. Bytes must be UTF-8, as YAML 1.2 files are. */
function parse(bytes: string): { doc: Document; style: PrintStyle } | string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(bytes, "latin1"));
  } catch {
    return `is not UTF-8 text; add the lumenguard commands by hand (README, "lefthook")`;
  }
  const yaml = loadYaml();
  const doc = yaml.parseDocument(text);
  if (doc.errors.length > 0) return `does not parse as YAML (${doc.errors[0]!.message.split("\n")[0]}); fix it, or add the lumenguard commands by hand`;
  if (doc.contents !== null && !yaml.isMap(doc.contents)) return "is not a YAML mapping; add the lumenguard commands by hand";
  normalizeMarks(doc);
  return { doc, style: styleOf(text) };
}

function styleOf(text: string): PrintStyle {
  const lines = text.split(/\r?\n/);
  const indents = lines.filter((line) => line.trim() !== "" && !line.trim().startsWith("#")).map((line) => /^ */.exec(line)![0].length);
  const step = Math.min(...indents.filter((indent) => indent > 0));
  // A `- item` at the same indentation as the key above it: the sequence is not indented.
  const flatSeq = lines.some((line, index) => /^\s*- /.test(line) && index > 0 && /^\s*[^\s#-][^:]*:\s*$/.test(lines[index - 1]!) && indentOf(line) === indentOf(lines[index - 1]!));
  const crlf = (text.match(/\r\n/g)?.length ?? 0) > (text.match(/(?<!\r)\n/g)?.length ?? 0);
  return { indent: Number.isFinite(step) ? step : 2, indentSeq: !flatSeq, crlf };
}

function indentOf(line: string): number {
  return /^ */.exec(line)![0].length;
}

function print(doc: Document, style: PrintStyle): string {
  const empty = doc.contents === null || (loadYaml().isMap(doc.contents) && doc.contents.items.length === 0 && !doc.commentBefore && !doc.comment);
  const text = empty ? "" : doc.toString({ indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0 });
  const withEol = style.crlf ? text.replace(/\n/g, "\r\n") : text;
  return Buffer.from(withEol, "utf8").toString("latin1");
}

/** Adds `<hook>.commands.lumenguard`; returns a note, or "!" and why it cannot. */
function addCommand(doc: Document, hook: HookName, entry: Record<string, unknown>): string {
  const yaml = loadYaml();
  if (doc.contents === null) doc.contents = doc.createNode({}) as YAMLMap;
  const root = doc.contents as YAMLMap;
  const existing = findPair(root, hook);
  if (existing === undefined) {
    root.items.push(markedPair(doc, hook, { commands: { lumenguard: entry } }));
    return `${hook}.commands.lumenguard added`;
  }
  // A hook key init created holds only what init put there: written anew.
  if (isMarked(existing)) {
    existing.value = doc.createNode({ commands: { lumenguard: entry } });
    return `${hook}.commands.lumenguard updated`;
  }
  if (existing.value === null || (yaml.isScalar(existing.value) && existing.value.value === null)) existing.value = doc.createNode({});
  const hookMap = existing.value;
  if (!yaml.isMap(hookMap)) return `!${hook}: is not a mapping; add commands.lumenguard by hand (README, "lefthook")`;
  // An empty `{}` takes block entries; a filled inline mapping is the user's layout to keep.
  if (hookMap.flow && hookMap.items.length === 0) hookMap.flow = false;
  if (hookMap.flow) return `!${hook}: is written inline; add commands.lumenguard by hand (README, "lefthook")`;
  const commands = findPair(hookMap, "commands");
  if (commands === undefined || commands.value === null || (yaml.isScalar(commands.value) && commands.value.value === null)) {
    if (commands !== undefined) hookMap.items.splice(hookMap.items.indexOf(commands), 1);
    hookMap.items.push(markedPair(doc, "commands", { lumenguard: entry }));
    return `${hook}.commands.lumenguard added`;
  }
  if (isMarked(commands)) {
    commands.value = doc.createNode({ lumenguard: entry });
    return `${hook}.commands.lumenguard updated`;
  }
  if (yaml.isMap(commands.value) && commands.value.flow && commands.value.items.length === 0) commands.value.flow = false;
  if (!yaml.isMap(commands.value) || commands.value.flow) return `!${hook}.commands is written inline; add lumenguard to it by hand (README, "lefthook")`;
  const ours = findPair(commands.value, "lumenguard");
  if (ours !== undefined && !isMarked(ours)) return `${hook}.commands.lumenguard is already there (yours): left alone`;
  if (ours !== undefined) {
    ours.value = doc.createNode(entry);
    return `${hook}.commands.lumenguard updated`;
  }
  commands.value.items.push(markedPair(doc, "lumenguard", entry));
  return `${hook}.commands.lumenguard added`;
}

/** Removes what addCommand added under `hook`, outermost marked key first; true when something went. */
function removeCommand(doc: Document, hook: HookName): boolean {
  const yaml = loadYaml();
  const root = doc.contents;
  if (!yaml.isMap(root)) return false;
  const hookPair = findPair(root, hook);
  if (hookPair === undefined) return false;
  if (isMarked(hookPair)) return remove(root, hookPair);
  if (!yaml.isMap(hookPair.value)) return false;
  const commands = findPair(hookPair.value, "commands");
  if (commands === undefined) return false;
  if (isMarked(commands)) {
    remove(hookPair.value, commands);
    // `pre-commit:` with nothing under it was an empty (null) value before init filled it in.
    if (hookPair.value.items.length === 0) hookPair.value = emptyValue();
    return true;
  }
  if (!yaml.isMap(commands.value)) return false;
  const ours = findPair(commands.value, "lumenguard");
  return ours !== undefined && isMarked(ours) && remove(commands.value, ours);
}

/** A null value printed as nothing (`key:`), as the parser read it. */
function emptyValue(): unknown {
  const scalar = new (loadYaml().Scalar)(null);
  scalar.source = "";
  return scalar;
}

/**
 * The parser attaches a mark written after a key (`commands: # mark`) to the value below it;
 * put it back on the key, so the file prints as init wrote it and a second init changes nothing.
 */
function normalizeMarks(doc: Document): void {
  const yaml = loadYaml();
  const visit = (node: unknown, depth: number): void => {
    if (!yaml.isMap(node) || depth > 2) return;
    for (const pair of node.items) {
      if (yaml.isNode(pair.value) && pair.value.commentBefore?.trim() === MARK.trim() && yaml.isNode(pair.key)) {
        pair.key.comment = MARK;
        pair.value.commentBefore = undefined;
      }
      visit(pair.value, depth + 1);
    }
  };
  visit(doc.contents, 0);
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  const yaml = loadYaml();
  return map.items.find((pair) => (yaml.isScalar(pair.key) ? pair.key.value : pair.key) === key);
}

/** A `key: value` pair whose key carries the mark as its trailing comment. */
function markedPair(doc: Document, key: string, value: unknown): Pair {
  const keyNode = doc.createNode(key);
  keyNode.comment = MARK;
  return doc.createPair(keyNode, value);
}

/** The mark, where the printer put it (after the key) and where the parser finds it again (before the value). */
function isMarked(pair: Pair): boolean {
  const yaml = loadYaml();
  const comments = [yaml.isNode(pair.key) ? pair.key.comment : undefined, yaml.isNode(pair.value) ? pair.value.commentBefore : undefined];
  return comments.some((comment) => comment?.trim() === MARK.trim());
}

function remove(map: YAMLMap, pair: Pair): true {
  map.items.splice(map.items.indexOf(pair), 1);
  return true;
}
