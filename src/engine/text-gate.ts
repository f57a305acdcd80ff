import type { PlannedRule } from "./plan.js";
import type { FileFacts } from "./rule.js";

/**
 * Whether a file's text is worth decoding for the rules that read text: some rule that applies
 * to the file declared `text`, and one of its keywords (and one of its `alsoNeeds`) occurs in
 * the raw bytes. Decoding a file to a string costs more than searching its bytes, and most
 * files hold none of the keywords.
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

/** `rules`: those that apply to the file. */
export function textWanted(file: FileFacts, bytes: Buffer, rules: readonly PlannedRule[]): boolean {
  for (const { rule, options } of rules) {
    if (!rule.text) continue;
    if (occursIn(bytes, asBytes(rule.text.keywords(options, file))) && occursIn(bytes, asBytes(rule.text.alsoNeeds))) return true;
  }
  return false;
}
