import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ruleById, rules } from "../rules/index.js";
import { lumenfallDetector } from "../src/detectors/lumenfall/index.js";
import { fingerprintSecret } from "../src/engine/fingerprint.js";
import { customPatternRule } from "../rules/custom-pattern.js";
import { SCRIPT, sha256, STYLE } from "../src/reporters/html-assets.js";
import { HtmlEscaper, visible } from "../src/reporters/html-escape.js";
import { groupFindings } from "../src/reporters/html-groups.js";
import { findingText } from "../src/reporters/html-sections.js";
import { reporters, type ReportContext } from "../src/reporters/index.js";
import type { Finding, ScanResult, SecretInfo } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { allElements, attr, byTag, classes, parseHtml, textOf, type Element } from "./helpers/html.js";
import { keyIdOf, makeDotlessKey, makeKey } from "./helpers/keys.js";
import { root } from "./helpers/process.js";
import { createRepo, git, writeFiles } from "./helpers/repo.js";
import { startVerifyServer, type VerifyServer } from "./helpers/verify-server.js";

/**
 * The HTML report as a pure function: a fixed scan result with hostile strings (markup, quotes,
 * terminal escapes, bidi controls) and keys planted in every echoed field, parsed with parse5.
 * The browser side (rendering, filters, scripts off) is in html-report-browser.test.ts.
 */

const keyA = makeKey();
const keyB = makeDotlessKey();
const planted = makeKey();
const secretOf = (key: string): SecretInfo => {
  const [keyId, secret] = key.includes(".") ? [keyIdOf(key), key.split(".")[1]!] : [null, key.slice(6)];
  return { redacted: lumenfallDetector.redact({ keyId, secret }), fingerprint: fingerprintSecret(key), keyId, lastFour: secret.slice(-4), confidence: keyId === null ? "medium" : "high" };
};
const A = secretOf(keyA);
const B = secretOf(keyB);
const C: SecretInfo = { redacted: "tok_…9f2a", fingerprint: "c3".repeat(32), keyId: null, lastFour: "9f2a", confidence: "high" };
/** How the scrubber shows the planted key wherever it finds it: its redacted form. */
const P = secretOf(planted).redacted;
/** The forms of a key the engine's scrubber recognises in free text: plain, percent- and JSON-escaped. */
const plantedForms = [planted, planted.replace(".", "%2E"), planted.replace(".", "\\u002e")];

const HOSTILE = "<img src=x onerror=alert(1)>.ts";
const QUOTES = `it's "quoted" & <b>bold</b>.ts`;
const CONTROL = "esc\x1b[8A\x1b[J\r\nnext\u202egnp.ts";

function finding(overrides: Partial<Finding>): Finding {
  return { ruleId: "lumenfall-key", severity: "critical", messageId: "hardCoded", data: { redacted: A.redacted }, file: "src/app.ts", line: 2, column: 12, endLine: 2, endColumn: 70, source: "worktree", secret: A, ...overrides };
}

