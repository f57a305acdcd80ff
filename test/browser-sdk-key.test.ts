import { describe, expect, it } from "vitest";
import type { FileFacts } from "../src/engine/rule.js";
import { message, scanText } from "./helpers/engine.js";
import { makeKey } from "./helpers/keys.js";

/** browser-sdk-key: the SDK in the browser, and key variables in "use client" modules. */
const RULE = "browser-sdk-key";

function scan(path: string, code: string, facts: Partial<Omit<FileFacts, "path">> = {}) {
  const found = scanText(code, { path, facts: { git: "tracked", ...facts } });
  return { findings: found.findings.map((finding) => ({ ...finding, message: message(finding) })) };
}

const found = (path: string, code: string, facts: Partial<FileFacts> = {}) =>
  scan(path, code, facts).findings.map((finding) => `${finding.ruleId}@${finding.line}:${finding.column}`);

describe("dangerouslyAllowBrowser against Lumenfall", () => {
  it("reports the flag, with its span and a message naming Lumenfall", () => {
    const code = 'const client = new OpenAI({\n  baseURL: "https://api.lumenfall.ai/openai/v1",\n  apiKey,\n  dangerouslyAllowBrowser: true,\n});\n';
    const [finding] = scan("src/client.ts", code).findings;
    expect(finding).toMatchObject({ ruleId: RULE, severity: "high", line: 4, column: 3, endColumn: 26 });
    expect(finding?.message).toContain("api.lumenfall.ai");
    expect(finding?.message).toContain("dangerouslyAllowBrowser");
  });

  it("follows the base URL through consts, templates and spreads", () => {
    const code = [
      "const HOST = 'https://api.lumenfall.ai';",
      "const BASE = `${HOST}/openai/v1`;",
      "const shared = { baseURL: BASE };",
      "export const a = new OpenAI({ ...shared, dangerouslyAllowBrowser: true });",
      "export const b = new OpenAI({ baseURL: import.meta.env.VITE_OPENAI_BASE, dangerouslyAllowBrowser: true });",
    ].join("\n");
    expect(found("src/ai.ts", code)).toEqual([`${RULE}@4:42`]);
  });

  it("reports with a literal key too, beside lumenfall-key at the key", () => {
    const code = `new OpenAI({ apiKey: "${makeKey()}", baseURL: "https://api.lumenfall.ai/openai/v1", dangerouslyAllowBrowser: true });`;
    expect(found("src/a.js", code).sort()).toEqual([`${RULE}@1:130`, "lumenfall-key@1:23"].sort());
  });

  it("finds the flag in minified client output, and in component scripts", () => {
    const minified = 'var x=1;const c=new Ke({apiKey:e,baseURL:"https://api.lumenfall.ai/openai/v1",dangerouslyAllowBrowser:!0});';
    expect(found("dist/assets/index-5e1f.js", minified, { scope: "shipped" })).toEqual([`${RULE}@1:79`]);
    const svelte = '<script lang="ts">\n  const c = createOpenAI({ baseURL: LUMENFALL_BASE_URL, dangerouslyAllowBrowser: true });\n</script>\n<p>{c}</p>';
    expect(found("src/lib/Chat.svelte", svelte)).toEqual([`${RULE}@2:57`]);
  });

  it("ignores the flag off, other providers, comments, strings and history", () => {
    const code = [
      "new OpenAI({ baseURL: 'https://api.lumenfall.ai/openai/v1', dangerouslyAllowBrowser: isDev });",
      "new OpenAI({ baseURL: 'https://api.openai.com/v1', dangerouslyAllowBrowser: true });",
      "// new OpenAI({ baseURL: 'https://api.lumenfall.ai', dangerouslyAllowBrowser: true })",
      "const s = \"{ baseURL: 'https://api.lumenfall.ai', dangerouslyAllowBrowser: true }\";",
    ].join("\n");
    expect(found("src/a.ts", code)).toEqual([]);
    expect(found("src/a.ts", "new OpenAI({ baseURL: 'https://api.lumenfall.ai', dangerouslyAllowBrowser: true });", { scope: "history" })).toEqual([]);
  });
});

describe('Lumenfall key variables in "use client" modules', () => {
  it("reports each read of a Lumenfall key variable, at the variable", () => {
    const code = [
      "'use client';",
      "import { LUMENFALL_API_KEY } from '@/lib/config';",
      "export function Chat() {",
      "  const key = process.env.LUMENFALL_TOKEN;",
      "  return <p>Don't share {LUMENFALL_API_KEY} or {key}</p>;",
      "}",
    ].join("\n");
    expect(found("app/chat/page.tsx", code)).toEqual([`${RULE}@2:10`, `${RULE}@4:27`, `${RULE}@5:26`]);
  });

  it("needs the directive first (after comments and other directives) and only in scripts", () => {
    const body = "const key = process.env.LUMENFALL_API_KEY;\n";
    expect(found("app/a.ts", `#!/usr/bin/env node\n/* header */\n"use strict";\n"use client";\n${body}`)).toEqual([`${RULE}@5:25`]);
    expect(found("app/b.ts", `export const x = 1;\n"use client";\n${body}`)).toEqual([]);
    expect(found("app/c.ts", `"use server";\n${body}`)).toEqual([]);
    expect(found("app/d.ts", `// "use client";\n${body}`)).toEqual([]);
    expect(found("src/App.vue", `<script>\n"use client";\n${body}</script>`)).toEqual([]);
  });

  it("a client module without key variables is fine", () => {
    const code = [
      '"use client";',
      "import { useState } from 'react';",
      "type Env = { LUMENFALL_API_KEY: string };",
      "const base = process.env.LUMENFALL_BASE_URL;",
      "const [lumenfallKey, setLumenfallKey] = useState('');",
      "export const send = (prompt) => fetch('/api/generate', { method: 'POST', body: JSON.stringify({ prompt }) });",
    ].join("\n");
    expect(found("app/generate.tsx", code)).toEqual([]);
  });

  it("leaves public-prefixed variables to public-env-prefix and literal keys to lumenfall-key", () => {
    const key = makeKey();
    const code = `"use client";\nconst a = process.env.NEXT_PUBLIC_LUMENFALL_API_KEY;\nconst b = "${key}";\n`;
    expect(found("app/x.tsx", code)).toEqual(["public-env-prefix@2:23", "lumenfall-key@3:12"]);
  });

  it("is not run on client output", () => {
    expect(found("dist/x.js", '"use client";\nconst k = process.env.LUMENFALL_API_KEY;', { scope: "shipped" })).toEqual([]);
  });
});
