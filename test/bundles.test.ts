import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { build } from "esbuild";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, writeFiles } from "./helpers/repo.js";

/**
 * Client output: realistic bundles made at test time — minified by
 * esbuild with real source maps — scanned whether or not git ignores them.
 */
type Finding = { ruleId: string; file: string; line: number; column: number; source: string; original?: { file: string; line: number; column: number } };
const scanJson = async (cwd: string, argv: string[] = []) => {
  const outcome = await runCli(["scan", "--format", "json", ...argv], { cwd });
  return { ...outcome, findings: (outcome.code <= 1 ? JSON.parse(outcome.stdout).findings : []) as Finding[] };
};

/** A Vite-style app whose build output (ignored by git) leaks the key from src/config.ts line 3. */
async function viteApp(sourcemap: boolean | "inline") {
  const key = makeKey();
  const repo = createRepo({
    committed: {
      "package.json": JSON.stringify({ name: "app", devDependencies: { vite: "^5.0.0" } }),
      ".gitignore": "dist/\n",
      "src/main.ts": 'import { config } from "./config";\nfetch(config.url, { headers: { Authorization: `Bearer ${config.key}` } });\n',
      "src/config.ts": `export const config = {\n  url: "https://api.lumenfall.ai/openai/v1/models",\n  key: "${key}",\n};\n`,
    },
  });
  await build({ entryPoints: [join(repo, "src/main.ts")], bundle: true, minify: true, sourcemap, outfile: join(repo, "dist/assets/index-4f2a9c.js"), logLevel: "silent" });
  return { repo, key };
}

