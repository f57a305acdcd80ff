import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint, type Linter } from "eslint";
import { describe, expect, it } from "vitest";
import lumenguard from "../src/plugins/eslint.js";
import { runCli } from "./helpers/cli.js";
import { npmInstall, packedLumenguard, run } from "./helpers/installs.js";
import { keyIdOf, makeKey, randomString } from "./helpers/keys.js";
import { binEnv, root } from "./helpers/process.js";
import { recipe } from "./helpers/readme.js";
import { createDir, writeFiles } from "./helpers/repo.js";

/**
 * `lumenguard/eslint` run by the real `eslint` package: through its Node API (`ESLint`, as
 * editors call it) and its CLI. Every case lists every problem it must produce — rule id,
 * message id, line, column, end — no more, no fewer (ESLint's RuleTester asserts the same).
 */
const ESLINT_BIN = join(root, "node_modules/eslint/bin/eslint.js");

interface Problem {
  ruleId: string | null;
  messageId?: string | undefined;
  line: number;
  column: number;
  endLine?: number | undefined;
  endColumn?: number | undefined;
}

const shape = (message: Linter.LintMessage): Problem => ({
  ruleId: message.ruleId,
  messageId: message.messageId,
  line: message.line,
  column: message.column,
  endLine: message.endLine,
  endColumn: message.endColumn,
});

/** Lints `files` (already written in `dir`) with the plugin's recommended config plus `extra`. */
async function lint(dir: string, files: string[], extra: Linter.Config[] = []): Promise<ESLint.LintResult[]> {
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: [lumenguard.configs.recommended as Linter.Config, ...extra] });
  return eslint.lintFiles(files);
}

async function problemsOf(dir: string, file: string, extra: Linter.Config[] = []): Promise<{ problems: Problem[]; messages: string[] }> {
  const [result] = await lint(dir, [file], extra);
  expect(result?.messages.filter((message) => message.fatal)).toEqual([]);
  return { problems: result!.messages.map(shape), messages: result!.messages.map((message) => message.message) };
}

