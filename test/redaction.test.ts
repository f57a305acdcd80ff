import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FORMATS } from "../src/reporters/index.js";
import type { Finding } from "../src/types.js";
import { runCli, type CliOutcome } from "./helpers/cli.js";
import { makeDotlessKey, makeKey } from "./helpers/keys.js";
import { encodeKey, FILE_NAME_ENCODINGS, leakIn } from "./helpers/leaks.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * A full key never appears in anything lumenguard prints or writes, in any encoding. Keys are
 * planted in every form the engine decodes, and every
 * format, every written file and every error path is searched for them.
 */
function forms(key: string): string[] {
  const secret = key.slice(key.indexOf(".") + 1);
  return [
    key,
    secret,
    Buffer.from(key).toString("base64").slice(2, -2),
    encodeURIComponent(key).replace(".", "%2E"),
    JSON.stringify(key).slice(1, -1).replace(".", "\\u002e"),
    Buffer.from(key, "utf16le").toString("latin1"),
  ].filter((form) => form.length >= 16);
}

function plantedProject() {
  const keys = [makeKey(), makeKey(), makeKey(), makeKey(), makeKey(), makeDotlessKey()];
  const [raw, b64, url, json, utf16, dotless] = keys as [string, string, string, string, string, string];
  const dir = createDir({
    "src/app.ts": `const k = "${raw}"; // lumenguard-allow: was ${raw}\n\nconst j = "${raw}";\n`,
    "k8s/secret.yaml": `data:\n  key: ${Buffer.from(b64).toString("base64")}\n`,
    "docs/url.md": `https://x.test/?key=${url.replace(".", "%2E")}\n`,
    "conf.json": `{"key":"${json.replace(".", "\\u002e")}"}`,
    "win.txt": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`key=${utf16}\r\n`, "utf16le")]),
    "dotless.env.txt": `TOKEN=${dotless}\n`,
  });
  return { dir, keys };
}

