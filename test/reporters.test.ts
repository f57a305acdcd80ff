import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { customPatternRule } from "../rules/custom-pattern.js";
import { ruleById, rules } from "../rules/index.js";
import { escapeData, escapeProperty } from "../src/reporters/github.js";
import { FORMATS, githubStepSummary, reporters, type ReportContext } from "../src/reporters/index.js";
import { toUriReference } from "../src/reporters/sarif.js";
import type { Finding, ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { makeDotlessKey, makeKey } from "./helpers/keys.js";
import { createRepo, git } from "./helpers/repo.js";

/**
 * The CI formats, from a fixed result (pure reporters: result in, string
 * out), then through the CLI (`--report FORMAT=FILE`, `$GITHUB_STEP_SUMMARY`). The redacted
 * forms below are made up: `…` stands where a key's middle would be.
 */
const FINGERPRINT_A = "a1".repeat(32);
const FINGERPRINT_B = "b2".repeat(32);

function keyFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: "lumenfall-key",
    severity: "critical",
    messageId: "hardCoded",
    data: { redacted: "lmnfl_Ab3dEf9.…Zz9q" },
    file: "src/app.ts",
    line: 2,
    column: 12,
    endLine: 2,
    endColumn: 69,
    source: "worktree",
    secret: { redacted: "lmnfl_Ab3dEf9.…Zz9q", fingerprint: FINGERPRINT_A, keyId: "Ab3dEf9", lastFour: "Zz9q", confidence: "high" },
    snippet: 'const k = "lmnfl_Ab3dEf9.…Zz9q";',
    ...overrides,
  };
}

const FINDINGS: Finding[] = [
  keyFinding(),
  keyFinding({ line: 7, column: 3, endLine: 7, endColumn: 60 }),
  keyFinding({ file: "a:dir/my file 100% ü#1?.ts", severity: "high", secret: { redacted: "lmnfl_….k9Q2", fingerprint: FINGERPRINT_B, keyId: null, lastFour: "k9Q2", confidence: "medium" } }),
  keyFinding({ ruleId: "client-bundle-key", messageId: "shipped", file: "dist/app.zip!js/bg.js", source: "bundle", original: { file: "src/config.ts", line: 3, column: 8 } }),
  keyFinding({ ruleId: "key-in-history", messageId: "inHistory", file: "old.ts", source: "history", encoding: "base64", commit: { sha: "c0ffee".padEnd(40, "0"), author: "Dev <dev@example.invalid>", date: "2024-01-02T03:04:05Z" } }),
  { ruleId: "dotenv-tracked", severity: "high", messageId: "tracked", data: {}, file: ".env", line: 1, column: 1, endLine: 1, endColumn: 1, source: "worktree" },
  keyFinding({ ruleId: "my-custom-token", severity: "medium", messageId: "found", data: { pattern: "my-custom-token", redacted: "tok_…9f" }, secret: undefined }),
];

function resultOf(findings: Finding[]): ScanResult {
  return { version: 1, mode: "worktree", findings, warnings: [], suppressed: [], stats: { files: 9, bytes: 1234, blobs: 0, durationMs: 1500, skipped: 0, suppressed: 0 } };
}

const CUSTOM = customPatternRule({ id: "my-custom-token", severity: "medium" });

const CONTEXT: ReportContext = {
  color: false,
  failOn: "medium",
  ruleMeta: (id) => (id === CUSTOM.meta.id ? CUSTOM.meta : ruleById(id)?.meta),
  rules: rules.map((rule) => rule.meta),
  toolVersion: "1.2.3",
  startedAt: "2025-03-04T05:06:07.890Z",
  headSha: "feed".padEnd(40, "0"),
};

const render = (format: string, findings = FINDINGS, context = CONTEXT) => reporters[format]!(resultOf(findings), context);

describe("the registry", () => {
  it("has every format", () => {
    expect(FORMATS).toEqual(["text", "json", "sarif", "github", "gitlab", "junit", "compact", "html"]);
  });
});

