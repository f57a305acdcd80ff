import { makeDotlessKey, makeKey } from "./keys.js";

/**
 * Expands the tokens of rule examples (src/engine/rule.ts RuleExample): `{{key}}` is a fresh
 * key, `{{dotless}}` a fresh dotless key, and `{{key|encoding}}` the key written in another
 * form (`{{key|infix-FaKe}}`: the key with `FaKe` written into its secret). One key per
 * example: every `{{key…}}` token in it stands for the same key.
 */
export function expandExample(code: string): { text: string; keys: string[] } {
  const key = makeKey();
  const dotless = makeDotlessKey();
  const used = new Set<string>();
  const text = code.replace(/\{\{(key|dotless)(?:\|([A-Za-z0-9-]+))?\}\}/g, (_, kind: string, encoding?: string) => {
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
    case "shown20":
      // The key id and the first 20 characters of the secret: what a masked display shows.
      return key.slice(0, key.indexOf(".") + 21);
    case "percent-all":
      return [...key].map((char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`).join("");
    case "percent-upper":
      return key.replace(".", "%2E").replace(/[A-Z]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
    case "percent-twice-dot":
      return key.replace(".", "%252E");
    case "json-all":
      return [...key].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    case "js-brace-dot":
      return key.replace(".", "\\u{2e}");
    case "octal-dot":
      return key.replace(".", "\\056");
    case "entity-dot":
      return key.replace(".", "&#46;");
    case "named-dot":
      return key.replace(".", "&period;");
    default:
      if (encoding.startsWith("infix-")) return withInfix(key, encoding.slice("infix-".length));
      throw new Error(`unknown example encoding ${encoding}`);
  }
}

/** The key with `word` written into the middle of its secret: a random key that happens to spell a word. */
function withInfix(key: string, word: string): string {
  const dot = key.indexOf(".");
  const middle = dot + 1 + Math.floor((key.length - dot - 1) / 2);
  return `${key.slice(0, middle)}${word}${key.slice(middle)}`;
}