function expectNoKey(text: string, keys: string[], where: string) {
  for (const key of keys) for (const form of forms(key)) expect(text.includes(form), `${where} holds a form of a planted key`).toBe(false);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

describe("no full key in any output", () => {
  it.each(FORMATS)("format %s on stdout and stderr, with placeholders included", async (format) => {
    const { dir, keys } = plantedProject();
    const outcome = await runCli(["scan", ".", "--format", format, "--include-placeholders"], { cwd: dir, tty: true });
    expect(outcome.code).toBe(1);
    expectNoKey(outcome.stdout + outcome.stderr, keys, format);
    // The allow comment covers the key before it only: the copy in its reason is a finding too.
    if (format === "json") expect(JSON.parse(outcome.stdout).findings).toHaveLength(7);
  });

  it.each(FORMATS)("format %s written with --output", async (format) => {
    const { dir, keys } = plantedProject();
    const before = new Set(filesUnder(dir));
    const outcome = await runCli(["scan", ".", "-f", format, "-o", "reports/out"], { cwd: dir });
    expectNoKey(outcome.stdout + outcome.stderr, keys, "console");
    const written = filesUnder(dir).filter((file) => !before.has(file));
    expect(written.map((file) => file.slice(dir.length + 1))).toEqual(["reports/out"]);
    for (const file of written) expectNoKey(readFileSync(file, "latin1"), keys, file);
  });

  it("the baseline file", async () => {
    const { dir, keys } = plantedProject();
    const outcome = await runCli(["baseline", "-o", "base.json"], { cwd: dir });
    expectNoKey(outcome.stdout + outcome.stderr + readFileSync(join(dir, "base.json"), "latin1"), keys, "baseline");
  });

  it.each([
    ["plain", (key: string) => `notes-${key}.txt`],
    // `\` is read as a separator only after the name is scrubbed: `\u002e` still reads as the dot.
    ["with \\u002e for its dot", (key: string) => `notes-${key.replace(".", "\\u002e")}.txt`],
    ["dotless, followed by \u2026", () => `${makeDotlessKey()}\u2026.txt`],
  ])("a baseline of a file whose name holds a key (%s) holds no key, and still accepts that file's finding", async (_, nameOf) => {
    const named = makeKey();
    const inside = makeKey();
    const dir = createDir();
    const file = nameOf(named);
    writeFiles(dir, { [file]: `token = "${inside}"\n` });
    const written = await runCli(["baseline", "-o", "base.json"], { cwd: dir });
    expect(written.code).toBe(0);
    const baseline = readFileSync(join(dir, "base.json"), "latin1");
    const dotless = /lmnfl_[A-Za-z0-9]{24,}/.exec(file)?.[0];
    expectNoKey(written.stdout + written.stderr + baseline, [named, inside, ...(dotless ? [dotless] : [])], "baseline");
    // The file's key, and the key in its name (a name is committed too) when the engine reads it there.
    expect(JSON.parse(baseline).entries).toHaveLength(2);
    const again = await runCli(["scan", ".", "--baseline", "base.json", "-f", "json"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).findings).toEqual([]);
    // A baseline written before paths were redacted (the name as it is) matches too.
    const old = JSON.parse(baseline) as { entries: Array<{ file: string }> };
    for (const entry of old.entries) entry.file = file;
    writeFiles(dir, { "old.json": JSON.stringify(old) });
    // (old.json itself holds the key now: only the named file is scanned.)
    const withOld = await runCli(["scan", file, "--baseline", "old.json", "-f", "json"], { cwd: dir });
    expect(withOld.code).toBe(0);
    expect(JSON.parse(withOld.stdout).findings).toEqual([]);
  });

  it("standard input", async () => {
    const key = makeKey();
    const outcome = await runCli(["scan", "-", "-f", "json"], { cwd: createDir(), stdin: `x ${key}` });
    expectNoKey(outcome.stdout + outcome.stderr, [key], "stdin");
  });

  const errorPaths: Array<[string, (key: string) => { files: Record<string, string>; argv: string[] }]> = [
    ["invalid JSON config around a key", (key) => ({ files: { "lumenguard.config.json": `{ "ignore": [${key}] }` }, argv: ["scan"] })],
    ["invalid JSON config starting at a key", (key) => ({ files: { "lumenguard.config.json": `${key}` }, argv: ["scan"] })],
    ["a key as a config value of the wrong type", (key) => ({ files: { "lumenguard.config.json": `{ "failOn": "${key}" }` }, argv: ["scan"] })],
    ["a key as an unknown config field", (key) => ({ files: { "lumenguard.config.json": `{ "${key}": 1 }` }, argv: ["scan"] })],
    ["a key as a custom pattern regex", (key) => ({ files: { "lumenguard.config.json": `{ "customPatterns": [{ "id": "x", "regex": "(${key}", "keywords": ["abc"] }] }` }, argv: ["scan"] })],
    ["a key as a path that does not exist", (key) => ({ files: {}, argv: ["scan", key] })],
    ["a key as a flag", (key) => ({ files: {}, argv: ["scan", `--${key}`] })],
    ["a key as a format", (key) => ({ files: {}, argv: ["scan", "--format", key] })],
    ["a key as a command", (key) => ({ files: {}, argv: [key] })],
    ["a key in a baseline that is not JSON", (key) => ({ files: { "b.json": `{ ${key} }` }, argv: ["scan", "--baseline", "b.json"] })],
  ];

  it.each(errorPaths)("error path: %s", async (_, build) => {
    const key = makeKey();
    const { files, argv } = build(key);
    const outcome: CliOutcome = await runCli(argv, { cwd: createDir(files) });
    expect(outcome.code).toBeGreaterThanOrEqual(2);
    expectNoKey(outcome.stdout + outcome.stderr, [key], "error output");
  });
});

describe("keys in what a real scan echoes, in every encoding, reach no output", () => {
  /** Runs every format (stdout, stderr and the written file) and returns what it printed and wrote. */
  async function everyFormat(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Array<[string, string]>> {
    const outputs: Array<[string, string]> = [];
    for (const format of FORMATS) {
      const outcome = await runCli([...argv, "--format", format, "--report", `${format}=${join(createDir(), `r.${format}`)}`], { cwd, env, tty: true });
      outputs.push([format, outcome.stdout + outcome.stderr]);
    }
    const summary = join(createDir(), "summary.md");
    const github = await runCli([...argv, "--format", "github"], { cwd, env: { ...env, GITHUB_STEP_SUMMARY: summary } });
    outputs.push(["github step summary", github.stdout + github.stderr + readFileSync(summary, "utf8")]);
    return outputs;
  }

  function expectNoLeak(outputs: Array<[string, string]>, keys: string[]) {
    for (const [format, text] of outputs) expect(leakIn(text, keys), format).toBeNull();
  }

  it("file names holding keys", async () => {
    const named = FILE_NAME_ENCODINGS.map(() => makeKey());
    const files = Object.fromEntries(FILE_NAME_ENCODINGS.map((encoding, i) => [`src/${encodeKey(named[i]!, encoding)}.ts`, `const k = "${makeKey()}";\n`]));
    const dir = createDir(files);
    const outputs = await everyFormat(["scan", "."], dir);
    const json = JSON.parse((await runCli(["scan", ".", "-f", "json"], { cwd: dir })).stdout);
    // Each file's key, and each key in a name (a name is committed too): every encoding the engine reads in content.
    expect(json.findings.filter((finding: Finding) => finding.messageId === "hardCoded")).toHaveLength(FILE_NAME_ENCODINGS.length);
    // (A base64 run glued to `.ts` is not read as base64 in content either.)
    expect(json.findings.filter((finding: Finding) => finding.messageId === "inFileName")).toHaveLength(FILE_NAME_ENCODINGS.filter((encoding) => encoding !== "base64url").length);
    expectNoLeak(outputs, named);
  });

  it("file names that are not UTF-8 and hold a key with an escaped dot: every format, the baseline and key ages", async () => {
    // A name with a byte that is not UTF-8 is reported escaped (`\\` for a backslash, `\xNN`):
    // a key whose dot is written `\x2e` or `\u002e` is then one escape level deeper.
    const named = [makeKey(), makeKey(), makeKey(), makeKey()];
    const nameBytes = (key: string, dot: string, tail: number[], prefix = "src/") =>
      Buffer.concat([Buffer.from(`${prefix}${key.slice(0, key.indexOf("."))}${dot}${key.slice(key.indexOf(".") + 1)}`), Buffer.from(tail)]);
    const repo = createRepo();
    writeFiles(repo, { "lumenguard.config.json": JSON.stringify({ rotation: { maxAgeDays: 90 } }), ".gitignore": ".env*\n", ".env.local": `LUMENFALL_API_KEY=${makeKey()}\n` });
    mkdirSync(join(repo, "src"));
    const names = [
      nameBytes(named[0]!, "\\x2e", [0xff, 0x2e, 0x6a, 0x73]),
      nameBytes(named[1]!, "\\u002e", [0xfe, 0x2e, 0x6a, 0x73]),
      nameBytes(named[2]!, "\\\\x2e", [0xc3, 0x28]),
      nameBytes(named[3]!, "\\x2e", [0xff], ".env."),
    ];
    for (const name of names) writeFileSync(Buffer.concat([Buffer.from(`${repo}/`), name]), `LUMENFALL_API_KEY=${makeKey()}\n`);
    const json = JSON.parse((await runCli(["scan", ".", "-f", "json"], { cwd: repo })).stdout);
    expect(json.findings.filter((finding: Finding) => finding.ruleId === "lumenfall-key").length).toBeGreaterThanOrEqual(3);
    expectNoLeak(await everyFormat(["scan", "."], repo), named);
    const baseline = await runCli(["baseline", "-o", "base.json"], { cwd: repo });
    expect(leakIn(baseline.stdout + baseline.stderr + readFileSync(join(repo, "base.json"), "latin1"), named)).toBeNull();
    // Rotation is on: the state file records .env.local, and leaves out the name holding a key.
    const ages = readFileSync(join(repo, ".git/lumenguard/key-ages.json"), "latin1");
    expect(Object.keys(JSON.parse(ages).files)).toEqual([".env.local"]);
    expect(leakIn(ages, named)).toBeNull();
  });

  it("a source map whose sources entry holds a key (the finding's original file)", async () => {
    const inSources = ["plain", "base64url", "percent-every-char", "percent-dot"] as const;
    const hidden = inSources.map(() => makeKey());
    const files: Record<string, string> = {};
    inSources.forEach((encoding, i) => {
      files[`dist/app${i}.js`] = `var k="${makeKey()}";\n//# sourceMappingURL=app${i}.js.map\n`;
      files[`dist/app${i}.js.map`] = JSON.stringify({ version: 3, sources: [`webpack:///src/${encodeKey(hidden[i]!, encoding)}.ts`], names: [], mappings: "AAAA" });
    });
    const dir = createDir(files);
    const json = JSON.parse((await runCli(["scan", "--bundles", "dist", "-f", "json"], { cwd: dir })).stdout);
    const traced = json.findings.filter((finding: Finding) => finding.original);
    expect(traced).toHaveLength(inSources.length);
    // Shown as the key's redacted form, wherever the scrubber found it.
    for (const finding of traced) expect(finding.original.file).toMatch(/^webpack:\/\/\/src\/.*lmnfl_[A-Za-z0-9]+\.…/);
    expectNoLeak(await everyFormat(["scan", "--bundles", "dist"], dir), hidden);
  });

  it("an inline-allow reason holding a key (base64, percent-encoded, UTF-16 as escapes)", async () => {
    const reasons = ["base64", "base64-after-1", "percent-every-char", "json-escaped", "plain"] as const;
    const hidden = reasons.map(() => makeKey());
    const lines = reasons.map((encoding, i) => `const k${i} = "${makeKey()}"; // lumenguard-allow: rotated, was ${encodeKey(hidden[i]!, encoding)}`);
    const dir = createDir({ "src/a.ts": `${lines.join("\n")}\n` });
    const json = JSON.parse((await runCli(["scan", ".", "-f", "json"], { cwd: dir })).stdout);
    // Each line's key is allowed with its reason (keys inside the comment may be allowed too).
    expect(new Set(json.suppressed.map((allowed: { line: number }) => allowed.line))).toEqual(new Set([1, 2, 3, 4, 5]));
    for (const allowed of json.suppressed) expect(allowed.reason).toMatch(/^rotated, was .*lmnfl_[A-Za-z0-9]+\.…/);
    expectNoLeak(await everyFormat(["scan", "."], dir), hidden);
  });

  it("a commit author holding a key (history)", async () => {
    const author = makeKey();
    const repo = createRepo();
    writeFiles(repo, { "a.ts": `const k = "${makeKey()}";\n` });
    git(repo, ["add", "-A"]);
    git(repo, ["commit", "-q", "-m", "k"], { GIT_AUTHOR_NAME: `Eve ${encodeKey(author, "base64url")} ${author}` });
    const json = JSON.parse((await runCli(["scan", "--history", "-f", "json"], { cwd: repo })).stdout);
    expect(json.findings[0].commit.author).toMatch(/^Eve /);
    expectNoLeak(await everyFormat(["scan", "--history"], repo), [author]);
  });
});
