import { defineRule } from "../src/engine/rule.js";

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
    guideUrl: "https://docs.lumenfall.ai/authentication#security-best-practices",
    why: "Client code runs on users' devices: anyone can read a key shipped in it, and abuse it.",
    fix: [
      "Revoke it now at https://lumenfall.ai/app/api_keys ({identity}) and create a new key.",
      "Call Lumenfall from your own backend and let the browser or app call that backend; the key stays on the server.",
      "Rebuild and redeploy, and make sure nothing puts the key in client code (no public env prefix, no define).",
    ],
    precedence: 10,
  },
  message: (key) => `Lumenfall API key ${key.redacted} ships in client code`,
  check(context) {
    if (context.file.source !== "bundle" && !context.file.client) return;
    for (const key of context.keys) if (key.detector === "lumenfall") context.report(key);
  },
  examples: {
    valid: [
      { code: 'fetch("/api/chat", { method: "POST" })', source: "bundle" },
      { code: 'const k = "{{key}}";', path: "server/app.ts", source: "worktree", note: "server code is lumenfall-key's" },
      { code: "headers:{Authorization:`Bearer ${t}`}", source: "bundle" },
    ],
    invalid: [
      { code: '!function(){var e={apiKey:"{{key}}"}}();', path: "dist/assets/index-3f2a.js", source: "bundle", findings: [{ line: 1, column: 28 }] },
      { code: "{\"k\":\"{{key}}\"}", path: "out/config.json", source: "bundle" },
      { code: "data:application/json;base64,{{key|base64}}", path: "dist/app.js.map", source: "bundle" },
    ],
  },
});
