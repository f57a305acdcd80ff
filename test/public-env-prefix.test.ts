import { describe, expect, it } from "vitest";
import type { FileFacts } from "../src/engine/rule.js";
import { message, scanText } from "./helpers/engine.js";
import { keyIdOf, lastFour, makeKey } from "./helpers/keys.js";

/** public-env-prefix: the tricky places beyond the rule's own examples. */
const RULE = "public-env-prefix";

function scan(path: string, code: string, facts: Partial<Omit<FileFacts, "path">> = {}, extraPrefixes?: string[]) {
  const found = scanText(code, { path, facts: { git: "tracked", ...facts }, config: extraPrefixes ? { publicEnvPrefixes: extraPrefixes } : {} });
  return { findings: found.findings.map((finding) => ({ ...finding, message: message(finding) })), suppressed: found.outcome.suppressed };
}

const positions = (path: string, code: string, facts: Partial<FileFacts> = {}, extraPrefixes?: string[]) =>
  scan(path, code, facts, extraPrefixes)
    .findings.filter((finding) => finding.ruleId === RULE)
    .map((finding) => ({ line: finding.line, column: finding.column }));

describe("env files", () => {
  it("reads a .env that git ignores, and attaches the key it holds", () => {
    const key = makeKey();
    const { findings } = scan(".env.local", `# local\nVITE_LUMENFALL_API_KEY=${key}\n`, { scope: "local", git: "ignored" });
    const finding = findings.find((f) => f.ruleId === RULE);
    expect(finding).toMatchObject({ line: 2, column: 1, endColumn: 23, severity: "high" });
    expect(finding?.secret).toMatchObject({ keyId: keyIdOf(key), lastFour: lastFour(key) });
    expect(finding?.message).toContain("VITE_ prefix");
    expect(finding?.message).toContain("Vite");
    expect(JSON.stringify(findings)).not.toContain(key);
  });

  it("reports a public credential named for Lumenfall whatever its value, but not a template's placeholder", () => {
    expect(positions(".env", "NEXT_PUBLIC_LUMENFALL_TOKEN=abc123realvalue\nNEXT_PUBLIC_LUMENFALL_URL=https://api.lumenfall.ai\n")).toEqual([{ line: 1, column: 1 }]);
    expect(positions(".env.example", "NEXT_PUBLIC_LUMENFALL_TOKEN=abc123realvalue\nVITE_LUMENFALL_API_KEY=lmnfl_your_api_key\n")).toEqual([]);
    expect(positions(".env.sample", `VITE_AI_KEY="${makeKey()}"\n`)).toEqual([{ line: 1, column: 1 }]);
  });

  it("follows multi-line quoted values and skips comments", () => {
    const code = `# VITE_LUMENFALL_API_KEY=${makeKey()}\nNOTE="line one\nVITE_LUMENFALL_API_KEY=inside a quoted value"\nGATSBY_LUMENFALL_SECRET='s3cr3tvalue' # comment\n`;
    expect(positions(".env.development", code)).toEqual([{ line: 4, column: 1 }]);
  });

  it("honours configured extra prefixes", () => {
    const code = `MYAPP_PUBLIC_LUMENFALL_KEY=${makeKey()}\n`;
    expect(positions(".env", code)).toEqual([]);
    const [finding] = scan(".env", code, {}, ["MYAPP_PUBLIC_"]).findings.filter((f) => f.ruleId === RULE);
    expect(finding?.message).toContain("MYAPP_PUBLIC_ prefix");
  });
});

