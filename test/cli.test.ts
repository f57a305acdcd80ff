import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { keyIdOf, makeKey } from "./helpers/keys.js";
import { createDir, createRepo } from "./helpers/repo.js";

describe("lumenguard scan -- FILES: hook managers' file names are never options", () => {
  it("every argument after -- is a path: files named like options (and `-`) are scanned, none switches anything", async () => {
    const names = ["--fail-on=none", "--version", "-h", "--help", "--only-live", "--format=json", "--staged", "-"];
    const files = Object.fromEntries(names.map((name) => [name, `k = "${makeKey()}"\n`]));
    const dir = createDir({ ...files, "app.py": `k = "${makeKey()}"\n` });
    // No API is reachable from a test: --only-live would try it, and fail the scan differently.
    const { code, stdout, stderr } = await runCli(["scan", "--format", "json", "--", ...names, "app.py"], { cwd: dir, stdin: "k = 'nothing here'\n" });
    expect(code, stderr).toBe(1);
    const report = JSON.parse(stdout) as { findings: Array<{ file: string; ruleId: string }>; stats: { files: number } };
    expect(report.findings.map((finding) => finding.file).sort()).toEqual([...names.filter((name) => name !== "-"), "./-", "app.py"].sort());
    expect(report.stats.files).toBe(names.length + 1);
    // Before --, options are options as always.
    const version = await runCli(["--version", "--", "scan"], { cwd: dir });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("lumenguard scan: exit codes", () => {
  it("0 when clean, with the count of what was scanned", async () => {
    const dir = createDir({ "a.ts": 'const k = process.env.LUMENFALL_API_KEY ?? "lmnfl_your_api_key";\n' });
    const { code, stdout } = await runCli(["scan", "."], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/No Lumenfall keys found · 1 file, \d+ B scanned/);
  });

  it("1 when a key is found, naming file:line:col, practice, key identity and the fix", async () => {
    const key = makeKey();
    const dir = createDir({ "src/app.ts": `\nconst k = "${key}";\n` });
    const { code, stdout } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toContain("src/app.ts:2:12  CRITICAL  lumenfall-key");
    expect(stdout).toContain(`key id ${keyIdOf(key)}, last four ${key.slice(-4)}`);
    expect(stdout).toContain("https://lumenfall.ai/app/api_keys");
    expect(stdout).toContain("Never commit API keys to version control");
    expect(stdout).toContain("ignored .env");
    expect(stdout).toContain("on the server");
    expect(stdout).not.toContain(key);
  });

  it("--fail-on raises or lowers the bar; none never fails; the finding is reported either way", async () => {
    const key = makeKey();
    const dir = createDir({ "a.txt": key });
    const found = (stdout: string) => JSON.parse(stdout).findings.map((f: { ruleId: string; severity: string; line: number; column: number }) => [f.ruleId, f.severity, f.line, f.column]);
    for (const [failOn, code] of [["critical", 1], ["none", 0]] as const) {
      const outcome = await runCli(["scan", "--fail-on", failOn, "-f", "json"], { cwd: dir });
      expect(outcome.code, failOn).toBe(code);
      expect(found(outcome.stdout), failOn).toEqual([["lumenfall-key", "critical", 1, 1]]);
    }
    const placeholder = createDir({ "a.txt": "lmnfl_aaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaa" });
    const info = await runCli(["scan", "--include-placeholders", "-f", "json"], { cwd: placeholder });
    expect(info.code).toBe(0);
    expect(found(info.stdout)).toEqual([["lumenfall-key", "info", 1, 1]]);
    const failing = await runCli(["scan", "--include-placeholders", "--fail-on", "info", "-f", "json"], { cwd: placeholder });
    expect(failing.code).toBe(1);
    expect(found(failing.stdout)).toEqual([["lumenfall-key", "info", 1, 1]]);
  });

  it("failOn from the config applies when no flag is given", async () => {
    const dir = createDir({ "a.txt": makeKey(), "lumenguard.config.json": '{ "rules": { "lumenfall-key": "low" }, "failOn": "high" }' });
    const { code, stdout } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain("LOW  lumenfall-key");
  });

  it("a rule turned off reports nothing (and on, the same file is a finding)", async () => {
    const key = makeKey();
    const off = await runCli(["scan", "-f", "json"], { cwd: createDir({ "a.txt": key, ".lumenguardrc.json": '{ "rules": { "lumenfall-key": "off" } }' }) });
    expect(off.code).toBe(0);
    expect(JSON.parse(off.stdout)).toMatchObject({ findings: [], stats: { files: 2 } });
    const on = await runCli(["scan", "-f", "json"], { cwd: createDir({ "a.txt": key, ".lumenguardrc.json": "{}" }) });
    expect(on.code).toBe(1);
    expect(JSON.parse(on.stdout).findings.map((f: { ruleId: string; file: string }) => [f.ruleId, f.file])).toEqual([["lumenfall-key", "a.txt"]]);
  });

  it.each([
    [["scan", "--format", "xml"], /--format "xml" is not one of text, json/],
    [["scan", "--fail-on", "severe"], /--fail-on "severe"/],
    [["scan", "--frobnicate"], /Unknown option '--frobnicate'/],
    [["scan", "--output"], /--output/],
    [["lint"], /unknown command "lint"/],
    [["scan", "a.txt", "--stdin-filename", "x.js"], /--stdin-filename needs "-"/],
  ])("2 for usage errors: %j", async (argv, message) => {
    const dir = createDir({ "a.txt": "" });
    const { code, stderr, stdout } = await runCli(argv, { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe("");
  });

  it("3 when nothing given exists, with the bypass named", async () => {
    const dir = createDir();
    const { code, stderr } = await runCli(["scan", "missing.ts"], { cwd: dir });
    expect(code).toBe(3);
    expect(stderr).toContain("missing.ts does not exist");
    expect(stderr).toContain("git commit --no-verify");
  });

  it("one missing path among others is a warning, and the rest is scanned", async () => {
    const dir = createDir({ "a.txt": makeKey() });
    const { code, stderr } = await runCli(["scan", "a.txt", "gone.txt"], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain("warning: gone.txt does not exist");
  });
});

describe("lumenguard scan: formats and output", () => {
  it("--format json has the stable, versioned shape", async () => {
    const key = makeKey();
    const dir = createDir({ "conf/app.json": `{\n  "apiKey": "${key}"\n}\n` });
    const { code, stdout, stderr } = await runCli(["scan", ".", "--format", "json"], { cwd: dir });
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ version: 1, warnings: [], suppressed: [], stats: { files: 1, blobs: 0 } });
    expect(report.findings).toEqual([
      {
        ruleId: "lumenfall-key",
        severity: "critical",
        message: `Lumenfall API key lmnfl_${keyIdOf(key)}.…${key.slice(-4)} is hard-coded here`,
        messageId: "hardCoded",
        data: { redacted: `lmnfl_${keyIdOf(key)}.…${key.slice(-4)}` },
        file: "conf/app.json",
        line: 2,
        column: 14,
        endLine: 2,
        endColumn: 14 + key.length,
        source: "worktree",
        secret: expect.objectContaining({ keyId: keyIdOf(key), lastFour: key.slice(-4), confidence: "high" }),
        snippet: `"apiKey": "lmnfl_${keyIdOf(key)}.…${key.slice(-4)}"`,
      },
    ]);
    expect(report.findings[0].secret.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(stderr).toContain("1 finding (1 critical)");
  });

  it("files are relative to the positional directory, else to the current one; file arguments as given", async () => {
    const dir = createDir({ "pkg/src/a.ts": makeKey(), "b.ts": makeKey() });
    const fromRoot = JSON.parse((await runCli(["scan", "pkg", "--format", "json"], { cwd: dir })).stdout);
    expect(fromRoot.findings.map((f: { file: string }) => f.file)).toEqual(["src/a.ts"]);
    const two = JSON.parse((await runCli(["scan", "pkg", "b.ts", "--format", "json"], { cwd: dir })).stdout);
    expect(two.findings.map((f: { file: string }) => f.file).sort()).toEqual(["b.ts", "pkg/src/a.ts"]);
    const absolute = join(dir, "b.ts");
    const abs = JSON.parse((await runCli(["scan", absolute, "--format", "json"], { cwd: dir })).stdout);
    expect(abs.findings[0].file).toBe(absolute);
  });

  it("--output writes the report to a file and the summary to stderr", async () => {
    const dir = createDir({ "a.txt": makeKey() });
    const { code, stdout, stderr } = await runCli(["scan", "a.txt", "-f", "json", "-o", "out/report.json"], { cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("1 finding (1 critical)");
    expect(stderr).toContain("report written to out/report.json");
    expect(JSON.parse(readFileSync(join(dir, "out/report.json"), "utf8")).findings).toHaveLength(1);
  });

  it("colour only on a TTY, off with NO_COLOR or --no-color, forced by FORCE_COLOR: the exact first line (test/colour.test.ts has the rest)", async () => {
    const dir = createDir({ "a.txt": makeKey() });
    const plain = "a.txt:1:1  CRITICAL  lumenfall-key\n";
    const coloured = "\u001b[1ma.txt:1:1\u001b[22m  \u001b[31m\u001b[1mCRITICAL\u001b[22m\u001b[39m  lumenfall-key\n";
    const first = async (argv: string[], options: { tty?: boolean; env?: NodeJS.ProcessEnv }) => (await runCli(argv, { cwd: dir, ...options })).stdout.split("\n")[0] + "\n";
    expect(await first(["scan"], {})).toBe(plain);
    expect(await first(["scan"], { tty: true })).toBe(coloured);
    expect(await first(["scan"], { tty: true, env: { NO_COLOR: "1" } })).toBe(plain);
    expect(await first(["scan", "--no-color"], { tty: true })).toBe(plain);
    expect(await first(["scan"], { env: { FORCE_COLOR: "1" } })).toBe(coloured);
  });

  it("--help starts with examples; --version prints the package version", async () => {
    const dir = createDir();
    const help = await runCli(["--help"], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout.split("\n")[2]).toBe("Examples");
    expect(help.stdout).toContain("Exit codes");
    const version = await runCli(["--version"], { cwd: dir });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });
});

describe("custom patterns", () => {
  const config = JSON.stringify({
    customPatterns: [{ id: "acme-token", regex: "acme_[A-Za-z0-9]{32}", keywords: ["acme_"], severity: "medium" }],
  });

  it("finds other providers' secrets near their keyword, redacted, under the pattern's id", async () => {
    const token = `acme_${"Zq8vR2mLx0pN4tW6yB1cE3gH5jK7nP9s"}`;
    const dir = createDir({ "lumenguard.config.json": config, "a.ts": `x\nconst t = "${token}";\nconst p = "acme_your_token_here_xxxxxxxxxxxxxxxx";\n` });
    const { code, stdout } = await runCli(["scan", "-f", "json"], { cwd: dir });
    expect(code).toBe(1);
    const [finding, ...rest] = JSON.parse(stdout).findings;
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ ruleId: "acme-token", severity: "medium", line: 2, column: 12, secret: { redacted: `acme…${token.slice(-4)}` } });
    expect(stdout).not.toContain(token);
  });

  it("an id that is already a rule's is a configuration error", async () => {
    const dir = createDir({ "lumenguard.config.json": '{ "customPatterns": [{ "id": "lumenfall-key", "regex": "x", "keywords": ["abc"] }] }' });
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('"customPatterns[0].id"');
  });
});

describe("lumenguard scan - (stdin)", () => {
  it("scans standard input under --stdin-filename", async () => {
    const key = makeKey();
    const dir = createDir();
    const { code, stdout } = await runCli(["scan", "-", "--stdin-filename", "src/pasted.ts", "-f", "json"], { cwd: dir, stdin: `x\n${key}\n` });
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings[0]).toMatchObject({ file: "src/pasted.ts", line: 2, column: 1, source: "stdin" });
  });

  it("applies config ignore globs to the stdin file name", async () => {
    const dir = createDir({ "lumenguard.config.json": '{ "ignore": ["fixtures/**"] }' });
    const key = makeKey();
    const ignored = await runCli(["scan", "-", "--stdin-filename", "fixtures/a.ts", "-f", "json"], { cwd: dir, stdin: key });
    expect(ignored.code).toBe(0);
    expect(JSON.parse(ignored.stdout).findings).toEqual([]);
    const scanned = await runCli(["scan", "-", "--stdin-filename", "src/a.ts", "-f", "json"], { cwd: dir, stdin: key });
    expect(scanned.code).toBe(1);
    expect(JSON.parse(scanned.stdout).findings.map((f: { file: string; source: string }) => [f.file, f.source])).toEqual([["src/a.ts", "stdin"]]);
  });

  it("is <stdin> without a name", async () => {
    const dir = createDir();
    const { stdout } = await runCli(["scan", "-", "-f", "json"], { cwd: dir, stdin: makeKey() });
    expect(JSON.parse(stdout).findings[0].file).toBe("<stdin>");
  });
});

describe("configuration errors exit 2 naming the field", () => {
  it.each([
    ['{ "ignore": "dist" }', /"ignore" must be array/],
    ['{ "ignore": [3] }', /"ignore\[0\]" must be string/],
    ['{ "failOn": "sometimes" }', /"failOn" must be one of "critical", "high", "medium", "low", "info", "none"/],
    ['{ "rules": { "no-such-rule": "off" } }', /"rules.no-such-rule" is not a known field/],
    ['{ "rules": { "lumenfall-key": "loud" } }', /"rules.lumenfall-key" must be one of/],
    ['{ "ignores": [] }', /"ignores" is not a known field/],
    ['{ "customPatterns": [{ "id": "acme", "regex": "(", "keywords": ["acme_"] }] }', /"customPatterns\[0\].regex" is not a valid regular expression/],
    ['{ "customPatterns": [{ "id": "acme", "regex": "x" }] }', /"customPatterns\[0\]\.keywords" is missing/],
    ["{ not json", /lumenguard.config.json: is not valid JSON/],
  ])("%s", async (config, message) => {
    const dir = createDir({ "lumenguard.config.json": config, "a.txt": "" });
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it("a bad package.json lumenguard key names lumenguard.<field>", async () => {
    const dir = createDir({ "package.json": '{ "name": "x", "lumenguard": { "bundles": [""] } }' });
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(/"lumenguard.bundles\[0\]"/);
  });

  it("--config pointing nowhere is exit 2", async () => {
    const dir = createDir();
    const { code, stderr } = await runCli(["scan", "--config", "nope.json"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain("nope.json: does not exist");
  });

  it("the nearest config wins, found from the scanned folder upward", async () => {
    const key = makeKey();
    const dir = createDir({
      "lumenguard.config.json": '{ "ignore": ["app/**"] }',
      "app/a.txt": key,
      "other/lumenguard.config.json": "{}",
      "other/b.txt": key,
    });
    const files = async (argv: string[], cwd: string) => {
      const outcome = await runCli([...argv, "-f", "json"], { cwd });
      return [outcome.code, JSON.parse(outcome.stdout).findings.map((f: { file: string }) => f.file)];
    };
    expect(await files(["scan", "app"], dir)).toEqual([0, []]);
    expect(await files(["scan", "other"], dir)).toEqual([1, ["b.txt"]]);
    expect(await files(["scan", "../other"], join(dir, "app"))).toEqual([1, ["b.txt"]]);
  });
});

describe("the git context comes from the scanned path", () => {
  it("scanning a repo from outside it lists that repo's files", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.txt": key, ".gitignore": "ignored.txt\n" }, untracked: { "ignored.txt": key, "new.txt": key } });
    const elsewhere = createDir();
    const report = JSON.parse((await runCli(["scan", repo, "-f", "json"], { cwd: elsewhere })).stdout);
    expect(report.findings.map((f: { file: string }) => f.file).sort()).toEqual(["a.txt", "new.txt"]);
  });
});
