import { LUMENFALL_DETECTOR_ID } from "../src/detectors/lumenfall/index.js";
import { defineRule } from "../src/engine/rule.js";
import { DASHBOARD_URL, GUIDE_URL } from "./support/guide.js";

/**
 * Never commit API keys to version control. A Lumenfall key in a file that is (or is about to
 * be) in the repository can be read by everyone who can read the repository, for ever: history
 * keeps it after the line is deleted. A file npm would publish is public the moment it is on
 * the registry. Keys in history and in client code have their own, more specific rules; a key in
 * an env file git ignores is where the guide says it belongs, so this rule does not apply there.
 */
export default defineRule({
  meta: {
    id: "lumenfall-key",
    severity: "critical",
    practice: "Never commit API keys to version control",
    guideUrl: GUIDE_URL,
    why: "Anyone who can read this repository, its forks or its history can use the key and spend your quota.",
    fix: [
      `Revoke it now at ${DASHBOARD_URL} ({identity}) and create a new key.`,
      "Put the new key in an ignored .env file (LUMENFALL_API_KEY=...), never in code.",
      "Read it on the server only: process.env.LUMENFALL_API_KEY.",
    ],
    messages: {
      hardCoded: "Lumenfall API key {{redacted}} is hard-coded here",
      published:
        'Lumenfall API key {{redacted}} is in a file npm would publish with this package: keep the file out of the tarball (list only what ships in the "files" field of package.json, or add the file to .npmignore)',
      inFileName: "Lumenfall API key {{redacted}} is in this file's name (or a folder's): git commits and pushes names with the files, so rename it (git mv) before it is committed",
    },
    appliesTo: { scopes: ["repository", "package"] },
    revokeUrl: DASHBOARD_URL,
  },
  defaultOptions: {},
  check(context) {
    const messageId = context.file.scope === "package" ? "published" : "hardCoded";
    for (const key of context.keys) if (key.detector === LUMENFALL_DETECTOR_ID) context.report({ key, messageId, data: { redacted: key.redacted } });
  },
  examples: {
    valid: [
      { code: "export LUMENFALL_API_KEY=lmnfl_your_api_key", note: "too short, and says 'your'" },
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
      { code: "LUMENFALL_API_KEY=lmnfl_dummy.Zq8vR2mLx0pN4tW6yB1cE3gH5", note: "a placeholder word as the whole key id" },
      { code: "LUMENFALL_API_KEY=lmnfl_K3yId.yourSecretGoesHere", note: "a camelCase placeholder word in a word-like secret" },
      { code: "LUMENFALL_API_KEY=lmnfl_K3yId.Zq8vR2mLx0pN4t-FAKE-W6yB1cE3gH5", note: "a placeholder word as a delimited token" },
      { code: "shown as {{key|shown20}}...", note: "a masked key: what shows of the secret is shorter than a whole one" },
      { code: "shown as {{key|shown20}}\u2022\u2022\u2022\u2022" },
      { code: "shown as {{key}}\u2026Wx9z", note: "the middle masked, the last four after it" },
      { code: "key = lmnfl_utils.get_api_key_from_environment()", note: "a code identifier, not a key" },
      { code: "export function lmnfl_createChatCompletionV2Handler() {}", note: "a camelCase identifier (dotless shape)" },
      { code: "type lmnfl_ApiResponseV1WithPagination = {};" },
      { code: "lmnfl_client.chat_completions_create(model)" },
      { code: "key = lmnfl_client.get_api_key_from_env()", note: "a call: a key is never called" },
      { code: "params = lmnfl_models.ImageGenerationParams(model=\"flux\")" },
      { code: "timeout = lmnfl_config.DEFAULT_TIMEOUT_MS", note: "SCREAMING_SNAKE_CASE: a constant's name" },
      { code: "CREATE INDEX lmnfl_usage.idx_by_key_and_created_at ON usage (key_id, created_at);", note: "snake_case of three or more segments" },
      { code: "export function lmnfl_handleWebhookEventV3Payload(e: unknown) {}" },
      { code: "export const lmnfl_createImageGeneration2024 = () => null;", note: "a year in a camelCase name" },
      { code: "see also x{{key}}", note: "no left boundary" },
      { code: "id lmnfl_Zr8Kq2Lp9Xv4Nt6Wb1Yc3Hd5.suffix", note: "a run followed by a dot is never dotless" },
      { code: "lmnfl_abcdefghijklmnopqrstuvwxyzab", note: "dotless without upper case and digits" },
      { code: "Bill: https://drive.google.com/open?id=1WRvFj2dLmnfL_hV4n5z-Z22R3hB4KzF9" },
      { code: 'const key = "{{key}}";', facts: { scope: "history" }, note: "history is key-in-history's" },
      { code: 'const key = "{{key}}";', facts: { scope: "shipped" }, note: "client code is client-bundle-key's" },
      { code: "LUMENFALL_API_KEY={{key}}", path: ".env", facts: { scope: "local", git: "ignored" }, note: "an ignored env file is where keys belong" },
    ],
    invalid: [
      { code: 'const key = "{{key}}";', findings: [{ line: 1, column: 14, severity: "critical", messageId: "hardCoded" }] },
      { code: "x\n  apiKey: '{{key}}',\n", findings: [{ line: 2, column: 12, severity: "critical" }] },
      { code: "LUMENFALL_API_KEY={{key}}", path: "deploy/settings.env", findings: [{ line: 1, column: 19, severity: "critical" }] },
      { code: "Authorization: Bearer {{key}}", findings: [{ line: 1, column: 23, severity: "critical" }] },
      { code: "token={{dotless}}", note: "dotless high-entropy form", findings: [{ line: 1, column: 7, severity: "critical" }] },
      { code: "{{key}}.", note: "a sentence ending after the key", findings: [{ line: 1, column: 1, severity: "critical" }] },
      { code: '{"k":"\\u0022{{key}}\\u0022"}', note: "JSON-escaped quote before the key", findings: [{ line: 1, column: 13, severity: "critical" }] },
      { code: '{"text":"line one\\n{{key}}"}', note: "backslash escape before the key", findings: [{ line: 1, column: 20, severity: "critical" }] },
      { code: "https://example.test/?q=%22{{key}}%22", note: "percent-escaped quote before", findings: [{ line: 1, column: 28, severity: "critical" }] },
      { code: "https://example.test/?key={{key|percent-dot}}", note: "URL-encoded dot", findings: [{ line: 1, column: 27, severity: "critical" }] },
      { code: '{"k":"{{key|json-dot}}"}', note: "\\u002e for the dot", findings: [{ line: 1, column: 7, severity: "critical" }] },
      { code: "data:\n  apiKey: {{key|base64}}", path: "k8s/secret.yaml", findings: [{ line: 2, column: 11, severity: "critical" }] },
      { code: "token: {{key|base64-shift1}}", note: "base64 at the second alignment: the key starts in the second character of its quad", findings: [{ line: 1, column: 9, severity: "critical" }] },
      { code: "token: {{key|base64-shift2}}", note: "base64 at the third alignment: the key starts in the third character of its quad", findings: [{ line: 1, column: 10, severity: "critical" }] },
      { code: "{{key}}\nand again {{key}}", findings: [{ line: 1, column: 1, severity: "critical" }, { line: 2, column: 11, severity: "critical" }] },
      { code: "\uFEFFconst k = '{{key}}';", note: "a UTF-8 byte-order mark is not counted", findings: [{ line: 1, column: 12, severity: "critical" }] },
      { code: 'const key = "{{key}}";', facts: { scope: "package" }, note: "a file npm would publish", findings: [{ line: 1, column: 14, messageId: "published", severity: "critical" }] },
      { code: 'const key = "{{key}}";', facts: { git: "staged" }, findings: [{ line: 1, column: 14, severity: "critical" }] },
      { code: 'const key = "{{key|infix-FaKe}}";', note: "a random secret that happens to spell a placeholder word is a key", findings: [{ line: 1, column: 14, severity: "critical" }] },
      { code: 'const key = "{{key|infix-yOuR}}";', findings: [{ line: 1, column: 14, severity: "critical" }] },
      { code: 'const key = "{{key|infix-xXxX}}";', findings: [{ line: 1, column: 14, severity: "critical" }] },
      { code: 'const key = "{{key|infix-Sample}}";', findings: [{ line: 1, column: 14, severity: "critical" }] },
      { code: 'console.log("connecting with {{key}}...");', note: "a whole key followed by an ellipsis is a key, not a masked one", findings: [{ line: 1, column: 30, severity: "critical" }] },
      { code: "LUMENFALL_API_KEY={{key}}\u2026", findings: [{ line: 1, column: 19, severity: "critical" }] },
      { code: "https://x.example/?k={{key|percent-all}}", note: "every character percent-encoded, the prefix too", findings: [{ line: 1, column: 22, severity: "critical" }] },
      { code: '{"k":"{{key|json-all}}"}', note: "every character a JSON \\u escape", findings: [{ line: 1, column: 7, severity: "critical" }] },
      { code: "const k = '{{key|js-brace-dot}}';", note: "\\u{2e} for the dot", findings: [{ line: 1, column: 12, severity: "critical" }] },
      { code: "k = '{{key|octal-dot}}'", note: "\\056 for the dot", findings: [{ line: 1, column: 6, severity: "critical" }] },
      { code: '<meta content="{{key|entity-dot}}">', path: "index.html", note: "&#46; for the dot", findings: [{ line: 1, column: 16, severity: "critical" }] },
      { code: '<meta content="{{key|named-dot}}">', path: "index.html", note: "&period; for the dot", findings: [{ line: 1, column: 16, severity: "critical" }] },
      { code: "u=https://x.example/?k={{key|percent-upper}}", note: "mixed: upper-case letters percent-encoded, the dot's escape encoded again", findings: [{ line: 1, column: 24, severity: "critical" }] },
      { code: "u=https://x.example/?k={{key|percent-twice-dot}}", note: "a URL encoded twice (%252E)", findings: [{ line: 1, column: 24, severity: "critical" }] },
    ],
  },
});
