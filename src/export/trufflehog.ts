import { DOCS_EXAMPLE, fullRegex, KEY_FORMS, KEYWORD, placeholderWordsRegex, type KeyForm } from "./key-rule.js";

/**
 * TruffleHog v3 custom regex detectors (`trufflehog filesystem . --config FILE`). One detector
 * per key form: every named regex of a detector must match for it to report, so the two forms
 * cannot share one. Group 1 is the key; `exclude_regexes_match` drops placeholders;
 * `validations` checks the dotless form's character classes. No `verify` block: a custom
 * detector's verifier is a webhook of your own, and keys must not go anywhere else.
 */
export function exportTrufflehog(): string {
  const header = [
    "# Lumenfall API keys for TruffleHog v3 custom detectors (lumenguard export-rule --format trufflehog).",
    "# Run: trufflehog filesystem . --config lumenfall-trufflehog.yaml",
    "detectors:",
  ];
  return `${[...header, ...KEY_FORMS.flatMap(detector)].join("\n")}\n`;
}

function detector(form: KeyForm): string[] {
  const lines = [
    `  - name: ${detectorName(form)}`,
    "    keywords:",
    `      - ${quote(KEYWORD)}`,
    "    regex:",
    `      key: ${quote(fullRegex(form))}`,
    `    entropy: ${form.entropy.toFixed(1)}`,
    "    exclude_regexes_match:",
    `      - ${quote(placeholderWordsRegex())}`,
    `      - ${quote(DOCS_EXAMPLE)}`,
  ];
  if (form.mixedClasses) {
    lines.push("    validations:", "      key:", "        contains_digit: true", "        contains_lowercase: true", "        contains_uppercase: true");
  }
  return lines;
}

/** `LumenfallApiKey`, `LumenfallApiKeyDotless`. */
function detectorName(form: KeyForm): string {
  return form.id.split("-").map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("");
}

/** A YAML single-quoted scalar: backslashes stay as they are, `'` is doubled. */
function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
