import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTracer } from "../src/sources/source-maps.js";
import type { ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir } from "./helpers/repo.js";

/**
 * Broken source maps are a warning, never the end of the scan: whatever a bundle's
 * `sourceMappingURL` says and whatever its map holds, the key in the bundle is reported (traced
 * or not), the scan exits 1 — never 3 — and a map that could not be used is a warning naming
 * the file. Fuzzed with fast-check, fixed seeds, over malformed URLs, data URIs and maps.
 */
const VLQ = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const mappings = fc.oneof(fc.string({ unit: fc.constantFrom(...VLQ, ",", ";"), maxLength: 80 }), fc.constantFrom("AAAA,A/////////////////D", "////////////////", "A", ";;;;", "AAAA;AACA", "gggggggggggggggg"), fc.string({ maxLength: 30 }));
const sourceName = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("src/a.ts", "../../../../etc/passwd", "webpack:///src/a.ts", "%E0%A4%A", "", "C:\\a.ts", "\u0000"));
const mapObject = fc.record(
  {
    version: fc.oneof(fc.constant(3), fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null)),
    sources: fc.oneof(fc.array(fc.oneof(sourceName, fc.constant(null), fc.integer()), { maxLength: 4 }), fc.string({ maxLength: 5 }), fc.constant(null)),
    sourcesContent: fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constant(null)), { maxLength: 3 }), fc.integer()),
    sourceRoot: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
    names: fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.boolean()),
    mappings: fc.oneof(mappings, fc.integer(), fc.array(fc.integer(), { maxLength: 3 })),
    sections: fc.array(fc.record({ offset: fc.record({ line: fc.integer(), column: fc.integer() }), map: fc.constant({ version: 3, sources: ["x"], mappings: "AAAA" }) }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
/** A map file's text: a malformed object, JSON cut short, or anything at all. */
const mapText = fc.oneof(
  mapObject.map((map) => JSON.stringify(map)),
  mapObject.chain((map) => fc.nat({ max: 200 }).map((cut) => JSON.stringify(map).slice(0, cut))),
  fc.string({ maxLength: 200 }),
  fc.json(),
  fc.constantFrom("", "{", "[]", "null", '{"version":3,"mappings":"AAAA","sources":["a"],"sourcesContent":["\\'),
);
/** What may follow `sourceMappingURL=`: file names, percent escapes, data URIs (good, bad and empty). */
const mapUrl = fc.oneof(
  fc.constantFrom("bad%E0%A4%A.map", "%", "%%%", "%E0%A4%A", "app.js.map", "m.map", "../../../../../../etc/passwd", "/m.map", "file:///m.map", "https://cdn.example/m.map", "data:", "data:,", "data:application/json;base64,%%%", "data:application/json,%E0%A4%A", "data:application/json;base64,", "data:;base64,====", "m.map?x=%ZZ"),
  fc.string({ unit: fc.constantFrom(..."abc%EF0123456789./:;,=?#-_"), maxLength: 40 }),
  mapText.map((text) => `data:application/json;base64,${Buffer.from(text).toString("base64")}`),
  mapText.map((text) => `data:application/json;charset=utf-8,${encodeURIComponent(text)}`),
  mapText.map((text) => `data:application/json,${text.replace(/\s/g, "")}`),
);

describe("broken source maps never end the scan", () => {
  it("the tracer throws only Errors, which the loop turns into warnings (2,000 cases)", () => {
    const dir = createDir();
    const bundle = join(dir, "app.js");
    fc.assert(
      fc.property(mapUrl, mapText, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 200 }), (url, map, line, column) => {
        writeFileSync(bundle, `var k=1;\n//# sourceMappingURL=${url}\n`);
        writeFileSync(join(dir, "app.js.map"), map);
        writeFileSync(join(dir, "m.map"), map);
        for (const spec of [{ kind: "bundle" as const, absPath: bundle, root: dir }, { kind: "sources-content" as const, absPath: join(dir, "m.map"), root: dir }, { kind: "map-json" as const, json: map, mapDir: dir, root: dir }]) {
          const trace = createTracer();
          try {
            const original = trace(spec, line, column);
            if (original) {
              expect(typeof original.file).toBe("string");
              expect(Number.isInteger(original.line) && original.line >= 1).toBe(true);
              expect(Number.isInteger(original.column) && original.column >= 1).toBe(true);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(Error);
          }
        }
      }),
      { numRuns: 2000, seed: 1_357 },
    );
  });

  it("through the CLI: the key is reported and the scan exits 1, with a warning when the map could not be used", async () => {
    const key = makeKey();
    const dir = createDir({ "package.json": JSON.stringify({ dependencies: { vite: "5" } }) });
    await fc.assert(
      fc.asyncProperty(mapUrl, mapText, async (url, map) => {
        rmSync(join(dir, "dist"), { recursive: true, force: true });
        mkdirSync(join(dir, "dist"));
        const files = { "dist/app.js": `var k="${key}";\n//# sourceMappingURL=${url}\n`, "dist/app.js.map": map, "dist/m.map": map };
        for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
        const { code, stdout, stderr } = await runCli(["scan", "--bundles", "dist", "--format", "json"], { cwd: dir });
        expect(stderr).not.toContain("internal error");
        expect(code).toBe(1);
        const report = JSON.parse(stdout) as ScanResult;
        const inBundle = report.findings.filter((f) => f.file === "dist/app.js");
        expect(inBundle.map((f) => [f.ruleId, f.line, f.column])).toEqual([["client-bundle-key", 1, 8]]);
        for (const warning of report.warnings) expect(warning.code === "source-map" || warning.code.startsWith("decompress") || warning.code === "unreadable").toBe(true);
      }),
      { numRuns: 120, seed: 2_468 },
    );
  }, 120_000);

  it("the field's examples: a malformed percent escape, a broken inline map, malformed mappings", async () => {
    const keys = [makeKey(), makeKey(), makeKey()];
    const dir = createDir({
      "package.json": JSON.stringify({ dependencies: { vite: "5" } }),
      "dist/a.js": `var k="${keys[0]}";\n//# sourceMappingURL=bad%E0%A4%A.map\n`,
      "dist/b.js": `var k="${keys[1]}";\n//# sourceMappingURL=data:application/json;base64,%%%\n`,
      "dist/c.js": `var k="${keys[2]}";\n//# sourceMappingURL=c.js.map\n`,
      "dist/c.js.map": JSON.stringify({ version: 3, sources: ["src/c.ts"], names: [], mappings: "AAAA,A/////////////////D" }),
    });
    const { code, stdout } = await runCli(["scan", "--bundles", "dist", "--format", "json"], { cwd: dir });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as ScanResult;
    expect(report.findings.map((f) => `${f.file}:${f.line}:${f.column}`)).toEqual(["dist/a.js:1:8", "dist/b.js:1:8", "dist/c.js:1:8"]);
    expect(report.warnings.map((w) => `${w.code} ${w.file}`)).toEqual(["source-map dist/a.js", "source-map dist/b.js", "source-map dist/c.js"]);
    expect(report.warnings[2]?.message).toMatch(/^dist\/c\.js: its source map could not be read/);
  });
});
