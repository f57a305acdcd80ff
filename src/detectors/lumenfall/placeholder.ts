import { shannonEntropy } from "./entropy.js";

/**
 * Why a key-shaped match is a placeholder rather than a key, or null when it is a key.
 * None of them may ever fail a build: real code is full of `lmnfl_your_api_key` and masked keys.
 * A random secret is never dropped for a word it happens to spell (`…q7FaKe2x…` is a key):
 * placeholder words count only as whole tokens, or anywhere in a secret that is low-entropy.
 */
export type PlaceholderReason = "docs-example" | "placeholder-word" | "masked" | "identifier" | "low-entropy" | "sequential" | "repeated";

/** The example key of Lumenfall's authentication guide. */
export const DOCS_EXAMPLE = { keyId: "abc123", secret: "xyz789" } as const;
export const PLACEHOLDER_WORDS = ["your", "example", "placeholder", "dummy", "fake", "sample", "redacted", "xxxx"] as const;
const WORDS = new Set<string>(PLACEHOLDER_WORDS);
const WORD_ANYWHERE = new RegExp(PLACEHOLDER_WORDS.join("|"), "i");
const MASK_SUFFIXES = ["...", "\u2026", "\u2022", "****"];
/**
 * A secret at least this long is a whole secret even when a mask follows it: a masked key hides
 * part of the secret, so what shows of it is short (`lmnfl_k3y.Zq8vR2…`, or the dashboard's own
 * `lmnfl_k3y.…wxyz`, which never matches). Lumenfall's guide gives no length; every real key we
 * have seen has a secret of 40 characters or more, so a full-length secret followed by `...` in a
 * log line (`connecting with lmnfl_….<40 chars>...`) is a key.
 */
export const MASKED_BELOW = 32;
/** Entropy (bits per character) below which a secret is low-entropy. */
const LOW_ENTROPY = 3.0;

/**
 * `keyId`: null for a secret without an id (dotless keys, custom patterns). `after`: the few
 * characters right after the match (a mask such as `...` makes it a shown, not leaked, key).
 */
export function placeholderReason(keyId: string | null, secret: string, after: string): PlaceholderReason | null {
  if (keyId === DOCS_EXAMPLE.keyId && secret.startsWith(DOCS_EXAMPLE.secret)) return "docs-example";
  if (hasPlaceholderWord(secret) || (keyId !== null && hasPlaceholderWord(keyId))) return "placeholder-word";
  if (isMasked(secret, after)) return "masked";
  // A name called as a function (`lmnfl_client.get_api_key_from_env()`) is code: a key is never called.
  if (isIdentifierLike(secret) || isConventionalName(secret) || after.startsWith("(")) return "identifier";
  const lowEntropy = lowEntropyReason(secret);
  // In a low-entropy secret a placeholder word counts anywhere: `fakekeyfakekey`.
  if (lowEntropy && WORD_ANYWHERE.test(secret)) return "placeholder-word";
  return lowEntropy;
}

/**
 * A mask right after the match: the secret shown is shorter than a whole one, or the mask hides
 * the middle and the last four follow it (`…wxyz`).
 */