describe("client output", () => {
  it("finds a key in an ignored Vite dist/ and traces it through the external source map", async () => {
    const { repo } = await viteApp(true);
    const { code, findings } = await scanJson(repo);
    expect(code).toBe(1);
    // The bundle, the map beside it (deployed maps are public too), and the source itself.
    expect(findings).toEqual([
      expect.objectContaining({ ruleId: "client-bundle-key", file: "dist/assets/index-4f2a9c.js", line: 1, source: "bundle", original: { file: "src/config.ts", line: 3, column: 9 } }),
      expect.objectContaining({ ruleId: "client-bundle-key", file: "dist/assets/index-4f2a9c.js.map", original: { file: "src/config.ts", line: 3, column: 9 } }),
      expect.objectContaining({ ruleId: "lumenfall-key", file: "src/config.ts", line: 3, column: 9, source: "worktree" }),
    ]);
  });

  it("traces through an inline base64 map, whose own copy of the key is found too", async () => {
    const { repo } = await viteApp("inline");
    const { findings } = await scanJson(repo);
    expect(findings.map((f) => [f.ruleId, f.file, f.line, (f as { encoding?: string }).encoding ?? "raw", f.original?.file])).toEqual([
      ["client-bundle-key", "dist/assets/index-4f2a9c.js", 1, "raw", "src/config.ts"],
      ["client-bundle-key", "dist/assets/index-4f2a9c.js", 2, "base64", undefined],
      ["lumenfall-key", "src/config.ts", 3, "raw", undefined],
    ]);
  });

  it("a key only in a .map file's sourcesContent names the original file and line", async () => {
    const key = makeKey();
    const map = { version: 3, sources: ["webpack:///src/secret.js"], sourcesContent: [`// config\n\nexport const k = "${key}";\n`], mappings: "AAAA", names: [] };
    const repo = createRepo({ committed: { "package.json": JSON.stringify({ dependencies: { "react-scripts": "5" } }), ".gitignore": "build/\n" } });
    writeFiles(repo, { "build/static/js/main.js.map": JSON.stringify(map), "build/static/js/main.js": "console.log(1);\n" });
    const { findings } = await scanJson(repo);
    expect(findings).toEqual([expect.objectContaining({ file: "build/static/js/main.js.map", original: { file: "webpack:///src/secret.js", line: 3, column: 19 } })]);
  });

  it("decompresses .gz and .br siblings and names the compressed file", async () => {
    const key = makeKey();
    const js = `!function(){var a=1;\nvar k="${key}"}();`;
    const repo = createRepo({ committed: { "package.json": JSON.stringify({ devDependencies: { webpack: "5" } }), ".gitignore": "dist/\n" } });
    writeFiles(repo, { "dist/app.js.gz": gzipSync(js), "dist/app.js.br": brotliCompressSync(Buffer.from(js)) });
    const { findings } = await scanJson(repo);
    expect(findings.map((f) => [f.file, f.line, f.column])).toEqual([
      ["dist/app.js.br", 2, 8],
      ["dist/app.js.gz", 2, 8],
    ]);
  });

  it("opens zip-based packages, Chrome's header included, and the archives inside them", async () => {
    const key = makeKey();
    const zip = zipSync({ "manifest.json": new TextEncoder().encode('{"manifest_version":3}'), "js/bg.js": new TextEncoder().encode(`const k = "${key}";`), "inner.zip": zipSync({ "deep.js": new TextEncoder().encode(`"${key}"`) }, { level: 0 }) });
    const header = Buffer.alloc(16);
    header.write("Cr24", 0, "latin1");
    header.writeUInt32LE(3, 4);
    header.writeUInt32LE(4, 8);
    const crx = Buffer.concat([header, Buffer.from(zip)]);
    const repo = createRepo({ committed: { "README.md": "x" } });
    writeFiles(repo, { "release/ext.crx": crx, "release/app.zip": zip });
    const { findings } = await scanJson(repo, ["--bundles", "release"]);
    // The inner zip is opened in turn: the finding names the path inside it.
    expect(findings.map((f) => f.file).sort()).toEqual(["release/app.zip!inner.zip!deep.js", "release/app.zip!js/bg.js", "release/ext.crx!inner.zip!deep.js", "release/ext.crx!js/bg.js"]);
  });

  it("a browser-extension folder is client code; Next.js server output is not", async () => {
    const key = makeKey();
    const repo = createRepo({
      committed: { "package.json": JSON.stringify({ dependencies: { next: "14" } }), ".gitignore": ".next/\n", "extension/manifest.json": '{"manifest_version": 3, "name": "x"}', "extension/popup.js": `const k = "${key}";` },
    });
    writeFiles(repo, { ".next/static/chunks/app.js": `self.k="${key}"`, ".next/server/app/page.js": `const k = "${key}";` });
    const { findings } = await scanJson(repo);
    expect(findings.map((f) => [f.ruleId, f.file])).toEqual([
      ["client-bundle-key", ".next/static/chunks/app.js"],
      ["client-bundle-key", "extension/popup.js"],
    ]);
  });

  it("--bundles alone scans only that output; with paths, both", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "src/a.ts": `k = "${key}"`, "README.md": "x" } });
    writeFiles(repo, { "out/www/app.js": `k="${key}"` });
    expect((await scanJson(repo, ["--bundles", "out/www"])).findings.map((f) => f.file)).toEqual(["out/www/app.js"]);
    expect((await scanJson(repo, [".", "--bundles", "out/www"])).findings.map((f) => [f.ruleId, f.file])).toEqual([
      ["client-bundle-key", "out/www/app.js"],
      ["lumenfall-key", "src/a.ts"],
    ]);
  });

  it("config bundles are client output too", async () => {
    const repo = createRepo({ committed: { "lumenguard.config.json": '{ "bundles": ["web/assets"] }' } });
    writeFiles(repo, { "web/assets/x.js": `"${makeKey()}"` });
    expect((await scanJson(repo)).findings.map((f) => f.ruleId)).toEqual(["client-bundle-key"]);
  });

  it("a React Native app's sources ship inside the app", async () => {
    const repo = createRepo({ committed: { "package.json": JSON.stringify({ dependencies: { "react-native": "0.74" } }), "src/api.ts": `export const k = "${makeKey()}";`, "scripts/release.js": `const k = "${makeKey()}";` } });
    const { findings } = await scanJson(repo);
    expect(findings.map((f) => [f.ruleId, f.file])).toEqual([
      ["lumenfall-key", "scripts/release.js"],
      ["client-bundle-key", "src/api.ts"],
    ]);
  });

  it("keys in an ignored .env are not lumenfall-key findings", async () => {
    const repo = createRepo({ committed: { ".gitignore": ".env\n", "a.ts": "export {};" } });
    writeFiles(repo, { ".env": `LUMENFALL_API_KEY=${makeKey()}\n` });
    expect((await scanJson(repo)).findings.filter((f) => f.ruleId === "lumenfall-key")).toEqual([]);
  });

  it("an empty dist/ or none at all is fine", async () => {
    const repo = createDir({ "package.json": JSON.stringify({ devDependencies: { vite: "5" } }) });
    mkdirSync(join(repo, "dist"));
    writeFileSync(join(repo, "index.html"), "<html></html>");
    expect((await scanJson(repo)).code).toBe(0);
  });
});
