import { LUMENFALL_DETECTOR_ID } from "../src/detectors/lumenfall/index.js";
import { defineRule } from "../src/engine/rule.js";
import { DASHBOARD_URL, GUIDE_URL } from "./support/guide.js";

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
    guideUrl: GUIDE_URL,
    why: "Deleting the line does not delete the key: every clone and fork keeps the commit that added it.",
    fix: [
      `Revoke it now at ${DASHBOARD_URL} ({identity}) and create a new key: it is leaked whatever happens to history.`,
      "If the commits are not pushed yet, rewrite them (git rebase -i, git commit --amend) so the key never leaves this machine.",
      "Keep the new key in an ignored .env file and read it on the server.",
    ],
    messages: {
      inHistory: "Lumenfall API key {{redacted}} is in git history",
      alreadyCommitted: "Lumenfall API key {{redacted}} is already committed (HEAD has it in this file, so this commit does not add it), and it is leaked: revoke it",
      alreadyPushed: "Lumenfall API key {{redacted}} is already there (the receiving repository has it in this file, so this push does not add it), and it is leaked: revoke it",
    },
    appliesTo: { scopes: ["history"] },
    revokeUrl: DASHBOARD_URL,
  },
  defaultOptions: {},
  check(context) {
    for (const key of context.keys) if (key.detector === LUMENFALL_DETECTOR_ID) context.report({ key, messageId: "inHistory", data: { redacted: key.redacted } });
  },
  examples: {
    valid: [
      { code: 'const key = "{{key}}";', note: "a working-tree file is lumenfall-key's" },
      { code: "LUMENFALL_API_KEY=lmnfl_your_api_key", facts: { scope: "history" } },
    ],
    invalid: [
      { code: 'const key = "{{key}}";', facts: { scope: "history" }, findings: [{ line: 1, column: 14, severity: "critical", messageId: "inHistory" }] },
      { code: "data:\n  k: {{key|base64}}", facts: { scope: "history" }, findings: [{ line: 2, column: 6, severity: "critical" }] },
    ],
  },
});
