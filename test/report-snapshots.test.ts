import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { createRepo, writeFiles } from "./helpers/repo.js";
import { seededKeys } from "./helpers/seeded.js";

/**
 * The text and json reports of one real scan, byte for byte, against reviewed snapshot files
 * (test/__snapshots__/report.*): keys come from a fixed seed, so the files hold only their
 * redacted forms and the same output every run. Only the duration is normalised. A change to
 * either report shows up here as a diff to read, not as a test that still passes.
 */

const [hardCoded, inEnv, shipped, allowed, encoded] = seededKeys(31337, 5) as [string, string, string, string, string];

function project(): string {
  const repo = createRepo({
    committed: {
      "package.json": JSON.stringify({ name: "shop", devDependencies: { vite: "^5.0.0" } }),
      ".gitignore": "dist/\n",
      "src/server/lumenfall.ts": `import OpenAI from "openai";\n\nexport const client = new OpenAI({\n  baseURL: "https://api.lumenfall.ai/openai/v1",\n  apiKey: "${hardCoded}",\n});\n`,
      "src/fixtures.ts": `export const sample = "${allowed}"; // lumenguard-allow: revoked test key\nexport const docs = "lmnfl_your_api_key";\n`,
      "k8s/secret.yaml": `apiVersion: v1\nkind: Secret\ndata:\n  LUMENFALL_API_KEY: ${Buffer.from(encoded).toString("base64")}\n`,
      ".env.production": `LUMENFALL_API_KEY=${inEnv}\n`,
    },
  });
  writeFiles(repo, {
    "dist/assets/index.js": `const c={key:"${shipped}"};fetch("/api");\n//# sourceMappingURL=index.js.map\n`,
    "dist/assets/index.js.map": JSON.stringify({ version: 3, sources: ["../../src/client/config.ts"], names: [], mappings: "AAAA,SAAS" }),
  });
  return repo;
}

describe("exact reports", () => {
  it("text", async () => {
    const { code, stdout } = await runCli(["scan", "--include-placeholders"], { cwd: project() });
    expect(code).toBe(1);
    await expect(stdout.replace(/ scanned in \d+ ms/, " scanned in N ms")).toMatchFileSnapshot("__snapshots__/report.text.txt");
  });

  it("json", async () => {
    const { code, stdout } = await runCli(["scan", "--include-placeholders", "--format", "json"], { cwd: project() });
    expect(code).toBe(1);
    await expect(stdout.replace(/"durationMs": \d+/, '"durationMs": 0')).toMatchFileSnapshot("__snapshots__/report.json");
  });
});