describe("sarif", () => {
  const sarif = () => JSON.parse(render("sarif"));

  it("lists every rule, even with no findings, with help, level and security-severity", () => {
    const run = JSON.parse(render("sarif", [])).runs[0];
    expect(run.results).toEqual([]);
    expect(run.columnKind).toBe("utf16CodeUnits");
    expect(run.tool.driver).toMatchObject({ name: "lumenguard", version: "1.2.3", informationUri: expect.stringMatching(/^https:/) });
    expect(run.tool.driver.rules.map((rule: { id: string }) => rule.id)).toEqual(rules.map((rule) => rule.meta.id));
    const key = run.tool.driver.rules[0];
    expect(key).toMatchObject({
      id: "lumenfall-key",
      name: "LumenfallKey",
      shortDescription: { text: "Never commit API keys to version control" },
      helpUri: "https://docs.lumenfall.ai/authentication#security-best-practices",
      defaultConfiguration: { level: "error" },
      properties: { tags: expect.arrayContaining(["security", "secrets"]), "security-severity": "9.5" },
    });
    expect(key.fullDescription.text).toContain("spend your quota");
    expect(key.help.text).toContain("1. Revoke it now");
    expect(key.help.markdown).toContain("**Fix**");
    expect(key.help.text).not.toContain("{identity}");
    const levels = Object.fromEntries(run.tool.driver.rules.map((rule: { id: string; defaultConfiguration: { level: string }; properties: Record<string, string> }) => [rule.id, [rule.defaultConfiguration.level, rule.properties["security-severity"]]]));
    expect(levels["public-env-prefix"]).toEqual(["error", "8.0"]);
    expect(levels["shared-key-across-environments"]).toEqual(["warning", "5.5"]);
  });

  it("results: rule index, level, message, 1-based region, encoded URI; never a snippet", () => {
    const log = sarif();
    const [first, , dotless, bundled, history, dotenv, custom] = log.runs[0].results;
    expect(first).toMatchObject({
      ruleId: "lumenfall-key",
      ruleIndex: 0,
      level: "error",
      message: { text: "Lumenfall API key lmnfl_Ab3dEf9.…Zz9q is hard-coded here" },
      locations: [{ physicalLocation: { artifactLocation: { uri: "src/app.ts" }, region: { startLine: 2, startColumn: 12, endLine: 2, endColumn: 69 } } }],
    });
    expect(dotless.level).toBe("error");
    expect(dotless.locations[0].physicalLocation.artifactLocation.uri).toBe("a%3Adir/my%20file%20100%25%20%C3%BC%231%3F.ts");
    expect(bundled.locations[0].physicalLocation.artifactLocation.uri).toBe("dist/app.zip!js/bg.js");
    expect(bundled.relatedLocations).toEqual([expect.objectContaining({ physicalLocation: { artifactLocation: { uri: "src/config.ts" }, region: { startLine: 3, startColumn: 8 } } })]);
    expect(history.properties).toMatchObject({ commit: { sha: expect.stringMatching(/^c0ffee/) }, encoding: "base64" });
    expect(dotenv.locations[0].physicalLocation.region).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 });
    // A rule the registry does not know (a custom pattern) gets a descriptor of its own.
    expect(log.runs[0].tool.driver.rules[custom.ruleIndex].id).toBe("my-custom-token");
    expect(custom.level).toBe("warning");
    expect(JSON.stringify(log)).not.toContain("snippet");
    expect(JSON.stringify(log)).not.toContain("const k");
  });

  it("partialFingerprints are SHA-256 of rule, path from the repository root and key; stable when lines move; two places of one key told apart", () => {
    const fingerprints = (findings: Finding[]) => JSON.parse(render("sarif", findings)).runs[0].results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints["lumenguard/v1"]);
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    // Computed here from the documented inputs, not by the code under test.
    expect(fingerprints(FINDINGS)).toEqual([
      sha(`lumenfall-key\0src/app.ts\0key:${FINGERPRINT_A}`),
      sha(`lumenfall-key\0src/app.ts\0key:${FINGERPRINT_A}\0${2}`),
      sha(`lumenfall-key\0a:dir/my file 100% ü#1?.ts\0key:${FINGERPRINT_B}`),
      sha(`client-bundle-key\0dist/app.zip!js/bg.js\0key:${FINGERPRINT_A}`),
      sha(`key-in-history\0old.ts\0key:${FINGERPRINT_A}`),
      sha(`dotenv-tracked\0.env\0line:1`),
      sha(`my-custom-token\0src/app.ts\0line:2`),
    ]);
    const moved = FINDINGS.map((finding) => (finding.secret ? { ...finding, line: finding.line + 10, endLine: finding.endLine + 10 } : finding));
    expect(fingerprints(moved)).toEqual(fingerprints(FINDINGS));
    // From a subfolder the scan names files from it, but the id follows the path from the repository root.
    const inRepo = keyFinding({ file: "app.ts", repoPath: "src/app.ts" });
    expect(fingerprints([inRepo])).toEqual([sha(`lumenfall-key\0src/app.ts\0key:${FINGERPRINT_A}`)]);
  });

  it.each([
    ["src/app.ts", "src/app.ts"],
    ["my dir/a b.ts", "my%20dir/a%20b.ts"],
    ["100%.ts", "100%25.ts"],
    ["a:b/c:d.ts", "a%3Ab/c:d.ts"],
    ["x#y?z.ts", "x%23y%3Fz.ts"],
    ["ünï/日本.ts", "%C3%BCn%C3%AF/%E6%97%A5%E6%9C%AC.ts"],
    ["pkg.zip!inner/path.js", "pkg.zip!inner/path.js"],
    ["/abs/path x.ts", "file:///abs/path%20x.ts"],
    ["<stdin>", "%3Cstdin%3E"],
  ])("%s as a URI reference is %s", (path, uri) => {
    expect(toUriReference(path)).toBe(uri);
  });
});

