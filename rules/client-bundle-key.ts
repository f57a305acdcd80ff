import { LUMENFALL_DETECTOR_ID } from "../src/detectors/lumenfall/index.js";
import { defineRule } from "../src/engine/rule.js";
import { DASHBOARD_URL, GUIDE_URL } from "./support/guide.js";

/**
 * Never expose API keys in client-side code. A key in build output that browsers download, in a
 * browser extension or in a mobile app is public: anyone can open the bundle and copy it — git
 * ignoring `dist/` changes nothing. When a source map exists, the finding names the original
 * file and line the key came from.
 */
export default defineRule({
  meta: {
    id: "client-bundle-key",
    severity: "critical",
    practice: "Never expose API keys in client-side code",
    guideUrl: GUIDE_URL,
    why: "Client code runs on users' devices: anyone can read a key shipped in it, and abuse it.",
    fix: [
      `Revoke it now at ${DASHBOARD_URL} ({identity}) and create a new key.`,
      "Call Lumenfall from your own backend and let the browser or app call that backend; the key stays on the server.",
      "Rebuild and redeploy, and make sure nothing puts the key in client code (no public env prefix, no define).",
    ],
    messages: { shipped: "Lumenfall API key {{redacted}} ships in client code" },
    appliesTo: { scopes: ["shipped"] },
    revokeUrl: DASHBOARD_URL,
  },
  defaultOptions: {},
  check(context) {
    for (const key of context.keys) if (key.detector === LUMENFALL_DETECTOR_ID) context.report({ key, messageId: "shipped", data: { redacted: key.redacted } });
  },
  examples: {
    valid: [
      { code: 'fetch("/api/chat", { method: "POST" })', facts: { scope: "shipped" } },
      { code: 'const k = "{{key}}";', path: "server/app.ts", note: "server code is lumenfall-key's" },
      { code: "headers:{Authorization:`Bearer ${t}`}", facts: { scope: "shipped" } },
    ],
    invalid: [
      { code: '!function(){var e={apiKey:"{{key}}"}}();', path: "dist/assets/index-3f2a.js", facts: { scope: "shipped" }, findings: [{ line: 1, column: 28, severity: "critical", messageId: "shipped" }] },
      { code: '{"k":"{{key}}"}', path: "out/config.json", facts: { scope: "shipped" }, findings: [{ line: 1, column: 7, severity: "critical" }] },
      { code: "data:application/json;base64,{{key|base64}}", path: "dist/app.js.map", facts: { scope: "shipped" }, findings: [{ line: 1, column: 30, severity: "critical" }] },
    ],
  },
});
