import { makeDotlessKey, makeKey } from "./keys.js";

/**
 * Expands the tokens of rule examples (src/engine/rule.ts RuleExample): `{{key}}` is a fresh
 * key, `{{dotless}}` a fresh dotless key, and `{{key|encoding}}` the key written in another
 * form. One key per example: every `{{key…}}` token in it stands for the same key.
 */
export function expandExample(code: string): { text: string; keys: string[] } {
  const key = makeKey();
  const dotless = makeDotlessKey();
  const used = new Set<string>();
  const text = code.replace(/\{\{(key|dotless)(?:\|([a-z0-9-]+))?\}\}/g, (_, kind: string, encoding?: string) => {
    const value = kind === "dotless" ? dotless : key;
    used.add(value);
    return encode(value, encoding);
  });
  return { text, keys: [...used] };
}

export function encode(key: string, encoding: string | undefined): string {
  switch (encoding) {
    case undefined:
      return key;
    case "base64":
      return Buffer.from(key).toString("base64");
    case "base64-shift1":
      return Buffer.from(`"${key}"`).toString("base64");
    case "base64-shift2":
      return Buffer.from(`: ${key}`).toString("base64");
    case "percent-dot":
      return key.replace(".", "%2E");
    case "json-dot":
      return key.replace(".", "\\u002e");
    default:
      throw new Error(`unknown example encoding ${encoding}`);
  }
}
