import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReports } from "../src/cli/merge-input.js";
import { mergeReports } from "../src/cli/merge-reports.js";
import { FORMATS } from "../src/reporters/index.js";
import { runCli } from "./helpers/cli.js";
import { parseHtml } from "./helpers/html.js";
import { ENCODINGS, encodeKey, leakIn } from "./helpers/leaks.js";
import { lumenguard } from "./helpers/process.js";
import { createDir, git, writeFiles, type FileTree } from "./helpers/repo.js";
import { expectValidSarif } from "./helpers/sarif-validator.js";
import { seededKeys } from "./helpers/seeded.js";
import { comparable, readReport } from "./helpers/shards.js";

/**
 * `lumenguard merge` as a command, with the built binary: every output format of a merge is the
 * whole scan's report in that format (and valid: Microsoft's SARIF validator, GitLab's schema,
 * parse5 for HTML, the report schema for JSON); its exit codes; the clear errors for a missing
 * shard, shards of different scans, a shard given twice and bad input; unsharded reports; and
 * hostile reports — huge, deeply nested, keys planted in every string, control characters in
 * paths — that must not crash it, hold it, or make it print a key.
 */

let base: string;
let repo: string;
let out: string;
const [K1, K2, K3] = seededKeys(23, 3) as [string, string, string];
const SHARDS = ["s1.json", "s2.json", "s3.json"];

function commit(dir: string, files: FileTree, message: string): void {
  writeFiles(dir, files);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", message]);
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "lumenguard-merge-"));
  repo = join(base, "repo");
  out = join(base, "out");
  mkdirSync(out);
  git(base, ["init", "-q", "-b", "main", repo]);
  git(repo, ["config", "commit.gpgsign", "false"]);
  commit(repo, { "src/config.ts": `export const key = "${K1}";\n`, ".env.production": `LUMENFALL_API_KEY=${K2}\n`, ".env.staging": `LUMENFALL_API_KEY=${K2}\n` }, "first");
  commit(repo, { "src/config.ts": "export const key = process.env.LUMENFALL_API_KEY;\n", "docs/a b%.md": `token: ${K3}\n` }, `second, mentions ${"lmnfl"}_placeholder`);
  commit(repo, { "src/app.ts": "export {};\n" }, "third");
  for (const [i, name] of SHARDS.entries()) {
    const outcome = lumenguard(["scan", "--history", "--shard", `${i + 1}/3`, "--fail-on", "none", "--format", "json", "--output", join(out, name)], repo);
    expect(outcome.status, outcome.stderr).toBe(0);
  }
  const tree = lumenguard(["scan", "--format", "json", "--output", join(out, "tree.json")], repo);
  expect(tree.status, tree.stderr).toBe(1);
}, 60_000);

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

const shardPaths = () => SHARDS.map((name) => join(out, name));

/** The report's text with what differs from run to run (times, durations) made the same. */
function timeless(text: string): string {
  return text
    .replace(/\b\d+ ms\b/g, "N ms")
    .replace(/time="[\d.]+"/g, 'time="T"')
    .replace(/"(start|end)_time": "[^"]+"/g, '"$1_time": "T"')
    .replace(/<time>[^<]+<\/time>/g, "<time>T</time>")
    .replace(/"durationMs": \d+/g, '"durationMs": 0');
}

