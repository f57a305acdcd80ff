import { defineRule, type Rule } from "../src/engine/rule.js";
import type { Severity } from "../src/types.js";
import { GUIDE_URL, LEAK_SCOPES } from "./support/guide.js";

/**
 * A rule made from a config `customPatterns` entry: another provider's secret, kept out of the
 * repository, its history and client code by the same practices as a Lumenfall key. It applies
 * wherever the Lumenfall key rules do, and reports the secrets its own detector (same id) finds.
 * Its guidance is generic unless the pattern names its provider's revoke page: a custom pattern's
 * finding never sends the user to the Lumenfall dashboard.
 */
export interface CustomPatternRuleSpec {
  id: string;
  severity?: Severity;
  /** Why this secret matters, shown with every finding. */
  description?: string;
  /** Where this provider's secrets are revoked. */
  revokeUrl?: string;
}

export function customPatternRule(spec: CustomPatternRuleSpec): Rule<Record<string, never>> {
  const revoke = spec.revokeUrl ? `Revoke it at ${spec.revokeUrl} and issue a new one.` : "Revoke the secret with its provider and issue a new one.";
  return defineRule({
    meta: {
      id: spec.id,
      severity: spec.severity ?? "high",
      practice: "Never commit secrets to version control or ship them in client code",
      guideUrl: GUIDE_URL,
      why: spec.description ?? "A secret in the repository, its history or client code can be read by everyone who can read those, and used.",
      fix: [revoke, "Keep the new one in an ignored .env file and read it on the server."],
      messages: { found: "Secret matching custom pattern {{pattern}}: {{redacted}}" },
      appliesTo: { scopes: LEAK_SCOPES },
      revokeUrl: spec.revokeUrl ?? null,
    },
    defaultOptions: {},
    check(context) {
      for (const key of context.keys) if (key.detector === spec.id) context.report({ key, messageId: "found", data: { pattern: spec.id, redacted: key.redacted } });
    },
    examples: { valid: [], invalid: [] },
  });
}
