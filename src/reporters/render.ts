import { ruleById } from "../../rules/index.js";
import { PLACEHOLDER_MESSAGE_ID } from "../engine/apply-rules.js";
import type { Finding } from "../types.js";
import type { ReportContext } from "./types.js";

/**
 * Findings are data (a message id and its values); this is where they become prose, for every
 * reporter alike. Templates are the rules' `meta.messages` (ESLint's `{{name}}` placeholders),
 * plus the message every rule shares for a placeholder shown with `--include-placeholders`.
 */
const SHARED_MESSAGES: Readonly<Record<string, string>> = {
  [PLACEHOLDER_MESSAGE_ID]: "Placeholder ({{reason}}), not a key: {{redacted}}",
};

/** lumenguard's built-in rules, by id. */
const BUILT_IN_RULES: Pick<ReportContext, "ruleMeta"> = { ruleMeta: (id) => ruleById(id)?.meta };

/**
 * The finding's message, one line of prose, from its rule's template (`meta.messages[messageId]`,
 * `{{name}}` filled from `finding.data`); a message id no rule knows is shown as the rule id, the
 * message id and the values (`my-rule/found (redacted=…)`). The values are already redacted: a
 * message never holds a key.
 * @param context where the templates come from: by default lumenguard's built-in rules; the run
 *   returned by `runScan()` (its `ruleMeta` also knows the config's custom patterns) or a
 *   reporter's context.
 */
export function findingMessage(finding: Pick<Finding, "ruleId" | "messageId" | "data">, context: Pick<ReportContext, "ruleMeta"> = BUILT_IN_RULES): string {
  const template = SHARED_MESSAGES[finding.messageId] ?? context.ruleMeta(finding.ruleId)?.messages[finding.messageId];
  if (template === undefined) {
    const values = Object.entries(finding.data).map(([name, value]) => `${name}=${value}`);
    return `${finding.ruleId}/${finding.messageId}${values.length > 0 ? ` (${values.join(", ")})` : ""}`;
  }
  return interpolate(template, finding.data);
}

export function interpolate(template: string, data: Finding["data"]): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => (Object.hasOwn(data, name) ? String(data[name]) : whole));
}

/** Where the finding's secret is revoked: its rule's page, or null (a provider lumenguard cannot name). */
export function revokeUrlOf(finding: Pick<Finding, "ruleId">, context: Pick<ReportContext, "ruleMeta">): string | null {
  return context.ruleMeta(finding.ruleId)?.revokeUrl ?? null;
}

/** A rule's fix steps for a reader who sees one finding at a time (`{identity}` filled in). */
export function fixSteps(fix: readonly string[], identity: string): string[] {
  return fix.map((step) => step.replace("{identity}", identity));
}
