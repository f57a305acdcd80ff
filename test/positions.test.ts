import { gzipSync } from "node:zlib";
import { build } from "vite";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import lumenguard from "../src/plugins/vite.js";
import type { ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * Positions as editors count them — 1-based lines, columns in UTF-16 code units, a byte-order
 * mark not counted — the same in every source and through source maps.
 */
const where = (report: ScanResult, ruleId?: string) => report.findings.filter((f) => !ruleId || f.ruleId === ruleId).map((f) => `${f.file}:${f.line}:${f.column}-${f.endColumn}`);
const scanJson = async (cwd: string, args: string[], stdin?: string | Buffer) => {
  const outcome = await runCli(["scan", "--format", "json", ...args], { cwd, ...(stdin !== undefined ? { stdin } : {}) });
  expect(outcome.code, outcome.stderr).toBe(1);
  return JSON.parse(outcome.stdout) as ScanResult;
};

describe("the same position in every source", () => {
  const key = makeKey();
  // A BOM, then `é` (2 bytes, 1 unit) and `😀` (4 bytes, 2 units) before the key on line 2.
  const text = `\uFEFF// header\nconst é😀 = "${key}";\n`;
  const column = 'const é😀 = "'.length + 1;
  const span = `2:${column}-${column + key.length}`;
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(1), "utf16le")]);

  it("working tree, a given file, staged, stdin and history", async () => {
    const repo = createRepo({ committed: { "a.ts": text, "w.txt": utf16 } });
    expect(where(await scanJson(repo, []))).toEqual([`a.ts:${span}`, `w.txt:${span}`]);
    expect(where(await scanJson(repo, ["a.ts"]))).toEqual([`a.ts:${span}`]);
    expect(where(await scanJson(repo, ["--history"]))).toEqual([`a.ts:${span}`, `w.txt:${span}`]);
    writeFiles(repo, { "b.ts": text });
    git(repo, ["add", "b.ts"]);
    expect(where(await scanJson(repo, ["--staged"]))).toEqual([`b.ts:${span}`]);
    expect(where(await scanJson(repo, ["-", "--stdin-filename", "c.ts"], text))).toEqual([`c.ts:${span}`]);
  });

  it("client output, compressed, and inside a zip", async () => {
    const dir = createDir({ "README.md": "x" });
    writeFiles(dir, { "out/a.js": text, "out/b.js.gz": gzipSync(text), "out/c.zip": zipSync({ "d.js": new TextEncoder().encode(text) }) });
    expect(where(await scanJson(dir, ["--bundles", "out"]))).toEqual([`out/a.js:${span}`, `out/b.js.gz:${span}`, `out/c.zip!d.js:${span}`]);
  });
});

describe("line breaks as editors count them: LF, CR LF, and a CR alone", () => {
  it("CR-only and CR CR LF files: the key's line and column as VS Code shows them, in the working tree, history and stdin; an inline allow on the line before counts the same lines", async () => {
    const key = makeKey();
    const files = {
      // Classic Mac line ends: three lines.
      "cr.py": `a = 1\rb = 2\rk = "${key}"\r`,
      // A CR before CR LF: two line breaks, so the key is on line 3.
      "crcr.py": `a = 1\r\r\nk = "${key}"\n`,
      // Mixed, with a key split over a CR LF inside a string (its end on the next line).
      "mixed.js": `// one\r\n// two\rconst k = "${key}";\n`,
    };
    const repo = createRepo({ committed: files });
    const expected = ['cr.py:3:6-', 'crcr.py:3:6-', `mixed.js:3:${'const k = "'.length + 1}-`];
    const strip = (places: string[]) => places.map((place) => place.replace(/-\d+$/, "-"));
    expect(strip(where(await scanJson(repo, [])))).toEqual(expected);
    expect(strip(where(await scanJson(repo, ["--history"])))).toEqual(expected);
    expect(strip(where(await scanJson(repo, ["-", "--stdin-filename", "cr.py"], files["cr.py"])))).toEqual(["cr.py:3:6-"]);
    // A comment alone on the line before (after a CR) allows the key; one two lines up does not.
    const allowed = createDir({ "a.py": `x = 1\r# lumenguard-allow: fixture\rk = "${key}"\r`, "b.py": `# lumenguard-allow: fixture\rx = 1\rk = "${key}"\r` });
    const outcome = await runCli(["scan", "--format", "json"], { cwd: allowed });
    const report = JSON.parse(outcome.stdout) as ScanResult;
    expect(where(report).map((place) => place.replace(/-\d+$/, ""))).toEqual(["b.py:3:6"]);
    expect(report.suppressed.map((entry) => `${entry.file}:${entry.line}`)).toEqual(["a.py:3"]);
    // The snippet is the key's line alone, not the whole CR-only file.
    expect(report.findings[0]!.snippet).toBe(`k = "${key.slice(0, key.indexOf("."))}.…${key.slice(-4)}"`);
  });

  it("UTF-16LE without a BOM, mostly CJK: text with lines, not binary", async () => {
    const key = makeKey();
    const cjk = Buffer.from(`${"说明文字".repeat(50)}\n密钥=${key}\n`, "utf16le");
    const repo = createRepo({ committed: { "cjk.txt": cjk } });
    expect(where(await scanJson(repo, []))).toEqual([`cjk.txt:2:4-${4 + key.length}`]);
    // Random binary with NULs on one side stays binary (a key in it is found at its byte offset).
    const binary = Buffer.alloc(4000);
    for (let i = 0; i < binary.length; i++) binary[i] = i % 2 === 1 && i % 20 === 1 ? 0 : ((i * 37 + 11) % 255) + 1;
    binary.write(key, 1000, "latin1");
    const bin = createDir({ "blob.bin": binary });
    expect(where(await scanJson(bin, []))[0]).toMatch(/^blob\.bin:1:1001-/);
  });
});

describe("through source maps", () => {
  it("the Vite plugin and a scan of the built output name the key's own column in the source", async () => {
    const key = makeKey();
    const source = `window.lumenfallConfig = { region: "eu", apiKey: "${key}" };\n`;
    const keyColumn = source.indexOf(key) + 1;
    expect(keyColumn).toBe(51);
    const root = createDir({ "package.json": JSON.stringify({ name: "app", private: true, type: "module" }), "index.html": '<script type="module" src="/src/lumen.js"></script>\n', "src/lumen.js": source });
    const failure = await build({ root, configFile: false, logLevel: "silent", build: { sourcemap: true }, plugins: [lumenguard()] }).then(
      () => null,
      (error: Error) => error,
    );
    const lines = String(failure?.message).split("\n").filter((line) => line.includes("(from src/lumen.js"));
    // The chunk and its map's sourcesContent: both at the key itself, not at the quote before it.
    expect(lines.map((line) => /\(from (src\/lumen\.js:\d+:\d+)\)/.exec(line)?.[1])).toEqual(["src/lumen.js:1:51", "src/lumen.js:1:51"]);

    await build({ root, configFile: false, logLevel: "silent", build: { sourcemap: true } });
    const report = await scanJson(root, ["--bundles", "dist"]);
    expect(report.findings.map((f) => f.original && `${f.original.file}:${f.original.line}:${f.original.column}`)).toEqual(["src/lumen.js:1:51", "src/lumen.js:1:51"]);
  });
});
