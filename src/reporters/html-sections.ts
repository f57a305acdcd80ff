import type { RuleMeta } from "../engine/rule.js";
import { SEVERITIES, type Finding, type SourceKind } from "../types.js";
import type { HtmlEscaper } from "./html-escape.js";
import { findingMessage } from "./render.js";
import type { KeyGroup } from "./html-groups.js";

/**
 * The parts of the HTML report: one group per key, a table row per place. Each function returns
 * markup in which every value from the scan went through `HtmlEscaper.html`; the few literals
 * are ours. Rows carry `data-rule` and `data-severity` for the report's filter script.
 */

export const REVOKE_URL = "https://lumenfall.ai/app/api_keys";

/** A finding's prose, rendered from its message id and data (the one place this report reads it). */
export function findingText(finding: Finding, context: Pick<SectionContext, "ruleMeta">): string {
  return findingMessage(finding, context);
}

export interface SectionContext {
  esc: HtmlEscaper;
  ruleMeta(id: string): RuleMeta | undefined;
}

const SOURCE_LABEL: Record<SourceKind, string> = { worktree: "working tree", staged: "staged (index)", history: "git history", bundle: "client bundle", stdin: "standard input" };
const VERDICT_LABEL = { live: "live — revoke now", revoked: "revoked", unknown: "unknown — could not verify" } as const;

/** One key: its identity, every place it occurs, the practices it breaks, and how to revoke it. */
export function keyGroupHtml(group: KeyGroup, index: number, context: SectionContext): string {
  const { esc } = context;
  const secret = group.secret;
  const verdict = group.verified ? ` <span class="badge verdict verdict-${group.verified}">${VERDICT_LABEL[group.verified]}</span>` : "";
  const identity = group.lumenfall
    ? secret.keyId === null
      ? `dotless key (it has no key id) · last four <code>${esc.html(secret.lastFour)}</code>`
      : `key id <code>${esc.html(secret.keyId)}</code> · last four <code>${esc.html(secret.lastFour)}</code>`
    : `another provider's secret, ending <code>${esc.html(secret.lastFour)}</code>`;
  return [
    `<details class="group key" id="key-${index + 1}" data-group="key" open>`,
    `<summary><h3><code class="redacted">${esc.html(secret.redacted)}</code></h3>${severityBadge(group.severity)}${verdict} <span class="muted">in <span data-count>${group.findings.length}</span> ${group.findings.length === 1 ? "place" : "places"}</span></summary>`,
    `<dl class="identity"><dt>Dashboard</dt><dd class="dashboard">${identity}</dd>`,
    `<dt>Fingerprint</dt><dd><code title="SHA-256 of the key">${esc.html(secret.fingerprint.slice(0, 16))}</code> <span class="muted">(SHA-256, first 16 hex)</span></dd>`,
    group.verified ? `<dt>Verified</dt><dd class="verified">${VERDICT_LABEL[group.verified]}</dd>` : "",
    `</dl>`,
    `<h4>Where it occurs</h4>`,
    placesTable(group.findings, context),
    `<h4>Practices it breaks</h4>`,
    practicesList(group.ruleIds, context, "key"),
    `<h4>Revoke checklist</h4>`,
    checklist(group, context),
    `</details>`,
  ].join("\n");
}

