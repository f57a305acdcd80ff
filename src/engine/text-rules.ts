import { findInlineAllow, type InlineAllow } from "./inline-allow.js";
import type { EngineOptions } from "./engine.js";
import type { FileFacts } from "./rule.js";
import { DEFAULT_SETTINGS } from "./settings.js";

/**
 * Support for rules that read text (public-env-prefix, browser-sdk-key): whether a file's text
 * is worth decoding — some rule wants the file and one of its keywords occurs in the bytes —
 * and positions in that text.
 */
const bytesOf = new WeakMap<readonly string[], Buffer[]>();

function asBytes(words: readonly string[] | undefined): Buffer[] | null {
  if (!words) return null;
  let bytes = bytesOf.get(words);
  if (!bytes) {
    bytes = words.map((word) => Buffer.from(word, "utf8"));
    bytesOf.set(words, bytes);
  }
  return bytes;
}

const occursIn = (bytes: Buffer, words: Buffer[] | null) => words === null || words.some((word) => bytes.includes(word));

export function textWanted(file: FileFacts, bytes: Buffer, options: EngineOptions): boolean {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  for (const rule of options.rules) {
    if (!rule.text?.wants(file)) continue;
    if (occursIn(bytes, asBytes(rule.text.keywords?.(settings, file))) && occursIn(bytes, asBytes(rule.text.alsoNeeds))) return true;
  }
  return false;
}

/** 1-based line and column (UTF-16 units) of an offset in `text`. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf("\n"); at !== -1 && at < offset; at = text.indexOf("\n", at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * A `lumenguard-allow` comment on a line or the line above (SPEC §4), for findings rules place
 * themselves. Made once per file: the text is split at most once, however many findings ask.
 */
export function inlineAllowsOf(text: string): (line: number) => InlineAllow | null {
  if (!text.includes("lumenguard-allow")) return () => null;
  let lines: string[] | null = null;
  return (line) => {
    lines ??= text.split("\n");
    const current = lines[line - 1] ?? "";
    const before = line >= 2 ? `${lines[line - 2]}\n` : "";
    if (!current.includes("lumenguard-allow") && !before.includes("lumenguard-allow")) return null;
    const buffer = Buffer.from(before + current, "utf8");
    return findInlineAllow(buffer, Buffer.byteLength(before), buffer.length);
  };
}