describe("build configs", () => {
  it("next.config.js env and publicRuntimeConfig, with or without a prefix", () => {
    const code = [
      "/** @type {import('next').NextConfig} */",
      "const nextConfig = {",
      "  env: {",
      "    NEXT_PUBLIC_LUMENFALL_BASE_URL: 'https://api.lumenfall.ai/openai/v1',",
      "    LUMENFALL_API_KEY: process.env.LUMENFALL_API_KEY,",
      "    NEXT_PUBLIC_AI_KEY: process.env.LUMENFALL_API_KEY,",
      "  },",
      "  publicRuntimeConfig: { lumenfallToken: process.env.LUMENFALL_TOKEN, theme: 'dark' },",
      "};",
      "module.exports = nextConfig;",
    ].join("\n");
    expect(positions("next.config.js", code)).toEqual([
      { line: 5, column: 5 },
      { line: 6, column: 5 },
      { line: 8, column: 26 },
    ]);
    // The same object elsewhere is not a Next.js config.
    expect(positions("src/settings.js", code)).toEqual([]);
  });

  it("vite define: env keys with a public prefix, nested process.env, not bare globals", () => {
    const key = makeKey();
    const code = [
      "import { defineConfig, loadEnv } from 'vite'",
      "export default defineConfig(({ mode }) => {",
      "  const env = loadEnv(mode, process.cwd(), '')",
      "  return {",
      "    define: {",
      "      'import.meta.env.VITE_AI_KEY': JSON.stringify(env.LUMENFALL_API_KEY),",
      "      __LUMENFALL_KEY__: JSON.stringify(env.LUMENFALL_API_KEY),",
      `      'process.env': { VITE_LUMENFALL_TOKEN: JSON.stringify('${key}'), VITE_MODEL: '"flux"' },`,
      "    },",
      "  }",
      "})",
    ].join("\n");
    expect(positions("vite.config.ts", code)).toEqual([
      { line: 6, column: 24 },
      { line: 8, column: 24 },
    ]);
  });

  it("webpack DefinePlugin anywhere, flat or nested", () => {
    const code = [
      "const webpack = require('webpack');",
      "module.exports = { plugins: [",
      "  new webpack.DefinePlugin({ 'process.env.REACT_APP_LUMENFALL_API_KEY': JSON.stringify(process.env.REACT_APP_LUMENFALL_API_KEY) }),",
      "  new DefinePlugin({ 'process.env': { REACT_APP_AI_TOKEN: JSON.stringify(process.env.LUMENFALL_TOKEN) } }),",
      "  new DefinePlugin({ 'process.env.REACT_APP_VERSION': JSON.stringify('1.0') }),",
      "] };",
    ].join("\n");
    // Line 3 names the variable twice (the key and the read): one finding.
    expect(positions("craco.config.js", code)).toEqual([
      { line: 3, column: 43 },
      { line: 4, column: 39 },
    ]);
  });

  it("Expo app.json extra and app.config.ts extra", () => {
    const key = makeKey();
    const json = JSON.stringify({ expo: { name: "app", extra: { EXPO_PUBLIC_LUMENFALL_API_KEY: key, apiUrl: "https://api.lumenfall.ai", eas: { projectId: "p" } } } }, null, 2);
    expect(positions("app.json", json)).toEqual([{ line: 5, column: 8 }]);
    const { findings } = scan("app.json", json);
    expect(findings.find((f) => f.ruleId === RULE)?.message).toContain("Expo");
    const config = "export default ({ config }) => ({\n  ...config,\n  extra: {\n    lumenfallKey: process.env.LUMENFALL_API_KEY,\n    aiToken: '" + key + "',\n    apiUrl: process.env.LUMENFALL_BASE_URL,\n  },\n});";
    expect(positions("app.config.ts", config)).toEqual([
      { line: 4, column: 5 },
      { line: 5, column: 5 },
    ]);
    expect(positions("package.json", json)).toEqual([]);
  });
});

