import { defineRule } from "../src/engine/rule.js";
import { envFileKind } from "./env-files.js";

/**
 * Never commit API keys to version control. A Lumenfall key in a file that is (or is about to
 * be) in the repository can be read by everyone who can read the repository, for ever: history
 * keeps it after the line is deleted. Keys in history and in client bundles have their own,
 * more specific rules.
 */
export default defineRule({
  meta: {
    id: "lumenfall-key",
    severity: "critical",
    practice: "Never commit API keys to version control",
    guideUrl: "https://docs.lumenfall.ai/authentication#security-best-practices",
    why: "Anyone who can read this repository, its forks or its history can use the key and spend your quota.",
    fix: [
      "Revoke it now at https://lumenfall.ai/app/api_keys ({identity}) and create a new key.",
      "Put the new key in an ignored .env file (LUMENFALL_API_KEY=...), never in code.",
      "Read it on the server only: process.env.LUMENFALL_API_KEY.",
    ],
    precedence: 0,
  },
  message: (key) => `Lumenfall API key ${key.redacted} is hard-coded here`,
  check(context) {
    // Keys in history and in client code have their own, more specific rules.
    if (context.file.source === "history" || context.file.source === "bundle" || context.file.client) return;
    // A key in an env file that git ignores is where the guide says it belongs (SPEC §2).
    if (context.file.ignored && envFileKind(context.file.path) !== null) return;
    for (const key of context.keys) if (key.detector === "lumenfall") context.report(key);
  },
  examples: {
    valid: [
      { code: 'export LUMENFALL_API_KEY=lmnfl_your_api_key', note: "too short, and says 'your'" },
      { code: 'curl -H "Authorization: Bearer lmnfl_abc123.xyz789"', note: "the docs example" },
      { code: "Keys look like `lmnfl_<key_id>.<secret>`" },
      { code: "const header = `Bearer lmnfl_${keyId}.${secret}`;" },
      { code: 'API_KEY = os.environ["LUMENFALL_API_KEY"]  # e.g. lmnfl_...' },
      { code: 'monkeypatch.setenv("LUMENFALL_API_KEY", "lmnfl_test")' },
      { code: 'const example = "lmnfl_xxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxx";' },
      { code: 'const redacted = "lmnfl_k3y1d.****************************";' },
      { code: "the dashboard shows lmnfl_key_abc.\u20261234" },
      { code: "token: lmnfl_aaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaa", note: "low entropy" },
      { code: "other: lmnfl_123456.12345678901234567890123456", note: "sequential" },
      { code: "lmnfl_abcdef.abcdefghijklmnopqrstuvwxyz", note: "sequential" },
      { code: "lmnfl_k9Xq2.test123test123test123test", note: "repeated unit" },
      { code: 'LUMENFALL_API_KEY="lmnfl_K3yId.your_real_secret_goes_here_0"', note: "placeholder word" },
      { code: "LUMENFALL_API_KEY=lmnfl_Dummy7a.Zq8vR2mLx0pN4tW6yB1cE3gH5" },
      { code: "shown as {{key}}...", note: "a masked key" },
      { code: "shown as {{key}}\u2022\u2022\u2022\u2022" },
      { code: "see also x{{key}}", note: "no left boundary" },
      { code: "id lmnfl_Zr8Kq2Lp9Xv4Nt6Wb1Yc3Hd5.suffix", note: "a run followed by a dot is never dotless" },
      { code: "lmnfl_abcdefghijklmnopqrstuvwxyzab", note: "dotless without upper case and digits" },
      { code: "Bill: https://drive.google.com/open?id=1WRvFj2dLmnfL_hV4n5z-Z22R3hB4KzF9" },
    ],
    invalid: [
      { code: 'const key = "{{key}}";', findings: [{ line: 1, column: 14 }] },
      { code: "x\n  apiKey: '{{key}}',\n", findings: [{ line: 2, column: 12 }] },
      { code: "LUMENFALL_API_KEY={{key}}", path: "deploy/settings.env" },
      { code: "Authorization: Bearer {{key}}", findings: [{ line: 1, column: 23 }] },
      { code: "token={{dotless}}", note: "dotless high-entropy form" },
      { code: "{{key}}.", note: "a sentence ending after the key" },
      { code: '{"k":"\\u0022{{key}}\\u0022"}', note: "JSON-escaped quote before the key" },
      { code: '{"text":"line one\\n{{key}}"}', note: "backslash escape before the key" },
      { code: "https://example.test/?q=%22{{key}}%22", note: "percent-escaped quote before" },
      { code: "https://example.test/?key={{key|percent-dot}}", note: "URL-encoded dot" },
      { code: '{"k":"{{key|json-dot}}"}', note: "\\u002e for the dot" },
      { code: "data:\n  apiKey: {{key|base64}}", path: "k8s/secret.yaml", findings: [{ line: 2, column: 11 }] },
      { code: "token: {{key|base64-shift1}}", note: "base64 at the second alignment" },
      { code: "token: {{key|base64-shift2}}", note: "base64 at the third alignment" },
      { code: "{{key}}\nand again {{key}}", findings: [{ line: 1, column: 1 }, { line: 2, column: 11 }] },
    ],
  },
});