/** A table with a row per finding: where, rule, severity, and what else is known about the place. */
export function placesTable(findings: readonly Finding[], context: SectionContext): string {
  const rows = findings.map((finding) => placeRow(finding, context));
  return `<table class="places"><thead><tr><th scope="col">Where</th><th scope="col">Rule</th><th scope="col">Severity</th><th scope="col">Details</th></tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

function placeRow(finding: Finding, context: SectionContext): string {
  const { esc } = context;
  const where = [`<code class="location">${esc.html(`${finding.file}:${finding.line}:${finding.column}`)}</code>`];
  if (finding.original) where.push(`<div class="original">from <code>${esc.html(`${finding.original.file}:${finding.original.line}:${finding.original.column}`)}</code> <span class="muted">(original source, through the source map)</span></div>`);
  const details = [`<div class="message">${esc.html(findingText(finding, context))}</div>`];
  details.push(`<div class="muted">${SOURCE_LABEL[finding.source] ?? esc.html(finding.source)}${finding.encoding ? `, written ${esc.html(finding.encoding)}` : ""}</div>`);
  if (finding.commit) {
    details.push(`<div class="commit">commit <code>${esc.html(finding.commit.sha.slice(0, 12))}</code> by <span class="author">${esc.html(finding.commit.author)}</span>, <time>${esc.html(finding.commit.date)}</time></div>`);
  }
  if (finding.snippet) details.push(`<div><code class="snippet">${esc.html(finding.snippet)}</code></div>`);
  if (finding.placeholder) details.push(`<div class="muted">placeholder: ${esc.html(finding.placeholder)}</div>`);
  return `<tr class="place" data-rule="${esc.html(finding.ruleId)}" data-severity="${esc.html(finding.severity)}"><td>${where.join("")}</td><td><code>${esc.html(finding.ruleId)}</code></td><td>${severityBadge(finding.severity)}</td><td>${details.join("")}</td></tr>`;
}

/**
 * The practices of the guide that these rules enforce: the practice, why, a link to the guide,
 * and the fix. In a key's group the fix steps about revoking the key (those that name it,
 * `{identity}` in the rule) are left out: the checklist below covers them.
 */
export function practicesList(ruleIds: readonly string[], { esc, ruleMeta }: SectionContext, where: "key" | "file"): string {
  const items = ruleIds.map((id) => {
    const meta = ruleMeta(id);
    if (!meta) return `<li><code>${esc.html(id)}</code></li>`;
    const steps = meta.fix.filter((step) => where === "file" || !step.includes("{identity}")).map((step) => step.replace("{identity}", "key id and last four as listed with the key"));
    const fix = steps.length > 0 ? `<ol class="fix">${steps.map((step) => `<li>${esc.html(step)}</li>`).join("")}</ol>` : "";
    return `<li class="practice"><strong>${esc.html(meta.practice)}</strong> <span class="muted">(<code>${esc.html(meta.id)}</code>)</span> — ${guideLink(meta.guideUrl, esc)}<div>${esc.html(meta.why)}</div>${fix}</li>`;
  });
  return `<ul class="practices">${items.join("\n")}</ul>`;
}

/** What to do about this key, in order: the rotation of the guide, and the clean-up after it. */
function checklist(group: KeyGroup, { esc }: SectionContext): string {
  const secret = group.secret;
  const name = secret.partial
    ? secret.keyId === null
      ? "the dotless key (found only in part: last four unknown)"
      : `key id <code>${esc.html(secret.keyId)}</code> (found only in part: last four unknown)`
    : secret.keyId === null
      ? `the dotless key ending <code>${esc.html(secret.lastFour)}</code>`
      : `key id <code>${esc.html(secret.keyId)}</code> (last four <code>${esc.html(secret.lastFour)}</code>)`;
  const files = [...new Set(group.findings.filter((finding) => finding.source !== "history").map((finding) => finding.file))];
  const inHistory = group.findings.some((finding) => finding.source === "history" || finding.commit);
  const steps = group.lumenfall
    ? [
        `Open the dashboard at <a href="${REVOKE_URL}" rel="noopener noreferrer">${REVOKE_URL}</a> and find ${name}.`,
        `Create a new key there.`,
        `Deploy the new key wherever this one is used: an ignored <code>.env</code> file or your platform's secret store, read on the server only.`,
        `Then revoke ${name}.${group.verified === "live" ? " It answered as live: if it is public, revoke it now, before the new key is deployed." : ""}`,
      ]
    : [`Revoke this secret with its provider and issue a new one.`, `Deploy the new secret where this one is used, kept out of code.`];
  if (files.length > 0) steps.push(`Remove it from the code: ${files.map((file) => `<code>${esc.html(file)}</code>`).join(", ")}.`);
  if (inHistory) steps.push(`Remove it from git history if you rewrite it (for example <code>git filter-repo --replace-text</code>); clones and forks keep the old commits, so revoking is what protects you.`);
  return `<ol class="checklist">${steps.map((step) => `<li><label><input type="checkbox"> ${step}</label></li>`).join("\n")}</ol>`;
}

/** A severity as a coloured badge; anything outside the known severities is shown as `info`. */
export function severityBadge(severity: Finding["severity"]): string {
  const known = SEVERITIES.includes(severity) ? severity : "info";
  return `<span class="badge severity sev-${known}">${known}</span>`;
}

/** A link to the guide when the address is https; otherwise the address as text. */
function guideLink(url: string, esc: HtmlEscaper): string {
  return /^https:\/\/[^\s"'<>]+$/.test(url) ? `<a href="${esc.html(url)}" rel="noopener noreferrer">the guide</a>` : `guide: ${esc.html(url)}`;
}
