import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rules } from "../rules/index.js";
import { renderConfigTypes } from "../scripts/generate-config-types.js";
import { resolveConfig } from "../src/config/resolve-config.js";
import type { ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { randomString } from "./helpers/keys.js";
import { createDir, writeFiles } from "./helpers/repo.js";

const schema = JSON.parse(readFileSync(new URL("../schema/lumenguard.schema.json", import.meta.url), "utf8"));

describe("config schema and TypeScript types stay in step", () => {
  it("src/config/config-types.generated.ts is what the schema generates", async () => {
    const committed = readFileSync(new URL("../src/config/config-types.generated.ts", import.meta.url), "utf8");
    // If this fails: `node scripts/generate-config-types.js` and commit the result.
    expect(committed).toBe(await renderConfigTypes());
  });

  it("every rule can be configured, and nothing else", () => {
    const configurable = Object.keys(schema.properties.rules.properties);
    for (const rule of rules) expect(configurable).toContain(rule.meta.id);
  });

  it("the package ships the schema", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(pkg.files).toContain("schema/");
    expect(pkg.exports["./schema.json"]).toBe("./schema/lumenguard.schema.json");
  });
});

describe("the README's configuration example", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Programmatic API"));
  const example = /```json\n([\s\S]*?)\n```/.exec(section)?.[1] ?? "";

  it("is a valid config, verbatim, and does what the table says", async () => {
    const dir = createDir({ "lumenguard.config.json": example, ".lumenguard-baseline.json": JSON.stringify({ version: 1, entries: [] }) });
    const resolved = resolveConfig({ startDir: dir });
    expect(resolved.limits).toMatchObject({ fileBytes: 50_000_000, entryBytes: 256 << 20, archiveBytes: 1024 << 20, ratio: 100 });
    expect(resolved.isIgnored(join(dir, "src/__snapshots__/a.snap"))).toBe(true);
    expect(resolved.isIgnored(join(dir, "test/fixtures/deep/k.txt"))).toBe(true);
    expect(resolved.ruleMeta("acme-token")?.revokeUrl).toBe("https://acme.example/settings/tokens");
    writeFiles(dir, { "web/assets/app.js": `t="acme_${randomString(32)}"`, "src/a.snap": "x" });
    const { code, stdout } = await runCli(["scan", "--format", "json"], { cwd: dir });
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as ScanResult).findings.map((f) => [f.ruleId, f.file, f.source])).toEqual([["acme-token", "web/assets/app.js", "bundle"]]);
  });
});
