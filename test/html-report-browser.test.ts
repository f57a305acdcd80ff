import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { parseHtml } from "./helpers/html.js";
import { makeKey } from "./helpers/keys.js";
import { root } from "./helpers/process.js";
import { createRepo, git, writeFiles } from "./helpers/repo.js";
import { startVerifyServer, type VerifyServer } from "./helpers/verify-server.js";

/**
 * The HTML report of a real scan, rendered by a real headless Chromium (Debian's `chromium`,
 * driven by playwright-core): a repository with a key in the working tree, in history (a commit
 * whose author name holds quotes and character references), in a bundle's source map, a second key in a file named
 * `<img src=x onerror=alert(1)>.ts`, env-file findings, and `--verify` against a loopback stand-in.
 * Checked with scripts on (groups, places, filters) and off (everything shown), with no network
 * request, dialog or console error. The report and its screenshots go to test-output/html-report/.
 */

const CHROMIUM = "/usr/bin/chromium";
const skipReason = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (Debian's chromium package; .ci/run installs it)`;
if (skipReason !== null) console.warn(`test/html-report-browser.test.ts SKIPPED: ${skipReason}`);

const OUTPUT = join(root, "test-output/html-report");
const HOSTILE = "<img src=x onerror=alert(1)>.ts";
/** git drops `<` and `>` from names; quotes and character references are what an author name can carry. */
const AUTHOR = `Mallory "&lt;b&gt;" O'Neil & co`;

interface JsonFinding {
  ruleId: string;
  file: string;
  line: number;
  column: number;
  secret?: { fingerprint: string };
}

let browser: Browser;
let server: VerifyServer;
let reportFile: string;
let reportHtml: string;
let json: { findings: JsonFinding[] };
const [liveKey, revokedKey] = [makeKey(), makeKey()];

/** The scanned repository; `lumenguard ci` covers the working tree, the bundle and the range's commits. */
async function scanToHtml(): Promise<string> {
  const repo = createRepo({ committed: { "README.md": "# app\n", "package.json": JSON.stringify({ devDependencies: { vite: "5" } }), ".gitignore": "dist/\n" } });
  const base = git(repo, ["rev-parse", "HEAD"]).trim();
  writeFiles(repo, { "src/old-config.ts": `// config\nexport const key = "${liveKey}";\n` });
  git(repo, ["add", "-A"]);
  git(repo, ["commit", "-q", "-m", "config"], { GIT_AUTHOR_NAME: AUTHOR, GIT_AUTHOR_DATE: "2024-05-06T07:08:09Z" });
  git(repo, ["rm", "-q", "src/old-config.ts"]);
  writeFiles(repo, { ".env": "PORT=3000\n" });
  git(repo, ["add", "-A"]);
  git(repo, ["commit", "-q", "-m", "move the key out"]);
  const map = { version: 3, sources: ['webpack:///src/"quoted" <b>.ts'], sourcesContent: [`\nexport const k = "${liveKey}";\n`], mappings: "AAAA", names: [] };
  writeFiles(repo, {
    "src/app.ts": `export const key = "${liveKey}";\n`,
    [HOSTILE]: `const k = "${revokedKey}";\n`,
    ".env.local": "DEBUG=1\n",
    "dist/assets/app.js": "console.log(1);\n",
    "dist/assets/app.js.map": JSON.stringify(map),
  });
  const env = { LUMENGUARD_VERIFY_URL: server.url };
  const outcome = await runCli(["ci", "--range", `${base}..HEAD`, "--verify", "--format", "html", "--output", "report.html", "--report", "json=report.json"], { cwd: repo, env });
  expect(outcome.code).toBe(1);
  json = JSON.parse(readFileSync(join(repo, "report.json"), "utf8")) as { findings: JsonFinding[] };
  // Kept beside the screenshots: the temporary repository is removed after the first test.
  copyFileSync(join(repo, "report.html"), join(OUTPUT, "report.html"));
  return join(OUTPUT, "report.html");
}

/** A page on the report; every request, dialog and console error is recorded. */
async function open(javaScriptEnabled: boolean): Promise<{ page: Page; requests: string[]; dialogs: string[]; consoleErrors: string[] }> {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  await page.goto(pathToFileURL(reportFile).href);
  return { page, requests, dialogs, consoleErrors };
}

/** Per key group: the redacted key and the places it lists, as rendered. */
function groupsOf(page: Page): Promise<Array<{ redacted: string; count: string; places: string[]; hidden: boolean }>> {
  return page.$$eval("details.group.key", (groups) =>
    groups.map((group) => ({
      redacted: group.querySelector("code.redacted")!.textContent!,
      count: group.querySelector("[data-count]")!.textContent!,
      places: [...group.querySelectorAll("tr.place")].filter((row) => !(row as HTMLElement).hidden).map((row) => row.querySelector("code.location")!.textContent!),
      hidden: (group as HTMLElement).hidden,
    })),
  );
}

describe.skipIf(skipReason !== null)(`the HTML report in headless Chromium${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    server = await startVerifyServer((key) => ({ status: key === liveKey ? 200 : 401 }));
    reportFile = await scanToHtml();
    reportHtml = readFileSync(reportFile, "utf8");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // playwright gives every launch a fresh, temporary --user-data-dir.
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("is well-formed (parse5) and holds no key in any form", () => {
    expect(parseHtml(reportHtml).errors).toEqual([]);
    for (const key of [liveKey, revokedKey]) {
      for (const form of [key, key.split(".")[1]!, Buffer.from(key).toString("base64"), encodeURIComponent(key).replace(/\./g, "%2E")]) expect(reportHtml).not.toContain(form);
    }
  });

  it("with scripts: one group per key with every place the JSON report lists, filters that work, nothing loaded", async () => {
    const { page, requests, dialogs, consoleErrors } = await open(true);
    const groups = await groupsOf(page);
    // The same places as the JSON report of the same run, grouped by fingerprint; the live key first.
    const byKey = new Map<string, string[]>();
    for (const finding of json.findings.filter((f) => f.secret)) byKey.set(finding.secret!.fingerprint, [...(byKey.get(finding.secret!.fingerprint) ?? []), `${finding.file}:${finding.line}:${finding.column}`]);
    expect(groups.map((group) => group.places)).toEqual([...byKey.values()].sort((a, b) => b.length - a.length));
    expect(groups.map((group) => group.places.map((place) => place.replace(/:\d+:\d+$/, "")).sort())).toEqual([["dist/assets/app.js.map", "src/app.ts", "src/old-config.ts"], [HOSTILE]]);
    expect(groups.map((group) => [group.count, group.redacted.startsWith(`lmnfl_${liveKey.slice(6, 16)}`) || group.redacted.startsWith(`lmnfl_${revokedKey.slice(6, 16)}`)])).toEqual([["3", true], ["1", true]]);
    expect(await page.$$eval("details.group.key dd.verified", (dds) => dds.map((dd) => dd.textContent))).toEqual(["live — revoke now", "revoked"]);
    expect(await page.$$eval("#without-key code.location", (codes) => codes.map((code) => code.textContent).sort())).toEqual([".env.local:1:1", ".env:1:1"]);
    expect((await page.$eval("div.commit", (div) => div.textContent))!.replace(/[0-9a-f]{12}/, "<sha>")).toBe(`commit <sha> by ${AUTHOR} <test@example.invalid>, 2024-05-06T07:08:09+00:00`);
    expect(await page.$eval("div.original", (div) => div.textContent)).toBe('from webpack:///src/"quoted" <b>.ts:2:19 (original source, through the source map)');
    expect(await page.locator("#filters").isVisible()).toBe(true);
    expect(await page.textContent("#filter-status")).toBe("Showing 2 of 2 keys and 2 of 2 findings without a key.");
    await page.screenshot({ path: join(OUTPUT, "report.png"), fullPage: true });

    // Severity "critical" off: every key place is critical, so both key groups go.
    await page.uncheck("#filters input[name=severity][value=critical]");
    expect((await groupsOf(page)).map((group) => group.hidden)).toEqual([true, true]);
    expect(await page.textContent("#filter-status")).toBe("Showing 0 of 2 keys and 2 of 2 findings without a key.");
    await page.check("#filters input[name=severity][value=critical]");
    // Rule key-in-history off: the live key keeps its two other places.
    await page.uncheck("#filters input[name=rule][value=key-in-history]");
    expect((await groupsOf(page)).map((group) => [group.count, group.places.length, group.hidden])).toEqual([["2 of 3", 2, false], ["1", 1, false]]);
    await page.uncheck("#filters input[name=rule][value=dotenv-unignored]");
    expect(await page.textContent("#filter-status")).toBe("Showing 2 of 2 keys and 1 of 2 findings without a key.");
    await page.screenshot({ path: join(OUTPUT, "report-filtered.png"), fullPage: true });

    expect(await page.$$("img, iframe, object, embed")).toEqual([]);
    expect(requests).toEqual([pathToFileURL(reportFile).href]);
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it("without scripts: the filter form stays hidden and every group and place is shown", async () => {
    const { page, requests, dialogs } = await open(false);
    expect(await page.locator("#filters").isVisible()).toBe(false);
    const rows = page.locator("tr.place");
    expect(await rows.count()).toBe(json.findings.length);
    for (let i = 0; i < json.findings.length; i++) expect(await rows.nth(i).isVisible()).toBe(true);
    expect(await page.$$eval("details.group", (all) => all.map((details) => (details as HTMLDetailsElement).open))).toEqual([true, true]);
    expect(await page.locator("ol.checklist").first().isVisible()).toBe(true);
    await page.screenshot({ path: join(OUTPUT, "report-no-script.png"), fullPage: true });
    expect(statSync(join(OUTPUT, "report-no-script.png")).size).toBeGreaterThan(10_000);
    expect(requests).toEqual([pathToFileURL(reportFile).href]);
    expect(dialogs).toEqual([]);
    await page.context().close();
  });

  it("the rendered text holds no key either", async () => {
    const { page } = await open(true);
    const text = await page.evaluate(() => document.documentElement.outerHTML + document.body.innerText);
    for (const key of [liveKey, revokedKey]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.split(".")[1]);
    }
    await page.context().close();
  });

  it("--include-placeholders: placeholders are counted as placeholders, and the counts agree with every other format", async () => {
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    writeFiles(repo, { "a.js": `const k = "${makeKey()}";\nconst d = "lmnfl_abc123.xyz789";\nconst e = "lmnfl_abc123.xyz789";\n`, ".env": "A=1\n" });
    const reports = ["json", "text", "compact", "junit", "sarif", "gitlab"].flatMap((format) => ["--report", `${format}=report.${format}`]);
    const outcome = await runCli(["scan", ".", "--include-placeholders", "--format", "html", "--output", "placeholders.html", ...reports], { cwd: repo, env: { NO_COLOR: "1" } });
    expect(outcome.code).toBe(1);
    const file = join(OUTPUT, "placeholders.html");
    copyFileSync(join(repo, "placeholders.html"), file);
    const read = (format: string) => readFileSync(join(repo, `report.${format}`), "utf8");
    const findings = (JSON.parse(read("json")) as { findings: Array<{ placeholder?: string; secret?: unknown }> }).findings;
    const placeholders = findings.filter((finding) => finding.placeholder !== undefined).length;
    const withoutKey = findings.filter((finding) => finding.secret === undefined && finding.placeholder === undefined).length;
    expect([findings.length, placeholders, withoutKey]).toEqual([4, 2, 1]);
    // Every other format counts the same findings: all of them, placeholders included.
    // text and compact: their summary line goes to standard error.
    expect(outcome.stderr).toMatch(/✖ 4 findings \(1 critical, 1 medium, 2 info\)/);
    expect(read("compact").trim().split("\n")).toHaveLength(4);
    expect(read("junit")).toMatch(/<testsuites name="lumenguard" tests="4" failures="4"/);
    expect((JSON.parse(read("sarif")) as { runs: Array<{ results: unknown[] }> }).runs[0]!.results).toHaveLength(4);
    expect((JSON.parse(read("gitlab")) as { vulnerabilities: unknown[] }).vulnerabilities).toHaveLength(findings.length);

    const context = await browser.newContext({ javaScriptEnabled: true });
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href);
    expect(await page.title()).toBe("lumenguard report: 1 key, 4 findings");
    expect((await page.textContent("p.summary"))!.replace(/\s+/g, " ")).toMatch(/^1 key in 1 place; 1 finding without a key; 2 placeholders \(not keys\)\./);
    expect(await page.textContent("#without-key h2")).toBe(`Findings without a key (${withoutKey})`);
    expect(await page.textContent("#placeholders h2")).toBe(`Placeholders (not keys; shown by --include-placeholders) (${placeholders})`);
    expect(await page.textContent("#filter-status")).toBe("Showing 1 of 1 key, 1 of 1 finding without a key and 2 of 2 placeholders.");
    await page.uncheck("#filters input[name=severity][value=info]");
    expect(await page.textContent("#filter-status")).toBe("Showing 1 of 1 key, 1 of 1 finding without a key and 0 of 2 placeholders.");
    await page.screenshot({ path: join(OUTPUT, "report-placeholders.png"), fullPage: true });
    await context.close();
  });
});
