import { DOCS_EXAMPLE, fullRegex, KEY_FORMS, KEYWORD, placeholderWordsRegex, type KeyForm } from "./key-rule.js";

/**
 * gitleaks 8.x: `[[rules]]` entries for `.gitleaks.toml`. The regex is RE2 (no lookbehind), so
 * the boundaries are consumed and `secretGroup = 1` reports the key alone; `entropy` is measured
 * on that group; the placeholders go in the rule's allowlist, matched against the key. The
 * allowlist is the `[rules.allowlist]` table every 8.x release reads (8.25+ also reads
 * `[[rules.allowlists]]`; a rule must not carry both).
 */
export function exportGitleaks(): string {
  const header = [
    "# Lumenfall API keys for gitleaks 8.x (lumenguard export-rule --format gitleaks).",
    "# Add to .gitleaks.toml; keep `[extend]` `useDefault = true` there to keep gitleaks' own rules.",
    "",
  ];
  return `${[...header, ...KEY_FORMS.flatMap(gitleaksRule)].join("\n")}\n`;
}

function gitleaksRule(form: KeyForm): string[] {
  return [
    "[[rules]]",
    `id = ${basic(form.id)}`,
    `description = ${basic(form.description)}`,
    `regex = ${literal(fullRegex(form))}`,
    "secretGroup = 1",
    `entropy = ${form.entropy.toFixed(1)}`,
    `keywords = [${basic(KEYWORD)}]`,
    `tags = ["lumenfall", "api-key"]`,
    "",
    "[rules.allowlist]",
    `description = ${basic("Placeholders: the docs example and keys that say they are not real")}`,
    "regexes = [",
    `  ${literal(placeholderWordsRegex())},`,
    `  ${literal(`^${DOCS_EXAMPLE}`)},`,
    "]",
    "",
  ];
}

/** A TOML multi-line literal string: no escapes, so the regex reads exactly as written. */
function literal(text: string): string {
  if (text.includes("'''")) throw new Error(`cannot write ${text} as a TOML literal string`);
  return `'''${text}'''`;
}

function basic(text: string): string {
  return JSON.stringify(text);
}
