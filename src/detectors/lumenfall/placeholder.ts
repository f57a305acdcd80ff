import { shannonEntropy } from "./entropy.js";

/**
 * Why a key-shaped match is a placeholder rather than a key, or null when it is a key.
 * None of them may ever fail a build: real code is full of `lmnfl_your_api_key` and masked keys.
 * A random secret is never dropped for a word it happens to spell (`…q7FaKe2x…` is a key):
 * placeholder words count only as whole tokens, or anywhere in a secret that is low-entropy.
 */
export type PlaceholderReason = "docs-example" | "placeholder-word" | "masked" | "low-entropy" | "sequential" | "repeated";

/** The example key of Lumenfall's authentication guide. */
export const DOCS_EXAMPLE = { keyId: "abc123", secret: "xyz789" } as const;
export const PLACEHOLDER_WORDS = ["your", "example", "placeholder", "dummy", "fake", "sample", "redacted", "xxxx"] as const;
const WORDS = new Set<string>(PLACEHOLDER_WORDS);
const WORD_ANYWHERE = new RegExp(PLACEHOLDER_WORDS.join("|"), "i");
const MASK_SUFFIXES = ["...", "\u2026", "\u2022", "****"];
/** Entropy (bits per character) below which a secret is low-entropy. */
const LOW_ENTROPY = 3.0;

/**
 * `keyId`: null for a secret without an id (dotless keys, custom patterns). `after`: the few
 * characters right after the match (a mask such as `...` makes it a shown, not leaked, key).
 */
export function placeholderReason(keyId: string | null, secret: string, after: string): PlaceholderReason | null {
  if (keyId === DOCS_EXAMPLE.keyId && secret.startsWith(DOCS_EXAMPLE.secret)) return "docs-example";
  if (hasPlaceholderWord(secret) || (keyId !== null && hasPlaceholderWord(keyId))) return "placeholder-word";
  if (MASK_SUFFIXES.some((suffix) => after.startsWith(suffix))) return "masked";
  const lowEntropy = lowEntropyReason(secret);
  // In a low-entropy secret a placeholder word counts anywhere: `fakekeyfakekey`.
  if (lowEntropy && WORD_ANYWHERE.test(secret)) return "placeholder-word";
  return lowEntropy;
}

/**
 * Whether `value` holds a placeholder word (case-insensitively) as a whole token: between
 * `_`, `-`, `.` or the ends (`your_api_key`, `K3y.EXAMPLE`), or as a camelCase word when the
 * whole value is word-like — every delimited or camelCase segment letters only and at least 3
 * long (`yourSecretHere`). `xxxx` stands for any run of four or more `x`.
 */
export function hasPlaceholderWord(value: string): boolean {
  const tokens = value.split(/[_.-]+/).filter((token) => token !== "");
  if (tokens.some(isPlaceholderToken)) return true;
  const segments = tokens.flatMap(camelCaseWords);
  return segments.every((segment) => /^[A-Za-z]{3,}$/.test(segment)) && segments.some(isPlaceholderToken);
}

function isPlaceholderToken(token: string): boolean {
  const lower = token.toLowerCase();
  return WORDS.has(lower) || /^x{4,}$/.test(lower);
}

/** `yourSecretHere` → your, Secret, Here; `APIKeyValue` → API, Key, Value; `key2go` → key, 2, go. */
function camelCaseWords(token: string): string[] {
  return token.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? [token];
}

/** The low-entropy reasons: entropy below 3.0 bits per character, mostly sequential, or a repeated unit. */
function lowEntropyReason(secret: string): "low-entropy" | "sequential" | "repeated" | null {
  if (shannonEntropy(secret) < LOW_ENTROPY) return "low-entropy";
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