function isMasked(secret: string, after: string): boolean {
  const mask = MASK_SUFFIXES.find((suffix) => after.startsWith(suffix));
  if (mask === undefined) return false;
  if (secret.length < MASKED_BELOW) return true;
  let rest = after.slice(mask.length);
  while (rest.startsWith(mask)) rest = rest.slice(mask.length);
  return /^[A-Za-z0-9_-]{4}(?![A-Za-z0-9_-])/.test(rest);
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

/**
 * Letter pairs that make up 97% of the pairs inside the words of identifiers in JavaScript and
 * TypeScript code (measured on the npm packages this repository installs): 232 of the 676. A
 * random string has a third of its pairs here; a word nearly all of them.
 */
const COMMON_PAIRS = new Set(
  ("ab ac ad ag ai al am an ap ar as at au av ay ba be bi bj bl bo br bu ca ce ch ci ck cl co cr ct cu da dd de di dl do dr ds du " +
    "ea ec ed ee ef eg el em en eo ep eq er es et ev ex ey fa fe ff fi fl fo fr ft fu ge gh gi gl gn gr gs gt gu ha he hi ho hr ht " +
    "ia ib ic id ie if ig il im in io ip ir is it iv iz je ke ks la ld le li ll lo ls lt lu lv ly ma mb me mi mm mo mp mu na nc nd " +
    "ne nf ng ni nk nl nn no ns nt nu nv ob oc od of oi ok ol om on oo op or os ot ou ov ow pa pe pi pl po pp pr pt pu qu ra rc rd " +
    "re rf rg ri rk rm rn ro rr rs rt ru ry sa sc se sh si sl so sp ss st su sy ta tc te th ti to tr ts tt tu ty ua ub uc ue uf ug " +
    "ui ul um un up ur us ut va ve vi wa we wi wo wr xp xt yn yp ys ze").split(" "),
);
/** Upper-case words of identifiers that hold no vowel pattern of their own. */
const ACRONYMS = new Set(["API", "HTTP", "HTTPS", "JSON", "URL", "URI", "SDK", "ID", "IO", "UI", "XML", "HTML", "SQL", "JWT", "AI", "LLM", "GPT", "CLI", "DB"]);
/** Below this many characters (delimiters aside), a value must be made of words alone to count as an identifier. */
const SHORT_IDENTIFIER = 24;

/**
 * Whether a value reads as a code identifier — `get_api_key_from_environment`,
 * `createChatCompletionV2Handler`, `ApiResponseV1WithPagination` — rather than a random
 * secret: split at `_`, `-`, `.` and camelCase, its segments are words (letters whose
 * neighbouring pairs are nearly all {@link COMMON_PAIRS}, or a known acronym) making up at least
 * three quarters of it (half in words of four letters or more), with at most two short numbers
 * (`V2`) and few other segments. Values shorter than {@link SHORT_IDENTIFIER} must be words
 * alone. A random base62 string of 16 to 256 characters almost never passes (a property test
 * checks 100,000 of them, of every length); keys are never dropped for holding a word.
 */
export function isIdentifierLike(value: string): boolean {
  const strict = value.replace(/[_.-]/g, "").length < SHORT_IDENTIFIER;
  let words = 0;
  let wordChars = 0;
  let longWordChars = 0;
  let numbers = 0;
  let other = 0;
  let total = 0;
  for (const token of value.split(/[_.-]+/)) {
    if (token === "") continue;
    for (const segment of camelCaseWords(token)) {
      total += segment.length;
      if (isWord(segment, strict)) {
        words++;
        wordChars += segment.length;
        if (segment.length >= 4) longWordChars += segment.length;
      } else if (/^[0-9]{1,4}$/.test(segment)) numbers++;
      else if (/^[0-9]/.test(segment)) return false;
      else other++;
    }
  }
  if (strict && (other > 0 || numbers > 1)) return false;
  return words >= 2 && longWordChars * 2 >= total && wordChars * 4 >= total * 3 && numbers <= 2 && other <= 1 + Math.floor(words / 3);
}

/**
 * Whether a value is spelt as names are by convention and random text never is: snake_case of
 * three or more lower-case segments (`idx_by_key_and_created_at`) or SCREAMING_SNAKE_CASE of two
 * or more (`DEFAULT_TIMEOUT_MS`). A random base62 or base64url secret of 16 characters or more
 * is all one case, with two separators, about once in a million; the property test of random
 * keys checks none is dropped.
 */
function isConventionalName(value: string): boolean {
  return /^[a-z][a-z0-9]*(?:_[a-z0-9]+){2,}$/.test(value) || /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value);
}

/** A word of an identifier: `Chat`, `completions`, `API`; pairs outside COMMON_PAIRS allowed one in four (none in `strict`, or in words under five letters). */
function isWord(segment: string, strict: boolean): boolean {
  if (ACRONYMS.has(segment)) return true;
  if (!/^[A-Z]?[a-z]{2,}$/.test(segment)) return false;
  const lower = segment.toLowerCase();
  let rare = 0;
  for (let i = 1; i < lower.length; i++) if (!COMMON_PAIRS.has(lower.slice(i - 1, i + 1))) rare++;
  return rare <= (lower.length >= 5 && !strict ? Math.floor((lower.length - 1) / 4) : 0);
}
