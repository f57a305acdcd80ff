import { DOCS_EXAMPLE, jsPattern, KEY_FORMS, placeholderWordsJs } from "./key-rule.js";

/**
 * secretlint: a `.secretlintrc.json` using the built-in `@secretlint/secretlint-rule-pattern`.
 * Patterns are RegExp-like strings (`/…/flags`, run with `g` and `u` added), so they get
 * JavaScript's lookarounds and match the key alone; `allows` is checked against that match.
 * secretlint measures no entropy: low-entropy placeholders are lumenguard's alone.
 */
export function exportSecretlint(): string {
  const config = {
    rules: [
      {
        id: "@secretlint/secretlint-rule-pattern",
        options: {
          patterns: KEY_FORMS.map((form) => ({ name: form.title, pattern: `/${jsPattern(form)}/` })),
          allows: [placeholderWordsJs(), `/^${DOCS_EXAMPLE}/`],
        },
      },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