const FINDINGS: Finding[] = [
  finding({ verified: "live", snippet: `const k = "${A.redacted}"; // ${plantedForms[0]}` }),
  finding({ file: HOSTILE, line: 1, column: 1, verified: "live", data: { redacted: `${A.redacted}, next to ${plantedForms[1]}` } }),
  finding({ ruleId: "client-bundle-key", messageId: "shipped", file: "dist/app.js", line: 1, column: 30, source: "bundle", verified: "live", original: { file: `webpack:///src/${plantedForms[1]}<script>.ts`, line: 3, column: 8 } }),
  finding({ ruleId: "key-in-history", messageId: "inHistory", file: "old.ts", line: 3, column: 5, source: "history", encoding: "base64", verified: "live", commit: { sha: "c0ffee".padEnd(40, "0"), author: `<script>alert(1)</script> Eve\r\x1b[2K ${plantedForms[2]} <eve@example.invalid>`, date: "2024-01-02T03:04:05Z" } }),
  finding({ file: QUOTES, severity: "high", secret: B, data: { redacted: B.redacted }, verified: "revoked" }),
  finding({ ruleId: "my-token", severity: "medium", secret: C, messageId: "found", data: { pattern: "my-token", redacted: "tok_…9f2a" } }),
  { ruleId: "dotenv-tracked", severity: "high", messageId: "tracked", data: {}, file: ".env", line: 1, column: 1, endLine: 1, endColumn: 1, source: "worktree" },
  { ruleId: "dotenv-unignored", severity: "medium", messageId: "unignored", data: {}, file: CONTROL, line: 1, column: 1, endLine: 1, endColumn: 1, source: "worktree" },
  finding({ severity: "info", placeholder: "docs-example", secret: { ...A, fingerprint: "d4".repeat(32), redacted: "lmnfl_abc123.…z789", keyId: "abc123", lastFour: "z789" }, messageId: "placeholder", data: { reason: "docs-example", redacted: "lmnfl_abc123.…z789" } }),
];

const RESULT: ScanResult = {
  version: 1,
  mode: "history",
  findings: FINDINGS,
  warnings: [{ code: "verify-unknown", message: `could not verify ${plantedForms[0]}` }, { code: "unreadable", message: "cannot read", file: `dir/${plantedForms[2]}\x07` }],
  suppressed: [{ ruleId: "lumenfall-key", file: `t/${HOSTILE}`, line: 4, column: 2, by: "inline", reason: `fixture ${plantedForms[1]}` }],
  stats: { files: 9, bytes: 1234, blobs: 40, commits: 12, durationMs: 150, skipped: 0, suppressed: 1 },
};

const TOKEN_RULE = customPatternRule({ id: "my-token", severity: "medium" });
const CONTEXT: ReportContext = { color: false, failOn: "medium", ruleMeta: (id) => (id === "my-token" ? TOKEN_RULE.meta : ruleById(id)?.meta), rules: rules.map((rule) => rule.meta), toolVersion: "1.2.3", startedAt: "2025-03-04T05:06:07.890Z" };

const html = reporters["html"]!(RESULT, CONTEXT);
const { document, errors } = parseHtml(html);
const groups = byTag(document, "details", "key");
const locations = (root: Element) => byTag(root, "code", "location").map(textOf);
const sectionById = (id: string) => allElements(document).find((element) => element.tagName === "section" && attr(element, "id") === id)!;

/** Every way a full key could be written into the file. */
function expectNoKey(text: string, keys: string[]): void {
  for (const key of keys) {
    const forms = [key, key.slice(6), Buffer.from(key).toString("base64"), Buffer.from(key).toString("base64url"), encodeURIComponent(key).replace(/\./g, "%2E"), key.replace(".", "\\u002e"), key.replace(".", "&#46;")];
    for (const form of forms) expect(text).not.toContain(form);
    if (key.includes(".")) expect(text).not.toContain(key.split(".")[1]);
  }
}