describe("merge writes every format as the whole scan would, and valid", () => {
  it.each(FORMATS)("%s", (format) => {
    const dir = createDir();
    const whole = lumenguard(["scan", "--history", "--format", format, "--output", join(dir, `whole.${format}`)], repo);
    expect(whole.status, whole.stderr).toBe(1);
    // Run where the scan ran: GitLab's report names HEAD of the repository in the current directory.
    const merged = lumenguard(["merge", ...shardPaths(), "--format", format, "--output", join(dir, `merged.${format}`)], repo);
    expect(merged.status, merged.stderr).toBe(1);
    const text = readFileSync(join(dir, `merged.${format}`), "utf8");
    expect(timeless(text)).toBe(timeless(readFileSync(join(dir, `whole.${format}`), "utf8")));
    if (format === "sarif") expectValidSarif(join(dir, "merged.sarif"));
    if (format === "gitlab") {
      const schema = JSON.parse(readFileSync(join(import.meta.dirname, "../schema/gitlab-secret-detection-15.json"), "utf8"));
      const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
      expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
    }
    if (format === "html") expect(parseHtml(text).errors).toEqual([]);
    if (format === "json") {
      const validate = new Ajv({ strict: true }).compile(JSON.parse(readFileSync(join(import.meta.dirname, "../schema/report.schema.json"), "utf8")));
      expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
      expect(text).not.toMatch(/"shard"|commitIndex/);
    }
    if (format === "junit") expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="lumenguard" tests="\d+" failures="\d+"/);
  });

  it("the schema the merge checks with accepts every report lumenguard writes, sharded or not", () => {
    const validate = new Ajv({ strict: true }).compile(JSON.parse(readFileSync(join(import.meta.dirname, "../schema/report.schema.json"), "utf8")));
    for (const name of [...SHARDS, "tree.json"]) expect(validate(readReport(out, name)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
  });
});

describe("exit codes", () => {
  it("1 for findings at or above --fail-on (default medium, or the configuration's failOn), else 0", () => {
    expect(lumenguard(["merge", ...SHARDS], out).status).toBe(1);
    expect(lumenguard(["merge", ...SHARDS, "--fail-on", "none"], out).status).toBe(0);
    // Only shared-key-across-environments (medium) is left below critical once the key findings are dropped: use a tree report of env files.
    const dir = createDir({ "lumenguard.config.json": JSON.stringify({ failOn: "critical" }) });
    const envOnly = createDir({ ".env.production": `A=${K2}\n`, ".env.staging": `A=${K2}\n`, ".gitignore": ".env*\n", "lumenguard.config.json": "{}" });
    git(envOnly, ["init", "-q"]);
    expect(lumenguard(["scan", "--format", "json", "--output", join(dir, "env.json")], envOnly).status).toBe(1);
    expect(readReport(dir, "env.json").findings.map((finding: any) => finding.severity)).toEqual(["medium", "medium"]);
    expect(lumenguard(["merge", "env.json"], dir).status, "failOn critical from the configuration").toBe(0);
    expect(lumenguard(["merge", "env.json", "--fail-on", "medium"], dir).status, "--fail-on wins").toBe(1);
    expect(lumenguard(["merge", join(dir, "env.json")], createDir()).status, "no configuration: medium").toBe(1);
  });

  it("0 for the shards of a clean history", () => {
    const dir = createDir();
    const clean = join(dir, "repo");
    git(dir, ["init", "-q", "-b", "main", clean]);
    commit(clean, { "a.ts": "export {};\n", "b.ts": "export const b = 1;\n" }, "clean");
    for (const i of [1, 2]) expect(lumenguard(["scan", "--history", "--shard", `${i}/2`, "--format", "json", "--output", `../c${i}.json`], clean).status).toBe(0);
    const merged = lumenguard(["merge", "../c1.json", "../c2.json"], clean);
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toContain("No Lumenfall keys found");
  });
});

describe("clear errors, never a stack trace", () => {
  function expectError(args: string[], cwd: string, status: number, message: string | RegExp): void {
    const outcome = lumenguard(args, cwd, { timeout: 20_000 });
    expect(outcome.status, outcome.stderr).toBe(status);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(outcome.stdout).toBe("");
  }

  it("a missing shard: exit 3, naming it", () => {
    expectError(["merge", "s1.json", "s3.json", "--output", "never.json"], out, 3, /merge: shard 2\/3 of the history scan is missing \(given: s1\.json = 1\/3, s3\.json = 3\/3\)/);
    expect(existsSync(join(out, "never.json"))).toBe(false);
  });

  it("shards of different scans: exit 2, saying what differs", () => {
    const dir = createDir();
    const later = join(dir, "later");
    git(dir, ["clone", "-q", repo, later]);
    commit(later, { "new.ts": "export {};\n" }, "later");
    expect(lumenguard(["scan", "--history", "--shard", "2/3", "--fail-on", "none", "--format", "json", "--output", join(dir, "s2-later.json")], later).status).toBe(0);
    expectError(["merge", join(out, "s1.json"), join(dir, "s2-later.json"), join(out, "s3.json")], dir, 2, /these shards are not of one scan: .* differ in HEAD, the commits walked, what was listed/);
    // The same commits, other settings.
    expect(lumenguard(["scan", "--history", "--shard", "2/3", "--include-placeholders", "--fail-on", "none", "--format", "json", "--output", join(dir, "s2-placeholders.json")], repo).status).toBe(0);
    expectError(["merge", join(out, "s1.json"), join(dir, "s2-placeholders.json"), join(out, "s3.json")], dir, 2, /differ in the configuration or baseline/);
  });

  it("a shard given twice, or shards of one scan split in different ways: exit 2", () => {
    copyFileSync(join(out, "s1.json"), join(out, "s1-copy.json"));
    expectError(["merge", "s1.json", "s2.json", "s1-copy.json", "s3.json"], out, 2, /s1\.json and s1-copy\.json are both shard 1\/3 of the same scan/);
    expectError(["merge", "s1.json", "s2.json", "s3.json", "s3.json"], out, 2, /s3\.json and s3\.json are both shard 3\/3/);
    const dir = createDir();
    expect(lumenguard(["scan", "--history", "--shard", "1/2", "--fail-on", "none", "--format", "json", "--output", join(dir, "half.json")], repo).status).toBe(0);
    expectError(["merge", ...shardPaths(), join(dir, "half.json")], dir, 2, /shards of one scan split in different ways: .*half\.json \(1\/2\)/);
  });

  it("bad input: exit 2 naming the file (and the field), nothing written", () => {
    const dir = createDir();
    const good = readReport(out, "s1.json");
    const write = (name: string, value: unknown) => writeFileSync(join(dir, name), typeof value === "string" ? value : JSON.stringify(value));
    write("text.json", "not json at all");
    write("array.json", [1, 2]);
    write("v2.json", { ...good, version: 2 });
    write("line.json", { ...good, findings: [{ ...good.findings[0], line: "3" }] });
    write("extra.json", { ...good, findings: [{ ...good.findings[0], extra: true }] });
    write("index.json", { ...good, shard: { ...good.shard, index: 5 } });
    write("rule.json", { ...good, shard: { ...good.shard, index: 1, total: 1, crossFile: { ...good.shard.crossFile, rules: [{ ruleId: "made-up", severity: null, options: {} }], facts: [] } } });
    const { shard: _shard, ...unsharded } = good;
    write("bom.json", `\ufeff${JSON.stringify(unsharded)}`);
    mkdirSync(join(dir, "folder.json"));
    execFileSync("mkfifo", [join(dir, "fifo.json")]);
    writeFileSync(join(dir, "huge.json"), "");
    truncateSync(join(dir, "huge.json"), 300 * 1024 * 1024);
    write("deep.json", `${"[".repeat(200_000)}${"]".repeat(200_000)}`);
    write("deep-ok-size.json", `{"version":1,"x":${"[".repeat(20)}${"]".repeat(20)}}`);
    const cases: Array<[string, RegExp]> = [
      ["text.json", /text\.json: not JSON/],
      ["array.json", /array\.json: not a lumenguard JSON report: must be object/],
      ["v2.json", /v2\.json: not a lumenguard JSON report: "version" must be equal to constant/],
      ["line.json", /line\.json: not a lumenguard JSON report: "findings\[0\]\.line" must be integer/],
      ["extra.json", /extra\.json: not a lumenguard JSON report: "findings\[0\]\.extra" is not a known field/],
      ["index.json", /index\.json: says it is shard 5 of 3/],
      ["rule.json", /rule\.json: "made-up" is not a rule this lumenguard decides across files/],
      ["folder.json", /folder\.json: not a regular file/],
      ["fifo.json", /fifo\.json: not a regular file/],
      ["huge.json", /huge\.json: 300 MiB, larger than a report can be \(at most 128 MiB\)/],
      ["deep.json", /deep\.json: not a lumenguard JSON report \(arrays and objects nest more than 1,000 deep/],
      ["deep-ok-size.json", /deep-ok-size\.json: not a lumenguard JSON report \(arrays and objects nest 21 deep; a report nests at most 16\)/],
      ["missing.json", /missing\.json: no such file/],
    ];
    for (const [name, message] of cases) expectError(["merge", name, "--output", "never.json"], dir, 2, message);
    expect(existsSync(join(dir, "never.json"))).toBe(false);
    // A byte-order mark is not an error.
    expect(lumenguard(["merge", "bom.json", "--fail-on", "none"], dir).status).toBe(0);
  });

  it("flags merge does not take, no reports, a bad --fail-on or --format: exit 2", () => {
    expectError(["merge", "s1.json", "--history"], out, 2, /merge takes JSON reports and --format, .*; not --history/);
    expectError(["merge", "s1.json", "--baseline", "b.json", "--staged"], out, 2, /not --baseline, --staged/);
    expectError(["merge"], out, 2, /merge needs JSON reports to merge/);
    expectError(["merge", "s1.json", "--fail-on", "severe"], out, 2, /--fail-on "severe" is not one of/);
    expectError(["merge", "s1.json", "--format", "pdf"], out, 2, /--format "pdf" is not one of/);
  });
});

describe("the finding cap", () => {
  it("the merged report keeps the most severe findings up to the cap and says how many more there were", () => {
    const base = readReport(out, "tree.json");
    const finding = base.findings.find((candidate: any) => candidate.secret);
    const at = (line: number, severity: string) => ({ ...finding, line, endLine: line, severity });
    const report = (findings: unknown[], overCap = 0) => ({ ...base, findings, warnings: [], stats: { ...base.stats, ...(overCap ? { findingsOverCap: overCap } : {}) } });
    const merged = mergeReports(
      [
        { name: "a.json", report: report([at(1, "low"), at(2, "critical"), at(3, "medium")]) },
        { name: "b.json", report: report([at(4, "low"), at(5, "medium"), at(6, "critical")], 7) },
      ],
      { maxFindings: 3 },
    );
    expect(merged.findings.map((kept) => [kept.line, kept.severity])).toEqual([
      [2, "critical"],
      [3, "medium"],
      [6, "critical"],
    ]);
    // 3 left out here, and the 7 that b.json's scan had already left out.
    expect(merged.stats.findingsOverCap).toBe(10);
    expect(merged.warnings).toEqual([{ code: "findings-cap", message: "3 more findings were counted but not kept (at most 3 are kept for one scan, the most severe): fix these, or scan a smaller part, and scan again" }]);
  });
});

describe("reports that are not sharded", () => {
  it("a working-tree report and a history report: both kinds of finding, once each; the same report twice adds nothing", () => {
    const history = lumenguard(["merge", ...shardPaths(), "--format", "json", "--output", join(out, "history.json")], repo);
    expect(history.status).toBe(1);
    const tree = readReport(out, "tree.json");
    const historyReport = readReport(out, "history.json");
    expect(lumenguard(["merge", "tree.json", "history.json", "tree.json", "--format", "json", "--output", "both.json"], out).status).toBe(1);
    const both = readReport(out, "both.json");
    expect(both.mode).toBe("ci");
    const key = (finding: any) => JSON.stringify(finding);
    // A finding both hold — same rule, key, path from the root, commit (none), line and column — is kept once:
    // here the shared-key findings, which history reports without a commit, as the tree does.
    const same = (finding: any) => [finding.ruleId, finding.secret?.fingerprint, finding.repoPath, finding.commit?.sha, finding.line, finding.column].join(" ");
    const inTree = new Set(tree.findings.map(same));
    const fromHistory = historyReport.findings.filter((finding: any) => !inTree.has(same(finding)));
    expect(fromHistory.length).toBeLessThan(historyReport.findings.length);
    expect(both.findings.map(key).sort()).toEqual([...tree.findings, ...fromHistory].map(key).sort());
    expect(new Set(both.findings.map((finding: any) => finding.ruleId))).toEqual(new Set(["lumenfall-key", "key-in-history", "shared-key-across-environments", "dotenv-tracked"]));
    expect(both.stats.commits).toBe(3);
    expect(lumenguard(["merge", "tree.json", "tree.json", "--format", "json", "--output", "twice.json"], out).status).toBe(1);
    const twice = readReport(out, "twice.json");
    expect(twice.findings).toEqual(tree.findings);
    expect(twice.warnings).toEqual(tree.warnings);
  });

  it("the shards of a history scan beside a tree report: the history is merged as its whole scan", () => {
    expect(lumenguard(["merge", "tree.json", ...SHARDS, "--format", "json", "--output", "mixed.json"], out).status).toBe(1);
    const whole = JSON.parse(lumenguard(["scan", "--history", "--format", "json"], repo).stdout);
    const mixed = readReport(out, "mixed.json");
    const key = (finding: any) => JSON.stringify(finding);
    expect(mixed.findings.filter((finding: any) => finding.source === "history" || finding.commit).map(key).sort()).toEqual(whole.findings.map(key).sort());
  });
});

describe("hostile reports", () => {
  /** One shard report (1/1) with every string it holds replaced by `field()`, keeping it a valid report. */
  function planted(field: () => string): unknown {
    const dir = createDir();
    expect(lumenguard(["scan", "--history", "--shard", "1/1", "--fail-on", "none", "--format", "json", "--output", join(dir, "one.json")], repo).status).toBe(0);
    const report = readReport(dir, "one.json");
    const keep = new Set(["ruleId", "severity", "messageId", "source", "fingerprint", "confidence", "by", "kind", "mode", "code", "sha", "settings", "listing", "head", "firstCommit", "lastCommit", "detector", "encoding", "placeholder", "version", "lastFour", "date"]);
    const walk = (value: any, name = ""): any => {
      if (typeof value === "string") return keep.has(name) ? value : field();
      if (Array.isArray(value)) return value.map((item) => walk(item, name));
      if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, key)]));
      return value;
    };
    const hostile = walk(report);
    hostile.warnings.push({ code: "x", message: field(), file: field() });
    hostile.suppressed.push({ ruleId: "lumenfall-key", file: field(), line: 1, column: 1, by: "inline", reason: field() });
    hostile.shard.scan.paths = [field()];
    hostile.shard.scan.revisions = [field()];
    return hostile;
  }

  it("a key planted in every string field, in every encoding, reaches no output of any format, stdout or stderr", async () => {
    const [key] = seededKeys(99, 1) as [string];
    let n = 0;
    const field = () => `${["src/", "", "a b "][n % 3]}${encodeKey(key, ENCODINGS[n++ % ENCODINGS.length]!)}${n % 2 ? ".ts" : ""}`;
    const dir = createDir();
    for (let round = 0; round < 3; round++) {
      const hostile = JSON.stringify(planted(field));
      // The planting worked: the input itself shows the key to the same checker.
      expect(leakIn(hostile, [key])).not.toBeNull();
      writeFileSync(join(dir, `hostile-${round}.json`), hostile);
      const reports = FORMATS.flatMap((format) => ["--report", `${format}=${format}-${round}.out`]);
      const outcome = await runCli(["merge", `hostile-${round}.json`, "--fail-on", "none", ...reports, "--report", "text=-"], { cwd: dir, env: { GITHUB_STEP_SUMMARY: join(dir, `summary-${round}.md`) } });
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(leakIn(outcome.stdout + outcome.stderr, [key]), "stdout/stderr").toBeNull();
      for (const format of FORMATS) expect(leakIn(readFileSync(join(dir, `${format}-${round}.out`), "utf8"), [key]), format).toBeNull();
    }
    // The binary too, into every format.
    for (const format of FORMATS) {
      const outcome = lumenguard(["merge", "hostile-0.json", "--fail-on", "none", "--format", format], dir);
      expect(outcome.status, outcome.stderr).toBe(0);
      expect(leakIn(outcome.stdout + outcome.stderr, [key]), format).toBeNull();
    }
  });

  it("a key in a file name or in a field name that an error quotes reaches no output", async () => {
    const [key] = seededKeys(98, 1) as [string];
    for (const encoding of ["plain", "base64", "percent-dot", "json-escaped"] as const) {
      const dir = createDir();
      const good = readReport(out, "s1.json");
      writeFileSync(join(dir, "field.json"), JSON.stringify({ ...good, [`x${encodeKey(key, encoding)}`]: 1 }));
      for (const args of [["merge", `${encodeKey(key, encoding)}.json`], ["merge", "field.json"], ["merge", "s1.json", `--${encodeKey(key, encoding)}`]]) {
        const outcome = await runCli(args, { cwd: dir });
        expect(outcome.code, args.join(" ")).toBe(2);
        expect(leakIn(outcome.stdout + outcome.stderr, [key]), `${encoding}: ${outcome.stderr}`).toBeNull();
      }
    }
  });

  it("control characters and line breaks in paths are shown escaped, never obeyed", () => {
    const dir = createDir();
    const good = readReport(out, "s1.json");
    const evil = "src/x\u001b[2J\u001b[8A\r\n::error file=ok.ts::all clear\u202e.ts";
    const { shard: _shard, ...unsharded } = good;
    const hostile = { ...unsharded, findings: good.findings.map((finding: any) => ({ ...finding, file: evil, repoPath: evil, commit: finding.commit && { ...finding.commit, author: "a\u001b]0;title\u0007 <a@b>" } })) };
    writeFileSync(join(dir, "evil.json"), JSON.stringify(hostile));
    for (const format of ["text", "compact", "github"]) {
      const outcome = lumenguard(["merge", "evil.json", "--fail-on", "none", "--format", format], dir, { env: { FORCE_COLOR: undefined } });
      expect(outcome.status, outcome.stderr).toBe(0);
      expect(outcome.stdout, format).not.toMatch(/[\u001b\r\u0007\u202e]/);
      expect(outcome.stdout.split("\n").filter((line) => line.trimStart().startsWith("::error file=ok.ts")), format).toEqual([]);
    }
  });

  it("the reports of one merge are bounded together: the file that crosses the total is named, before it is read", async () => {
    const dir = createDir();
    for (const name of ["a.json", "b.json", "c.json"]) copyFileSync(join(out, "s1.json"), join(dir, name));
    const size = readFileSync(join(dir, "a.json")).length;
    const limits = { perFile: size, total: 2 * size + 10 };
    await expect(readReports(["a.json", "b.json"], dir, limits)).resolves.toHaveLength(2);
    await expect(readReports(["a.json", "b.json", "c.json"], dir, limits)).rejects.toThrow(/^c\.json: 1 MiB, more than the 1 MiB left of the 1 MiB one merge reads over all its reports$/);
    await expect(readReports(["a.json"], dir, { perFile: size - 1, total: size * 10 })).rejects.toThrow(/^a\.json: .* larger than a report can be/);
  });
});
