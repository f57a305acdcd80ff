import { defineRule } from "../src/engine/rule.js";

/**
 * Never commit API keys to version control — and a key deleted in a later commit is still
 * committed: every clone carries every blob ever pushed. A key in history is leaked until it
 * is revoked; rewriting history only stops it spreading further.
 */
export default defineRule({
  meta: {
    id: "key-in-history",
    severity: "critical",
    practice: "Never commit API keys to version control",
    guideUrl: "https://docs.lumenfall.ai/authentication#security-best-practices",
    why: "Deleting the line does not delete the key: every clone and fork keeps the commit that added it.",
    fix: [
      "Revoke it now at https://lumenfall.ai/app/api_keys ({identity}) and create a new key: it is leaked whatever happens to history.",
      "If the commits are not pushed yet, rewrite them (git rebase -i, git commit --amend) so the key never leaves this machine.",
      "Keep the new key in an ignored .env file and read it on the server.",
    ],
    precedence: 0,
  },
  message: (key) => `Lumenfall API key ${key.redacted} is in git history`,
  check(context) {
    if (context.file.source !== "history") return;
    for (const key of context.keys) if (key.detector === "lumenfall") context.report(key);
  },
  examples: {
    valid: [
      { code: 'const key = "{{key}}";', note: "a working-tree file is lumenfall-key's", source: "worktree" },
      { code: "LUMENFALL_API_KEY=lmnfl_your_api_key", source: "history" },
    ],
    invalid: [
      { code: 'const key = "{{key}}";', source: "history", findings: [{ line: 1, column: 14 }] },
      { code: "data:\n  k: {{key|base64}}", source: "history", findings: [{ line: 2, column: 6 }] },
    ],
  },
});
