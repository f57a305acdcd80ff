import { describe, expect, it } from "vitest";
import { ruleById } from "../rules/index.js";
import { printable } from "../src/reporters/printable.js";
import { reporters, type ReportContext } from "../src/reporters/index.js";
import type { Finding, ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * Names written by someone else cannot drive the terminal or the CI runner: a file name, an
 * allow reason or a commit author holding escape sequences, line breaks, bidi controls or
 * GitHub workflow commands is printed with them shown as escapes, in every text-like output.
 */

/** The names an attacker would commit: cursor up + erase, a newline and a workflow command, one at the line start, a legacy command, a bidi override. */
const HOSTILE = {
  erase: "e\u001b[8A\u001b[J.ts",
  newline: "x\n::error file=a.ts::all clear.ts",
  leading: "::error file=b.ts::all clear.ts",
  legacy: "n##[error]pwned.ts",
  bidi: "r\u202egnp.ts",
  bell: "bell\u0007\u009b2J.ts",
};

/** Fails unless `output` holds no control character but line feeds, no line that GitHub's runner would read as a command, and no SGR but colour. */
function expectInert(output: string, where: string) {
  expect(output.replace(/\u001b\[\d+m/g, ""), where).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  for (const line of output.split("\n")) expect(line.trimStart().startsWith("::"), `${where}: ${line}`).toBe(false);
  expect(output, where).not.toContain("##[");
}

function hostileRepo() {
  const repo = createRepo({ committed: { "README.md": "# app\n" } });
  const base = git(repo, ["rev-parse", "HEAD"]).trim();
  writeFiles(repo, Object.fromEntries(Object.values(HOSTILE).map((name) => [`src/${name}`, `const k = "${makeKey()}";\n`])));
  writeFiles(repo, { "::warning::root.ts": `const k = "${makeKey()}";\n` });
  writeFiles(repo, { "src/allow.ts": `const k = "${makeKey()}"; // lumenguard-allow: ok\u001b[2K\u001b[1A all clear\n` });
  git(repo, ["add", "-A"]);
  git(repo, ["commit", "-q", "-m", "hostile"], { GIT_AUTHOR_NAME: "Eve\u001b[2K\u001b[1A::error::x" });
  return { repo, base };
}

describe("printable", () => {
  it("shows controls, line breaks, bidi controls and separators as escapes", () => {
    expect(printable("a\u001b[8A\u001b[J\r\n\tb\u202ec\u2028d\u007f\u0085e\u0000")).toBe("a\\x1b[8A\\x1b[J\\r\\n\\tb\\u202ec\\u2028d\\x7f\\x85e\\x00");
    expect(printable("lone \ud800 high, pair 😀 kept")).toBe("lone \\ud800 high, pair 😀 kept");
  });

  it("defuses GitHub runner commands: a leading '::' and '##[' anywhere", () => {
    expect(printable("::error file=a::all clear")).toBe("\\x3a:error file=a::all clear");
    expect(printable("  ::warning::x")).toBe("  \\x3a:warning::x");
    expect(printable("a::b stays")).toBe("a::b stays");
    expect(printable("a ##[error]b ##[stop-commands]t")).toBe("a #\\x23[error]b #\\x23[stop-commands]t");
  });

  it("leaves ordinary text alone", () => {
    expect(printable("src/ünï/日本 file (1).ts")).toBe("src/ünï/日本 file (1).ts");
  });
});

describe("hostile names in real scans", () => {
  // junit too: printed on stdout in a CI step, it is a log the runner reads line by line.
  it.each(["text", "compact", "junit"])("%s: nothing reaches the terminal raw; each name shown escaped", async (format) => {
    const { repo } = hostileRepo();
    const outcome = await runCli(["scan", ".", "--format", format], { cwd: repo, tty: true, env: { FORCE_COLOR: "1" } });
    expect(outcome.code).toBe(1);
    expectInert(outcome.stdout, `${format} stdout`);
    expectInert(outcome.stderr, `${format} stderr`);
    for (const name of Object.values(HOSTILE)) expect(outcome.stdout).toContain(`${printable(`src/${name}`)}:1:`);
    // At the start of a line, a name that starts like a workflow command is defused.
    expect(outcome.stdout).toContain("\\x3a:warning::root.ts:1:");
    if (format === "text") expect(outcome.stdout).toContain("(ok\\x1b[2K\\x1b[1A all clear)");
  });

  it("text output under ci (a GitHub Actions log): no line becomes a workflow command", async () => {
    const { repo, base } = hostileRepo();
    const outcome = await runCli(["ci", "--range", `${base}..HEAD`], { cwd: repo, env: { GITHUB_ACTIONS: undefined, GITHUB_EVENT_PATH: undefined, GITLAB_CI: undefined } });
    expect(outcome.code).toBe(1);
    expectInert(outcome.stdout + outcome.stderr, "ci");
    expect(outcome.stdout).toContain("src/x\\n::error file=a.ts::all clear.ts:1:");
    expect(outcome.stdout).toContain("src/::error file=b.ts::all clear.ts:1:");
    expect(outcome.stdout).toContain("\\x3a:warning::root.ts:1:");
  });

  it("history: a commit author's escapes are shown, not obeyed", async () => {
    const { repo } = hostileRepo();
    const outcome = await runCli(["scan", "--history"], { cwd: repo });
    expectInert(outcome.stdout + outcome.stderr, "history");
    expect(outcome.stdout).toContain("by Eve\\x1b[2K\\x1b[1A::error::x <test@example.invalid>,");
  });

  it("github: one line per annotation, whatever the names hold", async () => {
    const { repo } = hostileRepo();
    const outcome = await runCli(["scan", ".", "--format", "github"], { cwd: repo });
    const lines = outcome.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(Object.keys(HOSTILE).length + 1);
    for (const line of lines) expect(line).toMatch(/^::error file=[^\n]*,line=1,col=12,endLine=1,endColumn=\d+,title=lumenfall-key \(critical\)::Lumenfall API key /);
    expect(outcome.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expectInert(outcome.stderr, "github stderr");
  });

  it("warnings on stderr quote names printably (a source map that cannot be read)", async () => {
    const repo = createRepo();
    writeFiles(repo, { [`dist/${HOSTILE.newline}.js`]: `var k="${makeKey()}";\n//# sourceMappingURL=bad%E0%A4%A.map\n` });
    const outcome = await runCli(["scan", "--bundles", "dist"], { cwd: repo });
    expectInert(outcome.stderr, "stderr");
    expect(outcome.stderr).toContain("dist/x\\n::error file=a.ts::all clear.ts.js");
  });
});

describe("junit holds only what XML 1.0 can", () => {
  it("controls, noncharacters and lone surrogates in names are written as text escapes", () => {
    const finding: Finding = { ruleId: "dotenv-tracked", severity: "high", messageId: "tracked", data: {}, file: "a\u0001\u001b\ufffe\ud800b.env", line: 1, column: 1, endLine: 1, endColumn: 1, source: "worktree" };
    const result: ScanResult = { version: 1, mode: "worktree", findings: [finding], warnings: [], suppressed: [], stats: { files: 1, bytes: 1, blobs: 0, durationMs: 1, skipped: 0, suppressed: 0 } };
    const context: ReportContext = { color: false, failOn: "medium", ruleMeta: (id) => ruleById(id)?.meta };
    const xml = reporters["junit"]!(result, context);
    // https://www.w3.org/TR/xml/#charsets: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    // Shown as the text report shows them (printable), so each is legal XML text.
    expect(xml).toContain('file="a\\x01\\x1b\\ufffe\\ud800b.env"');
  });
});