describe("html report: structure", () => {
  it("is well-formed HTML: parse5 reports no parse error", () => {
    expect(errors).toEqual([]);
    expect(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">")).toBe(true);
  });

  it("groups findings by key: live first, then unverified, then revoked", () => {
    expect(groups.map((group) => textOf(byTag(group, "code", "redacted")[0]!))).toEqual([A.redacted, "tok_…9f2a", B.redacted]);
    expect(groups.map((group) => textOf(byTag(group, "dd", "dashboard")[0]!))).toEqual([`key id ${A.keyId} · last four ${A.lastFour}`, "another provider's secret, ending 9f2a", `dotless key (it has no key id) · last four ${B.lastFour}`]);
    expect(groups.map((group) => allElements(group).filter((element) => attr(element, "data-count") !== undefined).map(textOf))).toEqual([["4"], ["1"], ["1"]]);
    expect(groups.map((group) => byTag(group, "dd", "verified").map(textOf))).toEqual([["live — revoke now"], [], ["revoked"]]);
    expect(groups.every((group) => attr(group, "open") === "")).toBe(true);
  });

  it("lists every place of a key: file:line:column, original source, commit with author and date", () => {
    expect(locations(groups[0]!)).toEqual(["src/app.ts:2:12", `${HOSTILE}:1:1`, "dist/app.js:1:30", "old.ts:3:5"]);
    expect(byTag(groups[0]!, "div", "original").map(textOf)).toEqual([`from webpack:///src/${P}<script>.ts:3:8 (original source, through the source map)`]);
    expect(byTag(groups[0]!, "div", "commit").map(textOf)).toEqual([`commit c0ffee000000 by <script>alert(1)</script> Eve\\u{d}\\u{1b}[2K ${P} <eve@example.invalid>, 2024-01-02T03:04:05Z`]);
    expect(byTag(groups[0]!, "tr", "place").map((row) => [attr(row, "data-rule"), attr(row, "data-severity")])).toEqual([
      ["lumenfall-key", "critical"],
      ["lumenfall-key", "critical"],
      ["client-bundle-key", "critical"],
      ["key-in-history", "critical"],
    ]);
  });

  it("names the practices broken, with the guide's link, and a revoke checklist in the guide's order", () => {
    const practices = byTag(groups[0]!, "li", "practice");
    expect(practices.map((li) => textOf(byTag(li, "strong")[0]!))).toEqual(["lumenfall-key", "client-bundle-key", "key-in-history"].map((id) => ruleById(id)!.meta.practice));
    expect(practices.map((li) => attr(byTag(li, "a")[0]!, "href"))).toEqual(["lumenfall-key", "client-bundle-key", "key-in-history"].map((id) => ruleById(id)!.meta.guideUrl));
    const steps = byTag(byTag(groups[0]!, "ol", "checklist")[0]!, "li").map((li) => textOf(li).trim());
    expect(steps).toEqual([
      `Open the dashboard at https://lumenfall.ai/app/api_keys and find key id ${A.keyId} (last four ${A.lastFour}).`,
      "Create a new key there.",
      "Deploy the new key wherever this one is used: an ignored .env file or your platform's secret store, read on the server only.",
      `Then revoke key id ${A.keyId} (last four ${A.lastFour}). It answered as live: if it is public, revoke it now, before the new key is deployed.`,
      `Remove it from the code: src/app.ts, ${HOSTILE}, dist/app.js.`,
      "Remove it from git history if you rewrite it (for example git filter-repo --replace-text); clones and forks keep the old commits, so revoking is what protects you.",
    ]);
    expect(byTag(groups[0]!, "a").filter((a) => textOf(a) === "https://lumenfall.ai/app/api_keys").map((a) => attr(a, "href"))).toEqual(["https://lumenfall.ai/app/api_keys"]);
  });

  it("puts findings without a key, and placeholders, in their own sections", () => {
    expect(locations(sectionById("without-key"))).toEqual([".env:1:1", "esc\\u{1b}[8A\\u{1b}[J\\u{d}\\u{a}next\\u{202e}gnp.ts:1:1"]);
    expect(byTag(sectionById("without-key"), "strong").map(textOf)).toEqual([ruleById("dotenv-tracked")!.meta.practice, ruleById("dotenv-unignored")!.meta.practice]);
    expect(locations(sectionById("placeholders"))).toEqual(["src/app.ts:2:12"]);
    expect(byTag(sectionById("warnings"), "li").map(textOf)).toEqual([`verify-unknown could not verify ${P}`, `unreadable cannot read dir/${P}\\u{7}`]);
    expect(byTag(sectionById("allowed"), "td").map(textOf)).toEqual([`t/${HOSTILE}:4:2`, "lumenfall-key", "inline", `fixture ${P}`]);
  });

  it("has a filter form for every rule and severity present, hidden until the script shows it", () => {
    const form = byTag(document, "form")[0]!;
    expect(attr(form, "hidden")).toBe("");
    const boxes = byTag(form, "input").map((input) => `${attr(input, "name")}=${attr(input, "value")}`);
    expect(boxes).toEqual(["rule=lumenfall-key", "rule=client-bundle-key", "rule=key-in-history", "rule=my-token", "rule=dotenv-tracked", "rule=dotenv-unignored", "severity=critical", "severity=high", "severity=medium", "severity=info"]);
    expect(byTag(form, "label").map(textOf)).toContain(" lumenfall-key (4)");
  });
});

