import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { describe, expect, it } from "vitest";
import lumenguard from "../src/plugins/vite.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createRepo, withoutGitOverrides, writeFiles } from "./helpers/repo.js";

/**
 * The Vite end-to-end test: a real `vite build` of a tiny app that reads
 * `import.meta.env.VITE_LUMENFALL_API_KEY` from an ignored `.env`. Vite inlines the value into
 * the ignored `dist/`; lumenguard finds it there and traces it back to the source line through
 * the map, and the Vite plugin stops the same build.
 */
const VITE_BIN = fileURLToPath(new URL("../node_modules/vite/bin/vite.js", import.meta.url));

/** The key is read on line 7 of src/main.js. */
const MAIN_JS = `// A chat button that calls Lumenfall straight from the browser: the mistake under test.
const baseURL = "https://api.lumenfall.ai/openai/v1";

export async function ask(prompt) {
  const response = await fetch(baseURL + "/chat/completions", {
    method: "POST",
    headers: { Authorization: "Bearer " + import.meta.env.VITE_LUMENFALL_API_KEY },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] }),
  });
  return response.json();
}

document.querySelector("#ask")?.addEventListener("click", () => ask("hello"));
`;

function viteApp(): { app: string; key: string } {
  const key = makeKey();
  const app = createRepo({
    committed: {
      "package.json": JSON.stringify({ name: "chat-app", private: true, type: "module", devDependencies: { vite: "8.3.8" } }),
      ".gitignore": ".env\ndist/\n",
      "index.html": '<!doctype html>\n<html><body><button id="ask">Ask</button><script type="module" src="/src/main.js"></script></body></html>\n',
      "vite.config.js": "export default { build: { sourcemap: true } };\n",
      "src/main.js": MAIN_JS,
    },
  });
  writeFiles(app, { ".env": `VITE_LUMENFALL_API_KEY=${key}\n` });
  return { app, key };
}

/** Vite as its users run it: the CLI, in the app's folder, without the test runner's environment. */
function viteBuildCli(app: string): void {
  const env = withoutGitOverrides(process.env);
  for (const name of Object.keys(env)) if (name.startsWith("VITE") || name === "NODE_ENV") delete env[name];
  execFileSync(process.execPath, [VITE_BIN, "build", "--logLevel", "silent"], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
}

type Finding = { ruleId: string; file: string; line: number; source: string; original?: { file: string; line: number; column: number } };

describe("vite build end to end", () => {
  it("finds the .env key Vite inlined into dist/, traced to src/main.js, and the plugin fails the same build", async () => {
    const { app, key } = viteApp();
    viteBuildCli(app);
    const chunks = readdirSync(join(app, "dist/assets")).filter((name) => name.endsWith(".js"));
    expect(chunks).toHaveLength(1);
    expect(readFileSync(join(app, "dist/assets", chunks[0] as string), "utf8")).toContain(key);

    const { code, stdout } = await runCli(["scan", "--format", "json"], { cwd: app });
    expect(code).toBe(1);
    expect(stdout).not.toContain(key);
    const findings = (JSON.parse(stdout) as { findings: Finding[] }).findings.filter((f) => f.ruleId === "client-bundle-key");
    expect(findings).toEqual([
      expect.objectContaining({ file: `dist/assets/${chunks[0]}`, line: 1, source: "bundle", original: expect.objectContaining({ file: "src/main.js", line: 7 }) }),
    ]);

    const failure = await build({ root: app, logLevel: "silent", plugins: [lumenguard()] }).then(
      () => null,
      (error: Error) => error,
    );
    expect(failure?.message).toMatch(/assets\/index-[\w-]+\.js:1:\d+ \(from src\/main\.js:7:\d+\)/);
    expect(failure?.message).not.toContain(key);
  });

  it("a build without the key passes the plugin", async () => {
    const { app } = viteApp();
    writeFiles(app, { ".env": "VITE_LUMENFALL_BASE_URL=https://api.lumenfall.ai/openai/v1\n" });
    await build({ root: app, logLevel: "silent", plugins: [lumenguard()] });
    expect(existsSync(join(app, "dist/index.html"))).toBe(true);
  });
});
