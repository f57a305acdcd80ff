import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nameOfBytes } from "../src/git/path-bytes.js";
import { scan } from "../src/index.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, withoutGitOverrides } from "./helpers/repo.js";

/**
 * File names that are not valid UTF-8 (git and Linux allow any byte but `/` and NUL): every
 * source reads them by their bytes and reports them in a lossless escaped form — `\xNN` for each
 * byte outside a well-formed UTF-8 sequence, `\\` for a backslash — never U+FFFD, which names
 * no file.
 */
const env = withoutGitOverrides(process.env);
const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : Buffer.from(part))));
/** `config\xff.py` */
const CONFIG_FF = bytes("config", [0xff], ".py");

function writeRaw(dir: string, rel: Buffer, content: string): void {
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), rel]), content);
}

const json = async (cwd: string, argv: string[]) => {
  const outcome = await runCli(["--format", "json", ...argv], { cwd, env: { GITHUB_ACTIONS: undefined, GITLAB_CI: undefined, CI: undefined } });
  expect(outcome.stdout + outcome.stderr).not.toContain("\uFFFD");
  return { ...outcome, report: JSON.parse(outcome.stdout) as { findings: Array<{ ruleId: string; file: string; line: number; column: number }>; warnings: unknown[] } };
};
const where = (report: { findings: Array<{ ruleId: string; file: string }> }) => report.findings.map((f) => [f.ruleId, f.file]).sort();

describe("the escaped form of a name", () => {
  it.each([
    ["valid UTF-8 stays as it is", bytes("ünï/çødé.ts"), "ünï/çødé.ts"],
    ["a real U+FFFD in a name stays", bytes("a\uFFFD.ts"), "a\uFFFD.ts"],
    ["a Latin-1 byte", CONFIG_FF, "config\\xff.py"],
    ["a backslash in an escaped name is doubled", bytes("a\\b", [0xfe]), "a\\\\b\\xfe"],
    ["an overlong encoding of /", bytes("x", [0xc0, 0xaf]), "x\\xc0\\xaf"],
    ["a UTF-16 surrogate encoded in UTF-8", bytes([0xed, 0xa0, 0x80]), "\\xed\\xa0\\x80"],
    ["a sequence cut short, then valid text", bytes([0xe2, 0x82], "é"), "\\xe2\\x82é"],
    ["beyond U+10FFFF", bytes([0xf4, 0x90, 0x80, 0x80]), "\\xf4\\x90\\x80\\x80"],
  ])("%s", (_, name, text) => {
    expect(nameOfBytes(name)).toBe(text);
  });
});

describe("files whose names are not valid UTF-8 are scanned and named", () => {
  // 0 extra files: every file is read; 80: git grep picks what to read; 500: worker threads read too.
  it.each([0, 80, 500])("in git, with %i other files: tracked and untracked, in every scan of the working tree", async (filler) => {
    const files: Record<string, string> = { "README.md": "# app\n" };
    for (let i = 0; i < filler; i++) files[`src/f${i}.ts`] = `export const x${i} = ${i};\n`;
    const repo = createRepo({ committed: files });
    mkdirSync(Buffer.concat([Buffer.from(`${repo}/`), bytes("d", [0xe9])]));
    writeRaw(repo, CONFIG_FF, `k='${makeKey()}'\n`);
    writeRaw(repo, bytes("d", [0xe9], "/tracked.js"), `k='${makeKey()}'\n`);
    git(repo, ["add", "-A"]);
    git(repo, ["commit", "-q", "-m", "odd names"]);
    writeRaw(repo, bytes("new", [0x80], ".txt"), `k='${makeKey()}'\n`);
    const expected = [
      ["lumenfall-key", "config\\xff.py"],
      ["lumenfall-key", "d\\xe9/tracked.js"],
      ["lumenfall-key", "new\\x80.txt"],
    ];
    const threaded = await scan({ cwd: repo, env, jobs: 3 });
    expect(where(threaded)).toEqual(expected);
    expect(threaded.stats.files).toBe(filler + 4);
    const { code, report } = await json(repo, ["scan"]);
    expect(code).toBe(1);
    expect(where(report)).toEqual(expected);
  });

  it("among more untracked files than are read without a search (git grep is given their names): still read", async () => {
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    for (let i = 0; i < 300; i++) writeFileSync(join(repo, `u${i}.txt`), `plain ${i}\n`);
    writeRaw(repo, bytes("odd", [0xfe], ".txt"), `k='${makeKey()}'\n`);
    const { code, report } = await json(repo, ["scan"]);
    expect(code).toBe(1);
    expect(where(report)).toEqual([["lumenfall-key", "odd\\xfe.txt"]]);
  });

  it("--staged, --history and ci name them the same way, and ci reports a key still in the tree once", async () => {
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    const base = git(repo, ["rev-parse", "HEAD"]).trim();
    writeRaw(repo, CONFIG_FF, `k='${makeKey()}'\n`);
    git(repo, ["add", "-A"]);
    expect(where((await json(repo, ["scan", "--staged"])).report)).toEqual([["lumenfall-key", "config\\xff.py"]]);
    git(repo, ["commit", "-q", "-m", "key"]);
    expect(where((await json(repo, ["scan", "--history"])).report)).toEqual([["key-in-history", "config\\xff.py"]]);
    const ci = await json(repo, ["ci", "--range", `${base}..HEAD`]);
    expect(ci.code).toBe(1);
    expect(where(ci.report)).toEqual([["lumenfall-key", "config\\xff.py"]]);
  });

  it("outside git, and client output given with --bundles", async () => {
    const dir = createDir();
    mkdirSync(Buffer.concat([Buffer.from(`${dir}/`), bytes("d", [0xfe])]));
    writeRaw(dir, bytes("d", [0xfe], "/a\\b", [0xff], ".js"), `k='${makeKey()}'\n`);
    writeRaw(dir, bytes(".gitignore"), "ignored*\n");
    writeRaw(dir, bytes("ignored", [0xff]), `k='${makeKey()}'\n`);
    const walked = await json(dir, ["scan"]);
    expect(walked.code).toBe(1);
    expect(where(walked.report)).toEqual([["lumenfall-key", "d\\xfe/a\\\\b\\xff.js"]]);
    const repo = createRepo({ committed: { ".gitignore": "dist/\n" } });
    mkdirSync(join(repo, "dist"));
    writeRaw(repo, bytes("dist/chunk", [0xa0], ".js"), `const k="${makeKey()}";\n`);
    const bundles = await json(repo, ["scan", "--bundles", "dist"]);
    expect(bundles.code).toBe(1);
    expect(where(bundles.report)).toEqual([["client-bundle-key", "dist/chunk\\xa0.js"]]);
    expect(bundles.report.warnings).toEqual([]);
  });
});