describe("html report: nothing runs, loads or leaks", () => {
  it("never holds a full key, in any form, although keys were planted in every echoed field", () => {
    expectNoKey(html, [keyA, keyB, planted]);
  });

  it("a hostile file name is text: no element, no attribute comes from it", () => {
    expect(byTag(document, "img")).toEqual([]);
    expect(byTag(document, "b")).toEqual([]);
    expect(byTag(document, "script")).toHaveLength(1);
    expect(allElements(document).flatMap((element) => element.attrs.map((a) => a.name)).filter((name) => name.startsWith("on") || name === "src" || name === "style" || name === "srcset")).toEqual([]);
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202e]/);
  });

  it("loads nothing: only https links to Lumenfall, no external style, script, font or image, and a CSP that forbids them", () => {
    const hrefs = new Set(byTag(document, "a").map((a) => new URL(attr(a, "href")!).host));
    expect([...hrefs].sort()).toEqual(["docs.lumenfall.ai", "lumenfall.ai"]);
    expect(byTag(document, "link")).toEqual([]);
    for (const tag of ["iframe", "object", "embed", "base", "svg", "video", "audio", "source"]) expect(byTag(document, tag)).toEqual([]);
    expect(STYLE).not.toMatch(/url\(|@import|@font-face/);
    expect(SCRIPT).not.toMatch(/fetch|XMLHttpRequest|import\(|src|href|innerHTML/);
    const csp = attr(byTag(document, "meta").find((meta) => attr(meta, "http-equiv") === "Content-Security-Policy")!, "content")!;
    expect(csp.split("; ")).toEqual(["default-src 'none'", `style-src '${sha256(STYLE)}'`, `script-src '${sha256(SCRIPT)}'`, "img-src 'none'", "font-src 'none'", "connect-src 'none'", "base-uri 'none'", "form-action 'none'"]);
    // The hashes match the inline blocks as the parser sees them.
    expect(sha256(textOf(byTag(document, "script")[0]!))).toBe(sha256(SCRIPT));
    expect(sha256(textOf(byTag(document, "style")[0]!))).toBe(sha256(STYLE));
  });

  it("an empty scan is a short, valid page", () => {
    const empty = reporters["html"]!({ ...RESULT, findings: [], warnings: [], suppressed: [] }, CONTEXT);
    const parsed = parseHtml(empty);
    expect(parsed.errors).toEqual([]);
    expect(byTag(parsed.document, "p", "none").map(textOf)).toEqual(["No Lumenfall keys found.", "None."]);
    expect(byTag(parsed.document, "form")).toEqual([]);
  });
});