/** 1-based ESLint line and column of `offset`, counted the way ESLint counts (lines end at \r\n, \r, \n, U+2028, U+2029). */
function eslintPosition(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split(/\r\n|[\r\n\u2028\u2029]/);
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function keyProblem(ruleId: string, messageId: string, text: string, key: string, occurrence = 0): Problem {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(key, at + 1);
  const start = eslintPosition(text, at);
  const end = eslintPosition(text, at + key.length);
  return { ruleId, messageId, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

describe("lumenguard/eslint: what it reports", () => {
  it("a hard-coded key: at the key, redacted, with the revoke link and the guide; placeholders and allowed keys stay silent", async () => {
    const key = makeKey();
    const allowed = makeKey();
    const above = makeKey();
    const text = [
      'import OpenAI from "openai";',
      "",
      "const docs = \"lmnfl_abc123.xyz789\"; // the docs' example",
      'const mine = process.env.LUMENFALL_API_KEY ?? "lmnfl_your_api_key";',
      "const masked = `Bearer lmnfl_${id}.${secret}`;",
      `export const client = new OpenAI({ apiKey: "${key}", baseURL: "https://api.lumenfall.ai/openai/v1" });`,
      `const fixture = "${allowed}"; // lumenguard-allow: a revoked key kept for a test`,
      "// lumenguard-allow",
      `const other = "${above}";`,
      "",
    ].join("\n");
    const dir = createDir({ "src/server.js": text });
    const { problems, messages } = await problemsOf(dir, "src/server.js");
    expect(problems).toEqual([keyProblem("lumenguard/lumenfall-key", "hardCoded", text, key)]);
    const redacted = `lmnfl_${keyIdOf(key)}.…${key.slice(-4)}`;
    expect(messages[0]).toBe(
      `Lumenfall API key ${redacted} is hard-coded here — Fix: Revoke it now at https://lumenfall.ai/app/api_keys (key id ${keyIdOf(key)}, last four ${key.slice(-4)}) and create a new key. — See https://docs.lumenfall.ai/authentication#security-best-practices`,
    );
  });

  it("public env prefixes read in code, and the OpenAI SDK in the browser against Lumenfall", async () => {
    const text = [
      'import OpenAI from "openai";',
      "const direct = import.meta.env.VITE_LUMENFALL_API_KEY;",
      "export const client = new OpenAI({",
      "  apiKey: import.meta.env.VITE_AI_KEY,",
      '  baseURL: "https://api.lumenfall.ai/openai/v1",',
      "  dangerouslyAllowBrowser: true,",
      "});",
      "const model = import.meta.env.VITE_LUMENFALL_MODEL;",
      "",
    ].join("\n");
    const dir = createDir({ "src/client.js": text });
    const { problems, messages } = await problemsOf(dir, "src/client.js");
    expect(problems).toEqual([
      { ruleId: "lumenguard/public-env-prefix", messageId: "exposed", line: 2, column: 32, endLine: 2, endColumn: 54 },
      { ruleId: "lumenguard/public-env-prefix", messageId: "exposedClientKey", line: 4, column: 27, endLine: 4, endColumn: 38 },
      { ruleId: "lumenguard/browser-sdk-key", messageId: "browserFlag", line: 6, column: 3, endLine: 6, endColumn: 26 },
    ]);
    for (const message of messages) expect(message).toMatch(/ — Fix: Proxy Lumenfall requests through your own backend .* — See https:\/\/docs\.lumenfall\.ai\/authentication#security-best-practices$/);
  });

  it('a Lumenfall key variable read in a "use client" module', async () => {
    const text = '"use client";\n\nexport function useLumenfall() {\n  return process.env.LUMENFALL_API_KEY;\n}\n';
    const dir = createDir({ "app/hooks.js": text });
    expect((await problemsOf(dir, "app/hooks.js")).problems).toEqual([{ ruleId: "lumenguard/browser-sdk-key", messageId: "clientModule", line: 4, column: 22, endLine: 4, endColumn: 39 }]);
  });

  it("exact positions whatever the line endings and characters before the key: CRLF, a lone CR, U+2028, astral and accented characters", async () => {
    const keys = [makeKey(), makeKey(), makeKey(), makeKey()];
    const text = [
      `const a = "é😀"; const k1 = "${keys[0]}";\r\n`,
      `const b = 1;\rconst k2 = "${keys[1]}";\n`,
      `const c = "x\u2028y"; const k3 = "${keys[2]}";\u2029`,
      `const d = 2; /* ${keys[3]} */\n`,
    ].join("");
    const dir = createDir({ "src/lines.js": text });
    const { problems } = await problemsOf(dir, "src/lines.js");
    expect(problems).toEqual(keys.map((key) => keyProblem("lumenguard/lumenfall-key", "hardCoded", text, key)));
    // U+2028 and U+2029 end lines for ESLint, not for lumenguard (a lone CR ends one for both): the same characters, under other line numbers.
    expect(problems.map((problem) => problem.line)).toEqual([1, 3, 5, 6]);
  });

  it("reports what `lumenguard scan FILE` reports, at the same places (one engine, one loop)", async () => {
    const key = makeKey();
    const text = `const k = "${key}";\nconst v = process.env["NEXT_PUBLIC_LUMENFALL_TOKEN"];\nconst encoded = "${Buffer.from(makeKey()).toString("base64")}";\n`;
    const dir = createDir({ "lib/ai.js": text });
    const cli = await runCli(["scan", "lib/ai.js", "--format", "json", "--fail-on", "none"], { cwd: dir });
    const findings = JSON.parse(cli.stdout).findings as Array<{ ruleId: string; messageId: string; line: number; column: number; endLine: number; endColumn: number }>;
    expect(findings.length).toBe(3);
    const { problems } = await problemsOf(dir, "lib/ai.js");
    expect(problems).toEqual(findings.map((f) => ({ ruleId: `lumenguard/${f.ruleId}`, messageId: f.messageId, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn })));
  });
});

describe("lumenguard/eslint: the project's lumenguard config applies", () => {
  it("customPatterns are reported by lumenguard/custom-patterns; rules set to off and ignore globs are honoured", async () => {
    const token = `acme_${randomString(32)}`;
    const key = makeKey();
    const config = { customPatterns: [{ id: "acme-token", regex: "acme_[A-Za-z0-9]{32}", keywords: ["acme_"], severity: "high" }], rules: { "public-env-prefix": "off" }, ignore: ["vendor/**"] };
    const text = `const t = "${token}";\nconst v = import.meta.env.VITE_LUMENFALL_API_KEY;\n`;
    const dir = createDir({ "lumenguard.config.json": JSON.stringify(config), "src/a.js": text, "vendor/b.js": `const k = "${key}";\n` });
    const { problems, messages } = await problemsOf(dir, "src/a.js");
    expect(problems).toEqual([{ ruleId: "lumenguard/custom-patterns", messageId: "found", line: 1, column: 12, endLine: 1, endColumn: 12 + token.length }]);
    expect(messages[0]).toContain("Secret matching custom pattern acme-token: acme…");
    expect(messages[0]).not.toContain(token);
    expect((await problemsOf(dir, "vendor/b.js")).problems).toEqual([]);
  });

  it("an edited config is picked up by a long-lived ESLint (an editor's) within a second", async () => {
    const dir = createDir({ "src/a.js": "const v = import.meta.env.VITE_LUMENFALL_API_KEY;\n" });
    expect((await problemsOf(dir, "src/a.js")).problems.map((p) => p.ruleId)).toEqual(["lumenguard/public-env-prefix"]);
    writeFiles(dir, { "lumenguard.config.json": JSON.stringify({ rules: { "public-env-prefix": "off" } }) });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await problemsOf(dir, "src/a.js")).problems).toEqual([]);
  });

  it("an invalid config stops ESLint with the field named, as `lumenguard scan` does (exit 2)", async () => {
    const dir = createDir({ "lumenguard.config.json": JSON.stringify({ failOn: "sometimes" }), "src/a.js": "export {};\n" });
    const error = await lint(dir, ["src/a.js"]).then(
      () => null,
      (thrown: Error) => thrown,
    );
    expect(error?.message).toMatch(/lumenguard\.config\.json.*failOn/);
    writeFiles(dir, { "package.json": '{ "type": "module" }\n', "eslint.config.js": `import lumenguard from ${JSON.stringify(join(root, "lib/src/plugins/eslint.js"))};\nexport default [lumenguard.configs.recommended];\n` });
    const cli = spawnSync(process.execPath, [ESLINT_BIN, "src/a.js"], { cwd: dir, env: binEnv, encoding: "utf8" });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toMatch(/lumenguard\.config\.json.*failOn/);
  });
});

describe("lumenguard/eslint: --fix", () => {
  it("never touches a key: the plugin offers no fix and no suggestion, and the key is byte-identical after eslint --fix", () => {
    const key = makeKey();
    const text = `let key = "${key}";\nlet other = 1;\nexport { key, other };\n`;
    const dir = createDir({
      "package.json": '{ "type": "module" }\n',
      "eslint.config.js": `import lumenguard from ${JSON.stringify(join(root, "lib/src/plugins/eslint.js"))};\nexport default [lumenguard.configs.recommended, { rules: { "prefer-const": "error" } }];\n`,
      "src/a.js": text,
    });
    const fixed = spawnSync(process.execPath, [ESLINT_BIN, "--fix", "--format", "json", "src/a.js"], { cwd: dir, env: binEnv, encoding: "utf8" });
    expect(fixed.status).toBe(1);
    const after = readFileSync(join(dir, "src/a.js"), "utf8");
    // prefer-const fixed both declarations; the key is where it was, unchanged.
    expect(after).toBe(`const key = "${key}";\nconst other = 1;\nexport { key, other };\n`);
    const [result] = JSON.parse(fixed.stdout) as ESLint.LintResult[];
    expect(result!.messages.map(shape)).toEqual([{ ruleId: "lumenguard/lumenfall-key", messageId: "hardCoded", line: 1, column: 14, endLine: 1, endColumn: 14 + key.length }]);
    expect(result!.messages[0]).not.toHaveProperty("fix");
    expect(result!.messages[0]).not.toHaveProperty("suggestions");
    for (const rule of Object.values(lumenguard.rules)) {
      expect(rule.meta).not.toHaveProperty("fixable");
      expect(rule.meta).not.toHaveProperty("hasSuggestions");
    }
  });
});

describe("lumenguard/eslint: the plugin object", () => {
  it("its published types are ESLint's: an eslint.config.ts using ESLint.Plugin, Linter.Config and defineConfig type-checks", () => {
    const dir = createDir({
      "package.json": '{ "name": "app", "private": true, "type": "module" }\n',
      "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] }, files: ["eslint.config.ts"] }),
      "eslint.config.ts": [
        'import type { ESLint, Linter } from "eslint";',
        'import { defineConfig } from "eslint/config";',
        'import lumenguard from "lumenguard/eslint";',
        "const plugin: ESLint.Plugin = lumenguard;",
        "const recommended: Linter.Config = lumenguard.configs.recommended;",
        "void plugin;",
        'export default defineConfig([recommended, { plugins: { lumenguard }, rules: { "lumenguard/lumenfall-key": "warn" } }]);',
        "",
      ].join("\n"),
    });
    mkdirSync(join(dir, "node_modules"));
    for (const name of ["eslint", "@types"]) symlinkSync(join(root, "node_modules", name), join(dir, "node_modules", name));
    // The package as installed: its exports map leads "lumenguard/eslint" to lib/src/plugins/eslint.d.ts.
    symlinkSync(root, join(dir, "node_modules/lumenguard"));
    const checked = run(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], dir);
    expect(checked.stdout + checked.stderr).toBe("");
    expect(checked.status).toBe(0);
  });


  it("is a flat-config plugin whose recommended config turns every rule on", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(lumenguard.meta).toEqual({ name: "lumenguard", version: pkg.version });
    expect(lumenguard.configs.recommended.plugins.lumenguard).toBe(lumenguard);
    expect(Object.keys(lumenguard.configs.recommended.rules).sort()).toEqual(Object.keys(lumenguard.rules).map((name) => `lumenguard/${name}`).sort());
    for (const rule of Object.values(lumenguard.rules)) expect(rule.meta.docs.url).toMatch(/^https:\/\//);
  });
});

describe("lumenguard/eslint: the README's recipe, with lumenguard installed from its packed tarball", () => {
  it("eslint.config.js as the README writes it (`import lumenguard from \"lumenguard/eslint\"`) reports the key, redacted", () => {
    const devDependencies = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies;
    const dir = join(createDir(), "app");
    mkdirSync(dir);
    writeFiles(dir, { "package.json": '{ "name": "app", "private": true, "type": "module" }\n' });
    npmInstall(dir, ["-D", packedLumenguard(), `eslint@${devDependencies["eslint"]}`]);
    const key = makeKey();
    writeFiles(dir, {
      "eslint.config.js": recipe("eslint-config"),
      "src/server.js": `import OpenAI from "openai";\n\nexport const client = new OpenAI({\n  apiKey: "${key}",\n  baseURL: "https://api.lumenfall.ai/openai/v1",\n});\n`,
      "src/clean.js": 'export const apiKey = process.env.LUMENFALL_API_KEY ?? "lmnfl_your_api_key";\n',
    });
    const result = run(join(dir, "node_modules/.bin/eslint"), ["src"], dir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(1);
    const redacted = `lmnfl_${keyIdOf(key)}.…${key.slice(-4)}`;
    expect(result.stdout).toContain(`src/server.js\n  4:12  error  Lumenfall API key ${redacted} is hard-coded here — Fix: Revoke it now at https://lumenfall.ai/app/api_keys`);
    expect(result.stdout).toContain("✖ 1 problem (1 error, 0 warnings)");
    expect(result.stdout).not.toContain(key);
  }, 300_000);
});
