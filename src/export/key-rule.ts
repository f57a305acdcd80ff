/**
 * The Lumenfall key rule as data other scanners can take:
 * the key shape, its boundaries, the cheap keyword and the placeholders. Each exporter writes
 * these parts in its tool's syntax. The regexes are written once, in the subset that Go's RE2
 * (gitleaks, TruffleHog), Hyperscan (GitHub) and JavaScript all read the same way: no
 * lookaround, no backreferences, no inline flags. secretlint runs JavaScript and gets
 * lookarounds (see jsPattern).
 *
 * What the exported rules cannot do that lumenguard does: escaped and encoded keys
 * (`%2E`, `\u002e`, base64, UTF-16, gzip), the sequential / repeated-unit placeholder checks,
 * entropy of the secret alone (gitleaks and TruffleHog measure the whole key), and rules other
 * than the key itself (client bundles, env files, public prefixes).
 */

export interface KeyForm {
  /** Rule id in the exported config. */
  id: string;
  title: string;
  description: string;
  /** The key itself, from `lmnfl_` to the end of the secret. */
  shape: string;
  /** Minimum Shannon entropy (bits per character) where the tool measures it. */
  entropy: number;
  /** The key must hold upper case, lower case and digits (the dotless form). */
  mixedClasses: boolean;
  /** What may follow the key: the right boundary (RE2 form, `$` for the end of input). */
  after: string;
}

export const KEYWORD = "lmnfl_";

/**
 * Left boundary: not a key-id character, unless it ends an escape — `%22`, `\n`, `\u0022`,
 * `\x22` — as keys sit in URLs and JSON strings. `^` is the start of the input.
 */
export const BEFORE = String.raw`^|[^A-Za-z0-9_]|%[0-9A-Fa-f]{2}|\\[nrtbfv0]|\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}`;

/**
 * Right boundaries. A key directly followed by `...`, `…`, `•` or `****` is masked (a
 * placeholder); without lookahead that reads as: a `.` or `*` ends the key only when no second
 * one follows it, and `…` / `•` never do. (So `**` also reads as a mask.)
 */
const AFTER_DOTTED = String.raw`[^A-Za-z0-9_.*…•-]|\.[^.]|\*[^*]|\.$|\*$|$`;
/** The dotless form is never followed by `.`: a run before `.` is a key id. */
const AFTER_DOTLESS = String.raw`[^A-Za-z0-9_.*…•-]|\*[^*]|\*$|$`;

export const KEY_FORMS: readonly KeyForm[] = [
  {
    id: "lumenfall-api-key",
    title: "Lumenfall API key",
    description: "Lumenfall API key (lmnfl_<key id>.<secret>): revoke it in the Lumenfall dashboard and load the new one from an ignored .env on the server",
    shape: String.raw`lmnfl_[A-Za-z0-9_]{3,64}\.[A-Za-z0-9_-]{16,256}`,
    entropy: 3.0,
    mixedClasses: false,
    after: AFTER_DOTTED,
  },
  {
    id: "lumenfall-api-key-dotless",
    title: "Lumenfall API key (dotless)",
    description: "Lumenfall API key without the key id separator (lmnfl_<24+ random chars>): revoke it in the Lumenfall dashboard and load the new one from an ignored .env on the server",
    shape: String.raw`lmnfl_[A-Za-z0-9_-]{24,256}`,
    entropy: 3.5,
    mixedClasses: true,
    after: AFTER_DOTLESS,
  },
];

/**
 * Words that make a key id or secret a placeholder, matched case-insensitively as whole tokens
 * (between `_`, `-`, `.` or the ends), as lumenguard matches them: a random secret that happens
 * to spell one (`…q7FaKe2x…`) is still a key. `xxxx` stands for any run of four or more `x`.
 * lumenguard also reads camelCase words of a word-like value (`yourSecretHere`) and words
 * anywhere in a low-entropy secret; the exported rules leave those to their entropy threshold.
 */
export const PLACEHOLDER_WORDS = ["your", "example", "placeholder", "dummy", "fake", "sample", "redacted", "xxxx"] as const;

/** The docs example, and any key that starts like it. */
export const DOCS_EXAMPLE = String.raw`lmnfl_abc123\.xyz789`;

/** The whole match: left boundary, the key as group 1, right boundary. */
export function fullRegex(form: KeyForm): string {
  return `(?:${BEFORE})(${form.shape})(?:${form.after})`;
}

/** The words as regex alternatives, `xxxx` as a run of four or more. */
function wordAlternatives(caseless: (word: string) => string): string {
  return PLACEHOLDER_WORDS.map((word) => (word === "xxxx" ? `${caseless("x")}{4,}` : caseless(word))).join("|");
}

/**
 * A placeholder word as a whole token: `(?:^|[^A-Za-z0-9])(?:your|…)(?:[^A-Za-z0-9]|$)`. Inside a
 * key the delimiters are `_`, `-` and `.`; a tool that tests the whole match (TruffleHog) also
 * sees the boundary characters around the key, which end a token too.
 */
function tokenRegex(caseless: (word: string) => string, group = "(?:"): string {
  return `${group}^|[^A-Za-z0-9])${group}${wordAlternatives(caseless)})${group}[^A-Za-z0-9]|$)`;
}

/** The whole-token placeholder words with inline `(?i)` (RE2: gitleaks, TruffleHog). */
export function placeholderWordsRegex(): string {
  return `(?i)${tokenRegex((word) => word)}`;
}

/** The same, case-insensitive without inline flags (`[Yy][Oo][Uu][Rr]`) and with plain groups, as GitHub's Hyperscan patterns are written. */
export function placeholderWordsCaseless(): string {
  return tokenRegex((word) => [...word].map((c) => `[${c.toUpperCase()}${c}]`).join(""), "(");
}

/** The same for JavaScript (secretlint), written `/…/i`. */
export function placeholderWordsJs(): string {
  return `/${tokenRegex((word) => word)}/i`;
}

/**
 * The JavaScript form (secretlint): the boundaries as lookarounds so the match is the key
 * alone, and the dotless form's character classes as lookaheads.
 */
export function jsPattern(form: KeyForm): string {
  const masks = String.raw`\.\.\.|…|•|\*\*\*\*`;
  const before = `(?<=${BEFORE})`;
  const classes = form.mixedClasses ? ["[A-Z]", "[a-z]", "[0-9]"].map((c) => `(?=[A-Za-z0-9_-]*${c})`).join("") : "";
  const body = form.shape.replace(/^lmnfl_/, `lmnfl_${classes}`);
  const after = form.mixedClasses ? `(?![A-Za-z0-9_.-]|${masks})` : `(?![A-Za-z0-9_-]|${masks})`;
  return `${before}${body}${after}`;
}
