import type { ScanResult, Severity } from "../types.js";
import { SEVERITIES } from "../types.js";
import { contentSecurityPolicy, SCRIPT, STYLE } from "./html-assets.js";
import { HtmlEscaper } from "./html-escape.js";
import { groupFindings, type ReportGroups } from "./html-groups.js";
import { keyGroupHtml, placesTable, practicesList, severityBadge, type SectionContext } from "./html-sections.js";
import type { Reporter } from "./types.js";

/**
 * `--format html`: one self-contained HTML5 document for people triaging a scan, grouped by key
 * because a leaked key is revoked once, wherever it occurs. Per key: the redacted key and its
 * dashboard identity (key id + last four), `--verify`'s verdict when it ran, every place
 * (file:line:column, 1-based, columns in UTF-16 code units as in every format; the commit with
 * author and date; the original source behind a bundle), the practices broken and a revoke
 * checklist. Findings without a key (env-file hygiene and the like) and placeholder matches have
 * their own sections; then the scan's warnings and what was allowed.
 *
 * Self-contained: no external script, style, font or image, and a Content-Security-Policy that
 * forbids every network load, so it works from `file://` and offline. With scripts, a form
 * filters by rule and severity; without, the form stays hidden and everything is expanded.
 * Every echoed string is scrubbed of keys and escaped (html-escape.ts). Pure: result in, string out.
 */
