import { createRequire } from "node:module";

/**
 * The HTML report's only style sheet and script, inlined so the file works alone from
 * `file://`. The document's Content-Security-Policy allows exactly these two by their SHA-256
 * hashes and nothing else: no network loads of any kind, no other script (so markup that slipped
 * into a file name could not run even if it were not escaped). See
 * https://www.w3.org/TR/CSP3/#grammardef-hash-source.
 *
 * The script holds no data from the scan: it reads the rule and severity of each place from the
 * `data-rule` / `data-severity` attributes, so it is the same text (and hash) in every report.
 * Without scripts the filter form stays `hidden` and every group is shown expanded.
 */

export const STYLE = `
:root { color-scheme: light dark; --fg: #1d1f23; --muted: #5b616e; --bg: #ffffff; --card: #f6f7f9; --line: #d8dbe0;
  --critical: #b3261e; --high: #c2410c; --medium: #a16207; --low: #0e7490; --info: #4b5563; --live: #b3261e; --revoked: #15803d; --unknown: #a16207; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #a3a9b5; --bg: #15171a; --card: #1e2126; --line: #343941;
  --critical: #ff8a80; --high: #fdba74; --medium: #fcd34d; --low: #67e8f9; --info: #cbd5e1; --live: #ff8a80; --revoked: #86efac; --unknown: #fcd34d; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.1rem; margin: 0; display: inline; }
h4 { font-size: .95rem; margin: 1rem 0 .35rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .92em; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.group { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin: 0 0 1rem; }
.group > summary { cursor: pointer; list-style-position: outside; }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 999px; padding: 0 .55rem; font-size: .8rem; font-weight: 600; margin-left: .4rem; vertical-align: .1em; }
.sev-critical { color: var(--critical); } .sev-high { color: var(--high); } .sev-medium { color: var(--medium); }
.sev-low { color: var(--low); } .sev-info { color: var(--info); }
.verdict-live { color: var(--live); } .verdict-revoked { color: var(--revoked); } .verdict-unknown { color: var(--unknown); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-top: 1px solid var(--line); }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
dl.identity { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .75rem 0 0; }
dl.identity dt { color: var(--muted); }
dl.identity dd { margin: 0; }
ol.checklist li, ul.practices li { margin: .25rem 0; }
.filters { position: sticky; top: 0; background: var(--bg); border-bottom: 1px solid var(--line); padding: .5rem 0; z-index: 1; }
.filters fieldset { display: inline-block; border: 1px solid var(--line); border-radius: 6px; margin: 0 .75rem .25rem 0; padding: .25rem .75rem; }
.filters label { margin-right: .75rem; white-space: nowrap; }
[hidden] { display: none !important; }
@media print { .filters { display: none !important; } .group { break-inside: avoid; } }
`;

export const SCRIPT = `
"use strict";
(function () {
  var form = document.getElementById("filters");
  if (!form) return;
  var status = document.getElementById("filter-status");
  function checked(name) {
    var values = {};
    var inputs = form.querySelectorAll("input[name='" + name + "']");
    for (var i = 0; i < inputs.length; i++) if (inputs[i].checked) values[inputs[i].value] = true;
    return values;
  }
  function update() {
    var rules = checked("rule");
    var severities = checked("severity");
    var places = document.querySelectorAll("[data-rule][data-severity]");
    for (var i = 0; i < places.length; i++) {
      var place = places[i];
      place.hidden = !(rules[place.getAttribute("data-rule")] && severities[place.getAttribute("data-severity")]);
    }
    var shown = { key: 0, other: 0, placeholder: 0 };
    var total = { key: 0, other: 0, placeholder: 0 };
    var groups = document.querySelectorAll("[data-group]");
    for (var j = 0; j < groups.length; j++) {
      var group = groups[j];
      var all = group.querySelectorAll("[data-rule][data-severity]").length;
      var visible = group.querySelectorAll("[data-rule][data-severity]:not([hidden])").length;
      var kind = group.getAttribute("data-group");
      total[kind] += kind === "key" ? 1 : all;
      shown[kind] += kind === "key" ? (visible > 0 ? 1 : 0) : visible;
      group.hidden = visible === 0;
      var count = group.querySelector("[data-count]");
      if (count) count.textContent = visible === all ? String(all) : visible + " of " + all;
    }
    var noun = function (n, one, many) { return n === 1 ? one : many; };
    var placeholders = total.placeholder > 0 ? " and " + shown.placeholder + " of " + total.placeholder + noun(total.placeholder, " placeholder", " placeholders") : "";
    status.textContent = "Showing " + shown.key + " of " + total.key + noun(total.key, " key", " keys") + (placeholders ? ", " : " and ") + shown.other + " of " + total.other + noun(total.other, " finding", " findings") + " without a key" + placeholders + ".";
  }
  form.addEventListener("change", update);
  form.hidden = false;
  update();
})();
`;

/** The policy for the `<meta http-equiv="Content-Security-Policy">` of the report. */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `style-src '${sha256(STYLE)}'`,
    `script-src '${sha256(SCRIPT)}'`,
    "img-src 'none'",
    "font-src 'none'",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** A CSP hash source: `sha256-` and the base64 SHA-256 of the UTF-8 text. */
export function sha256(text: string): string {
  const { createHash } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}
