import { defineRule, type Rule } from "../src/engine/rule.js";

/**
 * A rule made from a config `customPatterns` entry (SPEC §7): another provider's secret, kept
 * out of the repository by the same practice as a Lumenfall key.
 */
export interface CustomPatternSpec {
  id: string;
  severity?: "critical" | "high" | "medium" | "low" | "info";
  description?: string;
}

export function customPatternRule(spec: CustomPatternSpec): Rule {
  return defineRule({
    meta: {
      id: spec.id,
      severity: spec.severity ?? "high",
      practice: "Never commit API keys to version control",
      guideUrl: "https://docs.lumenfall.ai/authentication#security-best-practices",
      why: spec.description ?? "A secret in the repository can be read by everyone who can read the repository and its history.",
      fix: ["Revoke the secret with its provider and issue a new one.", "Keep the new one in an ignored .env file and read it on the server."],
      precedence: 0,
    },
    message: (key) => `Secret matching custom pattern ${spec.id}: ${key.redacted}`,
    check(context) {
      if (context.file.source === "history" || context.file.source === "bundle") return;
      for (const key of context.keys) if (key.detector === spec.id) context.report(key);
    },
    examples: { valid: [], invalid: [] },
  });
}