export const htmlReporter: Reporter = (result, context) => {
  const groups = groupFindings(result.findings);
  const esc = new HtmlEscaper(result.findings.flatMap((finding) => (finding.secret ? [finding.secret.redacted] : [])));
  const sections: SectionContext = { esc, ruleMeta: context.ruleMeta };
  const title = `lumenguard report: ${count(groups.keys.length, "key", "keys")}, ${count(result.findings.length, "finding", "findings")}`;
  const body = [
    `<header><h1>lumenguard report</h1>`,
    summary(result, groups, context.toolVersion, context.startedAt, esc),
    `</header>`,
    filterForm(result, esc),
    `<main>`,
    `<section id="keys"><h2>Keys (${groups.keys.length})</h2>`,
    groups.keys.length > 0 ? groups.keys.map((group, index) => keyGroupHtml(group, index, sections)).join("\n") : `<p class="none">No Lumenfall keys found.</p>`,
    `</section>`,
    otherSection("without-key", "Findings without a key", groups.withoutKey, sections),
    otherSection("placeholders", "Placeholders (not keys; shown by --include-placeholders)", groups.placeholders, sections),
    warnings(result, esc),
    allowed(result, esc),
    `</main>`,
  ];
  return [
    "<!DOCTYPE html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">`,
    `<meta name="referrer" content="no-referrer">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc.html(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    ...body.filter((part) => part !== ""),
    `<script>${SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
};

function summary(result: ScanResult, groups: ReportGroups, toolVersion: string | undefined, startedAt: string | undefined, esc: HtmlEscaper): string {
  const { stats } = result;
  const scanned = [count(stats.files, "file", "files"), stats.blobs > 0 ? count(stats.blobs, "blob", "blobs") : "", stats.commits !== undefined ? count(stats.commits, "commit", "commits") : "", `${stats.bytes} bytes`].filter(Boolean).join(", ");
  const bySeverity = [...SEVERITIES].reverse().flatMap((severity) => {
    const n = result.findings.filter((finding) => finding.severity === severity).length;
    return n > 0 ? [`${severityBadge(severity)} ${n}`] : [];
  });
  const live = groups.keys.filter((group) => group.verified === "live").length;
  return [
    `<p class="summary"><strong>${count(groups.keys.length, "key", "keys")}</strong> in ${count(result.findings.length - groups.withoutKey.length - groups.placeholders.length, "place", "places")}; ${count(groups.withoutKey.length, "finding", "findings")} without a key${groups.placeholders.length > 0 ? `; ${count(groups.placeholders.length, "placeholder", "placeholders")} (not keys)` : ""}. ${bySeverity.join(" ")}</p>`,
    live > 0 ? `<p class="live-keys"><span class="badge verdict verdict-live">${count(live, "live key", "live keys")}</span> revoke ${live === 1 ? "it" : "them"} first.</p>` : "",
    `<p class="muted">Scan: ${esc.html(result.mode)}, ${esc.html(scanned)} in ${stats.durationMs} ms${stats.skipped > 0 ? `, ${stats.skipped} unreadable` : ""}${stats.suppressed > 0 ? `, ${stats.suppressed} suppressed` : ""}.${toolVersion ? ` lumenguard ${esc.html(toolVersion)}.` : ""}${startedAt ? ` Started <time>${esc.html(startedAt)}</time>.` : ""}</p>`,
  ].join("\n");
}

/** Checkboxes for every rule and severity present; hidden until the script shows it. */
function filterForm(result: ScanResult, esc: HtmlEscaper): string {
  if (result.findings.length === 0) return "";
  const ruleCounts = tally(result.findings.map((finding) => finding.ruleId));
  const severityCounts = tally(result.findings.map((finding) => finding.severity));
  const box = (name: string, value: string, n: number, label: string) => `<label><input type="checkbox" name="${name}" value="${esc.html(value)}" checked> ${label} (${n})</label>`;
  const rules = [...ruleCounts].map(([id, n]) => box("rule", id, n, `<code>${esc.html(id)}</code>`));
  const severities = [...SEVERITIES].reverse().flatMap((severity: Severity) => (severityCounts.has(severity) ? [box("severity", severity, severityCounts.get(severity)!, severity)] : []));
  return `<form id="filters" class="filters" hidden aria-label="Filters"><fieldset><legend>Rule</legend>${rules.join("")}</fieldset><fieldset><legend>Severity</legend>${severities.join("")}</fieldset><p id="filter-status" class="muted" aria-live="polite"></p></form>`;
}

function otherSection(id: string, heading: string, findings: ScanResult["findings"], sections: SectionContext): string {
  if (findings.length === 0) return id === "without-key" ? `<section id="${id}"><h2>${heading} (0)</h2><p class="none">None.</p></section>` : "";
  const ruleIds = [...new Set(findings.map((finding) => finding.ruleId))];
  return [
    `<section id="${id}" data-group="${id === "placeholders" ? "placeholder" : "other"}"><h2>${heading} (<span data-count>${findings.length}</span>)</h2>`,
    placesTable(findings, sections),
    id === "without-key" ? `<h4>Practices they break</h4>\n${practicesList(ruleIds, sections, "file")}` : "",
    `</section>`,
  ].join("\n");
}

function warnings(result: ScanResult, esc: HtmlEscaper): string {
  if (result.warnings.length === 0) return "";
  const items = result.warnings.map((warning) => `<li><code>${esc.html(warning.code)}</code> ${esc.html(warning.message)}${warning.file ? ` <code>${esc.html(warning.file)}</code>` : ""}</li>`);
  return `<section id="warnings"><h2>Warnings (${result.warnings.length})</h2><ul>${items.join("\n")}</ul></section>`;
}

function allowed(result: ScanResult, esc: HtmlEscaper): string {
  if (result.suppressed.length === 0) return "";
  const rows = result.suppressed.map((s) => `<tr><td><code>${esc.html(`${s.file}:${s.line}:${s.column}`)}</code></td><td><code>${esc.html(s.ruleId)}</code></td><td>${esc.html(s.by)}</td><td>${s.reason ? esc.html(s.reason) : ""}</td></tr>`);
  return `<section id="allowed"><h2>Allowed (${result.suppressed.length})</h2><table><thead><tr><th scope="col">Where</th><th scope="col">Rule</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead><tbody>${rows.join("\n")}</tbody></table></section>`;
}

function tally(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
