import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo } from "./helpers/repo.js";

/**
 * `scan --pack`: exactly what `npm pack --dry-run` would publish,
 * in real temporary packages — npm itself decides, through `files` and `.npmignore`.
 */
type Finding = { ruleId: string; file: string; line: number };
const pack = async (cwd: string, argv: string[] = []) => {
  const outcome = await runCli(["scan", "--pack", "--format", "json", ...argv], { cwd });
  const report = outcome.code <= 1 ? (JSON.parse(outcome.stdout) as { findings: Finding[]; stats: { files: number } }) : null;
  return { ...outcome, findings: report?.findings ?? [], files: report?.stats.files ?? 0 };
};

describe("scan --pack", () => {
  it("scans only the files package.json `files` publishes", async () => {
    const dir = createDir({
      "package.json": JSON.stringify({ name: "pkg", version: "1.0.0", files: ["dist/"] }),
      "dist/index.js": `module.exports = { key: "${makeKey()}" };\n`,
      "src/index.ts": `export const key = "${makeKey()}";\n`,
      "test/fixture.js": `const key = "${makeKey()}";\n`,
    });
    const { code, findings, files } = await pack(dir);
    expect(code).toBe(1);
    expect(findings.map((f) => [f.ruleId, f.file, f.line])).toEqual([["lumenfall-key", "dist/index.js", 1]]);
    expect(files).toBe(2); // dist/index.js and package.json
  });

  it("follows .npmignore — which replaces .gitignore, so git-ignored build output ships", async () => {
    const repo = createRepo({
      committed: {
        "package.json": JSON.stringify({ name: "pkg", version: "1.0.0" }),
        ".gitignore": "build/\n",
        ".npmignore": "secrets/\n",
        "index.js": "module.exports = require('./build/app.js');\n",
        "secrets/local.js": `module.exports = "${makeKey()}";\n`,
      },
      untracked: { "build/app.js": `exports.k = "${makeKey()}";\n` },
    });
    expect((await pack(repo)).findings.map((f) => f.file)).toEqual(["build/app.js"]);
    // A plain scan follows git, which ignores build/; --pack follows npm.
    expect((await runCli(["scan", "--format", "json"], { cwd: repo })).stdout).not.toContain("build/app.js");
  });

  it("gives npm's advice: the file ships because of `files` / .npmignore, not git", async () => {
    const key = makeKey();
    const repo = createRepo({
      committed: { "package.json": JSON.stringify({ name: "p", version: "1.0.0" }), ".gitignore": ".env\n", ".npmignore": "src/\n", "index.js": "module.exports = 1;\n" },
      untracked: { ".env": `LUMENFALL_API_KEY=${key}\n` },
    });
    const { code, stdout } = await runCli(["scan", "--pack", "--format", "json"], { cwd: repo });
    expect(code).toBe(1);
    const [finding, ...others] = JSON.parse(stdout).findings as Array<Finding & { column: number; message: string }>;
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ ruleId: "lumenfall-key", file: ".env", line: 1, column: 19 });
    expect(finding!.message).toBe(
      `Lumenfall API key lmnfl_${key.slice(6, key.indexOf("."))}.\u2026${key.slice(-4)} is in a file npm would publish with this package: keep the file out of the tarball (list only what ships in the "files" field of package.json, or add the file to .npmignore)`,
    );
    const text = await runCli(["scan", "--pack"], { cwd: repo });
    expect(text.stdout).toContain('"files" field of package.json, or add the file to .npmignore');
    expect(text.stdout).not.toContain(key);
  });

  it("takes the package folder as its one path", async () => {
    const parent = createDir({ "pkg/package.json": JSON.stringify({ name: "pkg", version: "1.0.0" }), "pkg/lib.js": `"${makeKey()}"` });
    expect((await pack(parent, ["pkg"])).findings.map((f) => f.file)).toEqual(["lib.js"]);
  });

  it("a clean package passes", async () => {
    const dir = createDir({ "package.json": JSON.stringify({ name: "pkg", version: "1.0.0" }), "index.js": "module.exports = 1;\n" });
    expect(await pack(dir)).toMatchObject({ code: 0, files: 2 });
  });

  it("exits 3 without a package.json, or when npm fails", async () => {
    const empty = await pack(createDir({ "a.js": "x" }));
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/--pack scans what npm would publish, and .* has no package\.json/);
    const key = makeKey();
    const broken = await pack(createDir({ "package.json": `{ "key": "${key}", ` }));
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain("npm pack --dry-run failed");
    expect(broken.stderr).not.toContain(key);
  });

  it("refuses other modes and several paths (exit 2)", async () => {
    const dir = createDir({ "package.json": "{}" });
    expect((await runCli(["scan", "--pack", "--staged"], { cwd: dir })).code).toBe(2);
    expect((await runCli(["scan", "--pack", "a", "b"], { cwd: dir })).code).toBe(2);
    expect((await runCli(["scan", "--pack", "--bundles", "dist"], { cwd: dir })).code).toBe(2);
  });
});