describe("html report: helpers", () => {
  it("HtmlEscaper keeps the scan's redacted forms and scrubs every other key", () => {
    const esc = new HtmlEscaper([A.redacted]);
    expect(esc.scrub(`${A.redacted} and ${planted} and ${plantedForms[1]}`)).toBe(`${A.redacted} and ${P} and ${P}`);
    expect(esc.html(`"${A.redacted}"<`)).toBe(`&quot;${A.redacted}&quot;&lt;`);
    expect(new HtmlEscaper([]).html(`a'b&c`)).toBe("a&#39;b&amp;c");
  });

  it("visible() escapes controls, separators, bidi controls and noncharacters; keeps other text", () => {
    expect(visible("a\x00\t\x1b\x7f\x85\u2028\u202e\u2066\ufffe\u{10ffff}\ud800é😀")).toBe("a\\u{0}\\u{9}\\u{1b}\\u{7f}\\u{85}\\u{2028}\\u{202e}\\u{2066}\\u{fffe}\\u{10ffff}\ufffdé😀");
  });

  it("groupFindings: one group per fingerprint, highest severity, rules in order of appearance", () => {
    const grouped = groupFindings(FINDINGS);
    expect(grouped.keys.map((group) => [group.secret.fingerprint, group.severity, group.ruleIds, group.findings.length, group.lumenfall])).toEqual([
      [A.fingerprint, "critical", ["lumenfall-key", "client-bundle-key", "key-in-history"], 4, true],
      [C.fingerprint, "medium", ["my-token"], 1, false],
      [B.fingerprint, "high", ["lumenfall-key"], 1, true],
    ]);
    expect(grouped.withoutKey.map((f) => f.ruleId)).toEqual(["dotenv-tracked", "dotenv-unignored"]);
    expect(grouped.placeholders).toHaveLength(1);
  });

  it("findingText renders a finding's message from its id and data", () => {
    expect(findingText(FINDINGS[6]!, CONTEXT)).toBe("A .env file is tracked by git");
  });

  it("classes() of the groups", () => {
    expect(groups.map(classes)).toEqual([["group", "key"], ["group", "key"], ["group", "key"]]);
  });
});

describe("html report: the README's recipes, verbatim", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## HTML report: --format html"));
  const recipes = /```sh\n([\s\S]*?)```/.exec(section)![1]!.trim().split("\n");
  let server: VerifyServer;
  beforeAll(async () => {
    server = await startVerifyServer(() => ({ status: 200 }));
  });
  afterAll(() => server.close());

  it("has the two recipes this test runs", () => {
    expect(recipes).toEqual(["lumenguard scan --history --verify --format html --output lumenguard-report.html", "lumenguard ci --report html=lumenguard-report.html --report github=-"]);
  });

  it.each(recipes)("%s", async (recipe) => {
    const [key, other] = [makeKey(), makeKey()];
    const repo = createRepo({ committed: { "src/a.ts": `export const k = "${key}";\n` } });
    git(repo, ["rm", "-q", "src/a.ts"]);
    writeFiles(repo, { "src/b.ts": `export const k = "${other}";\n` });
    git(repo, ["add", "-A"]);
    git(repo, ["commit", "-q", "-m", "b"]);
    // Outside any CI provider's environment, whatever machine runs the tests.
    const env = { LUMENGUARD_VERIFY_URL: server.url, GITHUB_ACTIONS: undefined, GITHUB_EVENT_PATH: undefined, GITLAB_CI: undefined };
    const { code, stdout } = await runCli(recipe.split(" ").slice(1), { cwd: repo, env });
    expect(code).toBe(1);
    const html = readFileSync(join(repo, "lumenguard-report.html"), "utf8");
    const parsed = parseHtml(html);
    expect(parsed.errors).toEqual([]);
    const places = byTag(parsed.document, "details", "key").map((group) => byTag(group, "code", "location").map(textOf));
    if (recipe.includes("--history")) {
      // Both keys in history, each verified live by the loopback stand-in.
      expect(places.flat().sort()).toEqual(["src/a.ts:1:19", "src/b.ts:1:19"]);
      expect(byTag(parsed.document, "dd", "verified").map(textOf)).toEqual(["live — revoke now", "live — revoke now"]);
    } else {
      // No CI range here: the working tree only, and the annotations on stdout.
      expect(places).toEqual([["src/b.ts:1:19"]]);
      expect(stdout).toMatch(/^::error file=src\/b\.ts,line=1,col=19,/m);
      // Outside a pull request or push, ci says (as a warning annotation) that it scanned the working tree only.
      expect(stdout).toMatch(/^::warning title=lumenguard%3A what was scanned::/m);
    }
    for (const planted of [key, other]) expect(html).not.toContain(planted.split(".")[1]);
  });
});
