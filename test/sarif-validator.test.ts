import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeDotlessKey, makeKey } from "./helpers/keys.js";
import { ruleById, rules } from "../rules/index.js";
import { reporters } from "../src/reporters/index.js";
import type { Finding, ScanResult } from "../src/types.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";
import { seededKey, seededRandom, seededToken } from "./helpers/seeded.js";

/**
 * SARIF passes Microsoft's official validator (npm `@microsoft/sarif-multitool`,
 * whose self-contained Linux binary runs here) with no errors, for every kind of finding —
 * odd file names, zip entries, source-mapped bundles, file-level findings, history.
 */
function validatorBinary(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve(`@microsoft/sarif-multitool-${process.platform === "win32" ? "win32" : process.platform}/package.json`);
  return join(dirname(pkg), process.platform === "win32" ? "Sarif.Multitool.exe" : "Sarif.Multitool");
}

/**
 * Runs the validator binary itself (its npm bin wraps it in a shell, which splits `;`). It exits
 * 0 even when it reports errors, and it silently skips a log it cannot take in (a `uri` such as
 * `a:b` does that): so errors are read from its output, and a note it always gives for our rule
 * ids (SARIF2009) proves the file was analysed at all.
 */
function validate(file: string): { status: number | null; output: string } {
  const run = spawnSync(validatorBinary(), ["validate", "--level", "Error;Warning;Note", file], { encoding: "utf8", timeout: 60_000, maxBuffer: 64 << 20, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1" } });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function expectValid(file: string): void {
  const { status, output } = validate(file);
  expect(output.split("\n").filter((line) => /\berror\b/i.test(line)), output).toEqual([]);
  expect(output, "the validator analysed the file").toMatch(/note SARIF2009/);
  expect(status, output).toBe(0);
}

/** A Vite app whose dist/ leaks through a bundle with a source map and a zip, plus odd names. */
async function leakyProject() {
  const keys = [makeKey(), makeDotlessKey(), makeKey(), makeKey(), makeKey()];
  const [bundled, dotless, encoded, env, zipped] = keys as [string, string, string, string, string];
  const repo = createRepo({
    committed: {
      "package.json": JSON.stringify({ name: "app", devDependencies: { vite: "^5.0.0" } }),
      ".gitignore": "dist/\n",
      "src/main.ts": 'import { config } from "./config";\nfetch(config.url, { headers: { Authorization: `Bearer ${config.key}` } });\n',
      "src/config.ts": `export const config = {\n  url: "https://api.lumenfall.ai/openai/v1/models",\n  key: "${bundled}",\n};\n`,
      "a:odd/my file 100% ünï #1?.ts": `// 日本語 first, so columns count UTF-16 units\nconst 鍵 = "${dotless}";\n`,
      "k8s/secret.yaml": `data:\n  apiKey: ${Buffer.from(encoded).toString("base64")}\n`,
      ".env": `LUMENFALL_API_KEY=${env}\n`,
    },
  });
  await build({ entryPoints: [join(repo, "src/main.ts")], bundle: true, minify: true, sourcemap: true, outfile: join(repo, "dist/assets/index.js"), logLevel: "silent" });
  writeFiles(repo, { "dist/extension.zip": zipSync({ "js/bg.js": new TextEncoder().encode(`const k = "${zipped}";`) }) });
  return { repo, keys };
}

describe("SARIF and the official validator", () => {
  it("a worktree scan with every kind of finding validates with no errors", async () => {
    const { repo, keys } = await leakyProject();
    const outcome = await runCli(["scan", "--format", "sarif", "--output", "x.sarif"], { cwd: repo });
    expect(outcome.code).toBe(1);
    const file = join(repo, "x.sarif");
    const text = readFileSync(file, "utf8");
    for (const key of keys) expect(text.includes(key)).toBe(false);

    const results = JSON.parse(text).runs[0].results as Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>; relatedLocations?: unknown[] }>;
    const uris = results.map((result) => [result.ruleId, result.locations[0]!.physicalLocation.artifactLocation.uri]);
    expect(uris).toEqual(
      expect.arrayContaining([
        ["lumenfall-key", "a%3Aodd/my%20file%20100%25%20%C3%BCn%C3%AF%20%231%3F.ts"],
        ["lumenfall-key", "k8s/secret.yaml"],
        ["dotenv-tracked", ".env"],
        ["client-bundle-key", "dist/extension.zip!js/bg.js"],
        ["client-bundle-key", "dist/assets/index.js"],
      ]),
    );
    expect(results.some((result) => result.relatedLocations !== undefined)).toBe(true);

    expectValid(file);
  }, 120_000);

  it("a history scan (findings with commits) and a clean scan validate too", async () => {
    const { repo } = await leakyProject();
    git(repo, ["rm", "-q", "--cached", ".env"]);
    git(repo, ["commit", "-q", "-m", "untrack .env"]);
    const history = await runCli(["scan", "--history", "--report", "sarif=h.sarif"], { cwd: repo });
    expect(history.code).toBe(1);
    const clean = await runCli(["scan", "src/main.ts", "--report", "sarif=clean.sarif"], { cwd: repo });
    expect(clean.code).toBe(0);
    const log = JSON.parse(readFileSync(join(repo, "h.sarif"), "utf8"));
    expect(log.runs[0].results.some((result: { properties: { commit?: unknown } }) => result.properties.commit)).toBe(true);
    for (const file of ["h.sarif", "clean.sarif"]) expectValid(join(repo, file));
  }, 120_000);

  it("the validator does catch what we guard against: an unencoded URI, a line 0, a missing message", () => {
    const dir = createDir({
      "bad.sarif": JSON.stringify({
        version: "2.1.0",
        runs: [{ tool: { driver: { name: "x", rules: [{ id: "X1" }] } }, results: [{ ruleId: "X1", message: {}, locations: [{ physicalLocation: { artifactLocation: { uri: "my file.ts" }, region: { startLine: 0 } } }] }] }],
      }),
    });
    const { output } = validate(join(dir, "bad.sarif"));
    expect(output).toMatch(/error SARIF1002: .*not a valid URI reference/);
    expect(output).toMatch(/error JSON1008: .*startLine: 0 is less than the minimum/);
  }, 60_000);
});

describe("SARIF within GitHub code scanning's limits", () => {
  it("26,100 findings: 25,000 results, the most severe; stderr and the run's notifications say so", async () => {
    const config = JSON.stringify({ customPatterns: [{ id: "acme-token", regex: "acme_[a-z0-9]{32}", keywords: ["acme_"], severity: "low" }] });
    const random = seededRandom(26);
    const files: Record<string, string> = { "lumenguard.config.json": config };
    // Three files of 8,700 secrets (under the 10,000 kept per file): 100 Lumenfall keys (critical) in the last, the rest low.
    for (let f = 0; f < 3; f++) files[`f${f}.txt`] = `${Array.from({ length: f === 2 ? 8_600 : 8_700 }, () => `t=${seededToken(random)}`).join("\n")}\n`;
    files["f2.txt"] += `${Array.from({ length: 100 }, () => `k=${seededKey(random)}`).join("\n")}\n`;
    const dir = createDir(files);
    const outcome = await runCli(["scan", ".", "--format", "sarif", "--output", "x.sarif"], { cwd: dir });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(
      "warning: 26,100 findings, more than the 25,000 results GitHub code scanning accepts in one SARIF run: the SARIF report holds the 25,000 most severe; the other 1,100 are in --format json or text.",
    );
    const run = JSON.parse(readFileSync(join(dir, "x.sarif"), "utf8")).runs[0];
    expect(run.results).toHaveLength(25_000);
    expect(run.results.filter((result: { level: string }) => result.level === "error")).toHaveLength(100);
    expect(run.invocations).toEqual([{ executionSuccessful: true, toolExecutionNotifications: [{ level: "warning", message: { text: expect.stringMatching(/^26,100 findings, more than the 25,000 results/) } }] }]);
  }, 120_000);

  it("a run that says what was left out (tool execution notifications, the scan's warnings) validates", () => {
    const finding: Finding = { ruleId: "lumenfall-key", severity: "critical", messageId: "hardCoded", data: { redacted: "lmnfl_Ab1.…wxyz" }, file: "a.ts", line: 1, column: 1, endLine: 1, endColumn: 40, source: "worktree" };
    const warnings = [{ code: "findings-cap", message: "a.ts: 30,000 more findings were counted but not kept" }, { code: "unreadable", message: "b.ts: permission denied; skipped", file: "b.ts" }, { code: "unreadable", message: "b.ts: permission denied; skipped", file: "b.ts" }];
    const result: ScanResult = { version: 1, mode: "worktree", findings: [finding], warnings, suppressed: [], stats: { files: 2, bytes: 10, blobs: 0, durationMs: 1, skipped: 1, suppressed: 0, findingsOverCap: 30_000 } };
    const sarif = reporters["sarif"]!(result, { color: false, failOn: "medium", ruleMeta: (id) => ruleById(id)?.meta, rules: rules.map((rule) => rule.meta), toolVersion: "1.0.0" });
    expect(JSON.parse(sarif).runs[0].invocations[0].toolExecutionNotifications.map((note: { message: { text: string } }) => note.message.text)).toEqual([
      "30,001 findings, more than the 25,000 results GitHub code scanning accepts in one SARIF run: the SARIF report holds the 1 most severe (the scan kept 1; the others were only counted).",
      "a.ts: 30,000 more findings were counted but not kept",
      "b.ts: permission denied; skipped",
    ]);
    const dir = createDir({ "n.sarif": sarif });
    expectValid(join(dir, "n.sarif"));
  }, 60_000);
});