describe("code that reads the variable", () => {
  it("member, optional, bracket, destructuring and alias reads", () => {
    const code = [
      "const a = import.meta.env.VITE_LUMENFALL_API_KEY;",
      "const b = process.env?.['NEXT_PUBLIC_LUMENFALL_TOKEN'];",
      "const { REACT_APP_LUMENFALL_SECRET, REACT_APP_TITLE, ...rest } = process.env;",
      "const env = import.meta.env;",
      "const c = env.VITE_LUMENFALL_KEY ?? env.VITE_OTHER;",
      "const d = config.env.VITE_LUMENFALL_API_KEY_NOT_ENV;",
    ].join("\n");
    expect(positions("src/keys.ts", code)).toEqual([
      { line: 1, column: 27 },
      { line: 2, column: 26 },
      { line: 3, column: 9 },
      { line: 5, column: 15 },
    ]);
  });

  it("an apiKey or Authorization of a Lumenfall client, followed through consts and destructuring", () => {
    const code = [
      "const LUMENFALL = 'https://api.lumenfall.ai/openai/v1';",
      "const { VITE_AI_KEY: aiKey } = import.meta.env;",
      "const token = import.meta.env.VITE_IMAGE_TOKEN;",
      "export const client = new OpenAI({ apiKey: aiKey, baseURL: LUMENFALL });",
      "export const images = (body) => fetch(`${LUMENFALL}/images`, { headers: { 'Authorization': `Bearer ${token}` }, body });",
      "export const other = new OpenAI({ apiKey: import.meta.env.VITE_OPENAI_KEY });",
    ].join("\n");
    expect(positions("src/ai.js", code)).toEqual([
      { line: 2, column: 9 },
      { line: 3, column: 31 },
    ]);
  });

  it("does not confuse JSX text, comments, strings and regexes with code", () => {
    const code = [
      "export const Page = () => (",
      "  <p>Don't paste keys. {import.meta.env.VITE_LUMENFALL_TOKEN}</p>",
      ");",
      "/* import.meta.env.VITE_LUMENFALL_API_KEY */ const s = \"process.env.NEXT_PUBLIC_LUMENFALL_API_KEY\";",
      "const r = /import.meta.env.VITE_LUMENFALL_SECRET/g; const t = `${x}import.meta.env.VITE_LUMENFALL_SECRET`;",
    ].join("\n");
    expect(positions("src/Page.jsx", code)).toEqual([{ line: 2, column: 41 }]);
  });

  it("Astro frontmatter and markup, Svelte dynamic public env", () => {
    const astro = "---\nconst title = 'Hi';\n---\n<!-- {import.meta.env.PUBLIC_LUMENFALL_TOKEN} -->\n<p>{import.meta.env.PUBLIC_LUMENFALL_TOKEN}</p>\n<style>a { color: red }</style>";
    expect(positions("src/pages/index.astro", astro)).toEqual([{ line: 5, column: 21 }]);
    const svelte = "<script>\n  import { env } from '$env/dynamic/public';\n  const key = env.PUBLIC_LUMENFALL_API_KEY;\n</script>";
    expect(positions("src/lib/Key.svelte", svelte)).toEqual([{ line: 3, column: 19 }]);
  });

  it("wins over browser-sdk-key in a \"use client\" module", () => {
    const { findings } = scan("app/chat.tsx", '"use client";\nconst key = process.env.NEXT_PUBLIC_LUMENFALL_API_KEY;\n');
    expect(findings.map((f) => f.ruleId)).toEqual([RULE]);
  });

  it("can be allowed inline", () => {
    const outcome = scan("src/a.ts", "// lumenguard-allow: demo build only\nconst k = import.meta.env.VITE_LUMENFALL_API_KEY;\n");
    expect(outcome.findings).toEqual([]);
    expect(outcome.suppressed).toMatchObject([{ ruleId: RULE, line: 2, reason: "demo build only" }]);
  });

  it("skips history and bundles, and files whose text holds no keyword", () => {
    const code = "const k = import.meta.env.VITE_LUMENFALL_API_KEY;";
    expect(positions("src/a.ts", code, { scope: "history" })).toEqual([]);
    expect(positions("src/a.ts", code, { scope: "shipped" })).toEqual([]);
    expect(positions("src/a.ts", "const k = process.env.SOMETHING_ELSE;")).toEqual([]);
  });
});

describe("cost", () => {
  it("stays linear on large and hostile inputs", () => {
    const line = "const a = { b: `x${process.env.VITE_X}y`, c: /re[/]x/g, d: 'it\\'s', e: import.meta.env.VITE_LUMENFALL_API_KEY }; // c\n";
    const hostile = ["'".repeat(100_000), "{".repeat(100_000), "/".repeat(100_000), "`${".repeat(50_000), "(".repeat(100_000), "import.meta.env.VITE_LUMENFALL_API_KEY lumenfall.ai dangerouslyAllowBrowser", "/*"].join("\n");
    for (const code of [line.repeat(8_000), hostile]) {
      const started = performance.now();
      scan("src/big.ts", code);
      expect(performance.now() - started).toBeLessThan(3_000);
    }
    expect(positions("src/big.ts", line.repeat(3))).toHaveLength(3);
  });
});

describe("messages", () => {
  it("say which prefix, which tool, and who can read the key", () => {
    const message = (path: string, code: string) => scan(path, code).findings.find((f) => f.ruleId === RULE)?.message;
    expect(message("App.tsx", "const k = process.env.EXPO_PUBLIC_LUMENFALL_API_KEY;")).toBe(
      "EXPO_PUBLIC_LUMENFALL_API_KEY is inlined into the app bundle by Expo (EXPO_PUBLIC_ prefix): anyone who installs the app can read the key",
    );
    expect(message("src/a.ts", "const k = import.meta.env.VITE_LUMENFALL_API_KEY;")).toBe(
      "VITE_LUMENFALL_API_KEY is inlined into the browser bundle by Vite (VITE_ prefix): anyone who loads the page can read the key",
    );
  });
});
