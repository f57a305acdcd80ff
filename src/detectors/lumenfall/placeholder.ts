import { shannonEntropy } from "./entropy.js";

/**
 * Why a key-shaped match is a placeholder rather than a key, or null when it is a key.
 * None of them may ever fail a build: real code is full of `lmnfl_your_api_key` and masked keys.
 */
export type PlaceholderReason =
  | "docs-example"
  | "placeholder-word"
  | "masked"
  | "low-entropy"
  | "sequential"
  | "repeated";

const DOCS_EXAMPLE = { keyId: "abc123", secret: "xyz789" };
const PLACEHOLDER_WORDS = /your|example|placeholder|dummy|fake|sample|redacted|xxxx/i;
const MASK_SUFFIXES = ["...", "\u2026", "\u2022", "****"];

export function placeholderReason(keyId: string | null, secret: string, after: string): PlaceholderReason | null {
  if (keyId === DOCS_EXAMPLE.keyId && secret.startsWith(DOCS_EXAMPLE.secret)) return "docs-example";
  if (PLACEHOLDER_WORDS.test(secret) || (keyId !== null && PLACEHOLDER_WORDS.test(keyId))) return "placeholder-word";
  if (MASK_SUFFIXES.some((suffix) => after.startsWith(suffix))) return "masked";
  if (shannonEntropy(secret) < 3.0) return "low-entropy";
  if (isMostlySequential(secret)) return "sequential";
  if (isRepeatedUnit(secret, 8)) return "repeated";
  return null;
}

/** At least half of the adjacent pairs step by 0 or ±1: `aaaa`, `1234`, `abcd`, and runs of them joined. */
export function isMostlySequential(text: string): boolean {
  const pairs = text.length - 1;
  if (pairs <= 0) return false;
  let steps = 0;
  for (let i = 1; i < text.length; i++) {
    if (Math.abs(text.charCodeAt(i) - text.charCodeAt(i - 1)) <= 1) steps++;
  }
  return steps * 2 >= pairs;
}

/** The text is a unit of at most `maxUnit` characters repeated (at least twice; the last copy may be cut short). */
export function isRepeatedUnit(text: string, maxUnit: number): boolean {
  for (let unit = 1; unit <= maxUnit && unit * 2 <= text.length; unit++) {
    let repeats = true;
    for (let i = unit; i < text.length; i++) {
      if (text.charCodeAt(i) !== text.charCodeAt(i - unit)) {
        repeats = false;
        break;
      }
    }
    if (repeats) return true;
  }
  return false;
}
