import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rules } from "../rules/index.js";
import { renderConfigTypes } from "../scripts/generate-config-types.js";

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