describe("github", () => {
  it("annotations by severity, with positions, title and the fix", () => {
    const lines = render("github").trimEnd().split("\n");
    expect(lines).toHaveLength(FINDINGS.length);
    expect(lines[0]).toMatch(/^::error file=src\/app\.ts,line=2,col=12,endLine=2,endColumn=68,title=lumenfall-key \(critical\)::Lumenfall API key lmnfl_Ab3dEf9\.…Zz9q is hard-coded here%0ANever commit/);
    expect(lines[0]).toContain("%0A1. Revoke it now at https://lumenfall.ai/app/api_keys");
    expect(lines.filter((line) => line.startsWith("::warning "))).toEqual([expect.stringContaining("title=my-custom-token (medium)")]);
    expect(lines.at(-1)).toMatch(/^::warning /);
    expect(lines.some((line) => line.includes("file=a%3Adir/my file 100%25 ü#1?.ts,"))).toBe(true);
  });

  it("names files from the repository root when the scan ran in a subfolder", () => {
    const [line] = render("github", [keyFinding({ file: "src/app.ts", repoPath: "packages/web/src/app.ts" })]).split("\n");
    expect(line).toMatch(/^::error file=packages\/web\/src\/app\.ts,line=2,/);
  });

  it("escapes data and properties so nothing can start a command of its own; controls in the message are shown, not sent", () => {
    expect(escapeData("50% done\r\n::set-output name=x::y")).toBe("50%25 done%0D%0A::set-output name=x::y");
    expect(escapeProperty("a:b,c%\n")).toBe("a%3Ab%2Cc%25%0A");
    const evil = keyFinding({ file: "x,line=9::\n::error::pwned", data: { redacted: "100%\nline\u001b[2J" } });
    const [line, ...rest] = render("github", [evil]).trimEnd().split("\n");
    expect(rest).toEqual([]);
    // The newline in the name is shown as \n (printable), and its ':' and ',' escaped as properties.
    expect(line).toMatch(/^::error file=x%2Cline=9%3A%3A\\n%3A%3Aerror%3A%3Apwned,line=2,/);
    expect(line).toContain("::Lumenfall API key 100%25\\nline\\x1b[2J is hard-coded here%0A");
    expect(line).not.toContain("\u001b");
  });

  it("a finding over several lines has no columns; a level per severity", () => {
    const output = render("github", [keyFinding({ endLine: 4, severity: "low" }), keyFinding({ severity: "info" })]);
    expect(output).toContain("::notice file=src/app.ts,line=2,endLine=4,title=");
    expect(output.split("\n").filter((line) => line.startsWith("::notice"))).toHaveLength(2);
  });

  it("prints at most 10 errors, 10 warnings and 9 notices, most severe first, then one notice with how many more and where", () => {
    const of = (severity: Finding["severity"], n: number, from: number) => Array.from({ length: n }, (_, i) => keyFinding({ line: from + i, endLine: from + i, severity }));
    const many = [...of("low", 14, 1), ...of("medium", 12, 100), ...of("critical", 6, 200), ...of("high", 9, 300), ...of("info", 3, 400)];
    const env = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/app", GITHUB_RUN_ID: "42", GITHUB_STEP_SUMMARY: "/tmp/summary.md" };
    const lines = render("github", many, { ...CONTEXT, env, reportFiles: ["lumenguard.sarif"] }).trimEnd().split("\n");
    const level = (line: string) => line.slice(2, line.indexOf(" "));
    const lineOf = (line: string) => Number(/,line=(\d+),/.exec(line)![1]);
    expect(lines.map(level)).toEqual([...Array(10).fill("error"), ...Array(10).fill("warning"), ...Array(9).fill("notice"), "notice"]);
    // The 6 critical first, then 4 of the 9 high (report order); 10 of 12 medium; 9 of the 14 low, no info.
    expect(lines.slice(0, 10).map(lineOf)).toEqual([200, 201, 202, 203, 204, 205, 300, 301, 302, 303]);
    expect(lines.slice(20, 29).map(lineOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(lines.at(-1)).toBe(
      "::notice title=lumenguard%3A more findings::15 more findings are not annotated: GitHub shows at most 10 error, 10 warning and 10 notice annotations per step. " +
        "Every finding is in this job's summary (https://github.com/acme/app/actions/runs/42) and in lumenguard.sarif.",
    );
    expect(render("github", [])).toBe("");
  });

  it("the step summary lists every finding, files from the repository root, markup and controls in names escaped", () => {
    const summary = githubStepSummary(resultOf([...FINDINGS, keyFinding({ file: "x|<img src=x>*_.ts" }), keyFinding({ file: "app.ts", repoPath: "web/app.ts", snippet: undefined }), keyFinding({ file: "e\u001b[8A.ts" })]), CONTEXT);
    expect(summary).toContain("## lumenguard");
    expect(summary).toContain("**10 findings**");
    expect(summary).toContain("| src/app.ts:2:12 | critical | lumenfall-key |");
    expect(summary).toContain("x\\|&lt;img src=x&gt;\\*\\_.ts:2:12");
    expect(summary).toContain("| web/app.ts:2:12 |");
    expect(summary).toContain("| e\\\\x1b\\[8A.ts:2:12 |");
    expect(summary).not.toContain("\u001b");
    expect(summary).toContain("### lumenfall-key: Never commit API keys to version control");
    expect(summary).toContain("from src/config.ts:3:8");
    expect(githubStepSummary(resultOf([]), CONTEXT)).toContain("No Lumenfall keys found");
  });

  it("the step summary stays within its byte budget and says how many rows were left out and where the full report is", () => {
    const many = Array.from({ length: 3000 }, (_, i) => keyFinding({ file: `src/${"deep/".repeat(20)}file${i}.ts` }));
    const summary = githubStepSummary(resultOf(many), { ...CONTEXT, reportFiles: ["lumenguard.json"] }, 100_000);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(100_000);
    const rows = summary.split("\n").filter((line) => line.startsWith("| src/"));
    expect(rows.length).toBeGreaterThan(100);
    expect(summary).toContain(`**${3000 - rows.length} more findings are not listed here**: GitHub takes at most 1 MiB of summary per step. The full report is in \`lumenguard.json\`.`);
    expect(summary).toContain("### lumenfall-key: Never commit API keys to version control");
    // The default budget is below GitHub's 1 MiB.
    const big = githubStepSummary(resultOf(Array.from({ length: 20_000 }, (_, i) => keyFinding({ file: `f${i}.ts` }))), CONTEXT);
    expect(Buffer.byteLength(big)).toBeLessThan(1024 * 1024);
    expect(big).toMatch(/more findings are not listed here/);
  });
});

describe("gitlab", () => {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, "../schema/gitlab-secret-detection-15.json"), "utf8"));
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

  it("validates against a schema this project wrote from GitLab's documentation of the 15.x secret-detection report (GitLab's own schema file cannot be fetched here), with and without findings", () => {
    for (const findings of [FINDINGS, []]) {
      const report = JSON.parse(render("gitlab", findings));
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("that self-written schema rejects reports missing what GitLab's documentation requires", () => {
    const good = JSON.parse(render("gitlab"));
    const broken = (change: (report: any) => void) => {
      const copy = structuredClone(good);
      change(copy);
      return validate(copy);
    };
    expect(broken((r) => (r.scan.start_time = "2025-03-04T05:06:07Z"))).toBe(false);
    expect(broken((r) => delete r.scan.analyzer)).toBe(false);
    expect(broken((r) => delete r.scan.scanner.vendor)).toBe(false);
    expect(broken((r) => (r.scan.type = "sast"))).toBe(false);
    expect(broken((r) => delete r.vulnerabilities[0].id)).toBe(false);
    expect(broken((r) => (r.vulnerabilities[0].identifiers = []))).toBe(false);
    expect(broken((r) => delete r.vulnerabilities[0].location.file)).toBe(false);
    expect(broken((r) => delete r.vulnerabilities[0].location.commit.sha)).toBe(false);
    expect(broken((r) => (r.vulnerabilities[0].severity = "critical"))).toBe(false);
  });

  it("pins the version, fills commit.sha, derives stable UUID-shaped ids, maps severity", () => {
    const report = JSON.parse(render("gitlab"));
    expect(report.version).toBe("15.0.7");
    expect(report.scan).toMatchObject({ type: "secret_detection", status: "success", start_time: "2025-03-04T05:06:07", end_time: "2025-03-04T05:06:09" });
    expect(report.scan.analyzer).toMatchObject({ id: "lumenguard", version: "1.2.3", vendor: { name: expect.any(String) } });
    const [first, second, dotless, , history] = report.vulnerabilities;
    expect(first).toMatchObject({
      category: "secret_detection",
      severity: "Critical",
      confidence: "High",
      location: { file: "src/app.ts", start_line: 2, end_line: 2, commit: { sha: CONTEXT.headSha } },
      identifiers: [{ type: "lumenguard_rule_id", name: "lumenguard rule lumenfall-key", value: "lumenfall-key" }],
    });
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.id).not.toBe(first.id);
    // The UUID is the SARIF fingerprint of the same finding, laid out as a version-5 UUID (computed here, independently).
    const hex = createHash("sha256").update(`lumenfall-key\0src/app.ts\0key:${FINGERPRINT_A}`).digest("hex");
    expect(first.id).toBe(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`);
    expect(dotless).toMatchObject({ severity: "High", confidence: "Medium" });
    expect(history.location.commit).toMatchObject({ sha: expect.stringMatching(/^c0ffee/), author: "Dev <dev@example.invalid>" });
    expect(JSON.stringify(report)).not.toContain("raw_source_code_extract");
    expect(JSON.stringify(report)).not.toContain("const k");
    const outsideGit = JSON.parse(render("gitlab", FINDINGS, { ...CONTEXT, headSha: undefined }));
    expect(outsideGit.vulnerabilities[0].location.commit.sha).toBe("0000000");
  });
});

describe("junit", () => {
  it("a suite per rule, a failing case per finding, XML-escaped", () => {
    const xml = render("junit", [keyFinding(), keyFinding({ file: 'a<b>&"c\'\u0001.ts' }), keyFinding({ ruleId: "dotenv-tracked", message: "A .env file is tracked by git" })]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="lumenguard" tests="3" failures="3"')).toBe(true);
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toContain('<testsuite name="lumenfall-key" tests="2" failures="2"');
    expect(xml.match(/<failure type="critical"/g)).toHaveLength(3);
    expect(xml).toContain('name="a&lt;b&gt;&amp;&quot;c&apos;\\x01.ts:2:12"');
    expect(xml).not.toContain("\u0001");
    expect(xml).not.toMatch(/="[^"]*[<>][^"]*"/);
  });

  it("a clean scan is one passing test case", () => {
    const xml = render("junit", []);
    expect(xml).toContain('<testsuites name="lumenguard" tests="1" failures="0"');
    expect(xml).toMatch(/<testcase classname="lumenguard" name="no Lumenfall keys in 9 scanned files" time="0"\/>/);
    expect(xml).not.toContain("<failure");
  });
});

describe("compact", () => {
  it("file:line:col: severity ruleId message, one line each", () => {
    const lines = render("compact").trimEnd().split("\n");
    expect(lines).toHaveLength(FINDINGS.length);
    expect(lines[0]).toBe("src/app.ts:2:12: critical lumenfall-key Lumenfall API key lmnfl_Ab3dEf9.…Zz9q is hard-coded here");
    expect(lines[5]).toBe(".env:1:1: high dotenv-tracked A .env file is tracked by git");
    expect(render("compact", [keyFinding({ file: "a\nb.ts" })]).trimEnd().split("\n")).toHaveLength(1);
    expect(render("compact", [])).toBe("");
  });
});

describe("lumenguard scan --report", () => {
  function leakyRepo() {
    const key = makeKey();
    const repo = createRepo({ committed: { "src/app.ts": `const k = "${key}";\n`, "lib/token.txt": `token=${makeDotlessKey()}\n` } });
    return { repo, key };
  }

  it("writes several formats in one run; - is standard output", async () => {
    const { repo, key } = leakyRepo();
    const outcome = await runCli(["scan", "--report", "sarif=out/x.sarif", "--report", "github=-", "--report", "gitlab=gl.json", "--report", "junit=j.xml", "--report", "compact=c.txt"], { cwd: repo });
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/^::error file=/);
    expect(outcome.stderr).toMatch(/✖ 2 findings/);
    for (const file of ["out/x.sarif", "gl.json", "j.xml", "c.txt"]) {
      expect(outcome.stderr).toContain(`report written to ${file}`);
      expect(readFileSync(join(repo, file), "utf8")).not.toContain(key);
    }
    const sarif = JSON.parse(readFileSync(join(repo, "out/x.sarif"), "utf8"));
    expect(sarif.runs[0].results).toHaveLength(2);
    expect(sarif.runs[0].tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
    const gitlab = JSON.parse(readFileSync(join(repo, "gl.json"), "utf8"));
    expect(gitlab.vulnerabilities[0].location.commit.sha).toBe(git(repo, ["rev-parse", "HEAD"]).trim());
    expect(readFileSync(join(repo, "c.txt"), "utf8")).toMatch(/^lib\/token\.txt:1:7: critical lumenfall-key /);
  });

  it("--format and --output still work beside --report", async () => {
    const { repo } = leakyRepo();
    const outcome = await runCli(["scan", "--format", "json", "--output", "r.json", "--report", "compact=-"], { cwd: repo });
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/^lib\/token\.txt:1:7:/);
    expect(JSON.parse(readFileSync(join(repo, "r.json"), "utf8")).findings).toHaveLength(2);
  });

  it.each([
    [["--report", "sarif"], /--report "sarif" is not FORMAT=FILE/],
    [["--report", "xml=out.xml"], /--report "xml=out.xml" is not FORMAT=FILE with FORMAT one of text, json, sarif, github, gitlab, junit, compact/],
    [["--report", "sarif="], /--report "sarif="/],
    [["--report", "sarif=-", "--report", "github=-"], /only one report can go to standard output/],
  ])("usage error for %j", async (argv, message) => {
    const { repo } = leakyRepo();
    const outcome = await runCli(["scan", ...argv], { cwd: repo });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stdout).toBe("");
  });

  it("appends the markdown summary to $GITHUB_STEP_SUMMARY for the github format only", async () => {
    const { repo, key } = leakyRepo();
    const summary = join(repo, "summary.md");
    await runCli(["scan", "src", "--format", "github"], { cwd: repo, env: { GITHUB_STEP_SUMMARY: summary } });
    await runCli(["scan", "src", "--report", "github=-"], { cwd: repo, env: { GITHUB_STEP_SUMMARY: summary } });
    const text = readFileSync(summary, "utf8");
    expect(text.match(/## lumenguard/g)).toHaveLength(2);
    // Files from the repository root: the scan ran on src/, GitHub looks for src/app.ts.
    expect(text).toContain("| src/app.ts:1:12 | critical | lumenfall-key |");
    expect(text).not.toContain(key);
    await runCli(["scan", "src", "--format", "json"], { cwd: repo, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(readFileSync(summary, "utf8")).toBe(text);
  });
});
