import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { npmInstall, packedLumenguard, run } from "./helpers/installs.js";
import { root } from "./helpers/process.js";
import { recipe } from "./helpers/readme.js";
import { writeFiles } from "./helpers/repo.js";

/**
 * A TypeScript consumer of the published package: lumenguard installed from its packed tarball
 * with `@types/node` and nothing else — no vite, no webpack (both optional peer dependencies) —
 * and the README's programmatic-API, Vite and webpack recipes as written, type-checked by this
 * repository's TypeScript compiler with `strict` and `skipLibCheck: false`, so the package's own
 * declaration files are checked too.
 */

const devDependencies = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies;
const tsc = join(root, "node_modules/typescript/bin/tsc");

describe("the published types, in a TypeScript project without vite or webpack", () => {
  // Not createDir(): that folder is removed after each test, and every test here uses the one install.
  const dir = join(mkdtempSync(join(tmpdir(), "lumenguard-types-")), "app");
  afterAll(() => rmSync(dirname(dir), { recursive: true, force: true }));
  beforeAll(() => {
    mkdirSync(dir);
    writeFiles(dir, { "package.json": '{ "name": "app", "private": true, "type": "module" }\n' });
    npmInstall(dir, ["-D", packedLumenguard(), `@types/node@${devDependencies["@types/node"]}`]);
  }, 300_000);

  it("installs from the packed tarball without pulling in vite, webpack or eslint", () => {
    expect(existsSync(join(dir, "node_modules/lumenguard/lib/src/index.d.ts"))).toBe(true);
    for (const name of ["vite", "webpack", "eslint", "typescript"]) expect(existsSync(join(dir, "node_modules", name)), name).toBe(false);
  });

  it.each([
    ["NodeNext", { module: "NodeNext", moduleResolution: "NodeNext" }],
    ["Bundler", { module: "ESNext", moduleResolution: "Bundler" }],
  ])("the README's API, Vite and webpack recipes type-check under strict, moduleResolution %s", (_name, resolution) => {
    writeFiles(dir, {
      "tsconfig.json": JSON.stringify({
        compilerOptions: { target: "ES2022", ...resolution, strict: true, noEmit: true, skipLibCheck: false, exactOptionalPropertyTypes: true, types: ["node"] },
        files: ["api.ts", "vite.config.ts", "webpack.config.ts", "typed.ts"],
      }),
      "api.ts": `${recipe("api")}\nexport {};\n`,
      "vite.config.ts": recipe("vite-config"),
      "webpack.config.ts": recipe("webpack-config"),
      // The options and results as typed values: a wrong shape here is a compile error.
      "typed.ts": [
        'import { scan, UsageError, type Finding, type ScanResult } from "lumenguard";',
        'import lumenguard, { type LumenguardViteOptions } from "lumenguard/vite";',
        'import LumenguardWebpackPlugin, { type LumenguardWebpackOptions } from "lumenguard/webpack";',
        'const viteOptions: LumenguardViteOptions = { failOn: "high", root: "." };',
        "const webpackOptions: LumenguardWebpackOptions = { failOnFindings: false };",
        "export const plugins = [lumenguard(viteOptions), new LumenguardWebpackPlugin(webpackOptions)];",
        'export async function lines(): Promise<number[]> {',
        '  try {',
        '    const result: ScanResult = await scan({ mode: { kind: "history", revisions: ["HEAD"] } });',
        "    return result.findings.map((finding: Finding) => finding.line);",
        "  } catch (error) {",
        "    if (error instanceof UsageError) return [error.exitCode];",
        "    throw error;",
        "  }",
        "}",
        "",
      ].join("\n"),
    });
    const checked = run(process.execPath, [tsc, "-p", "tsconfig.json"], dir, {}, 120_000);
    expect(checked.stdout + checked.stderr).toBe("");
    expect(checked.status).toBe(0);
  }, 120_000);

  it("the check can fail: a wrong option shape is a compile error", () => {
    writeFiles(dir, {
      "wrong.ts": 'import { scan } from "lumenguard";\nawait scan({ mode: { kind: "worktree", staged: true } });\nexport {};\n',
      "tsconfig.wrong.json": JSON.stringify({ extends: "./tsconfig.json", files: ["wrong.ts"] }),
    });
    const checked = run(process.execPath, [tsc, "-p", "tsconfig.wrong.json"], dir, {}, 120_000);
    expect(checked.stdout).toContain("wrong.ts(2,");
    expect(checked.status).not.toBe(0);
  }, 120_000);
});
