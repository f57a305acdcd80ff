import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ScanResult } from "../src/types.js";
import { makeKey } from "./helpers/keys.js";
import { runCli } from "./helpers/cli.js";
import { hasProgram, shell } from "./helpers/process.js";
import { createDir } from "./helpers/repo.js";

/**
 * Big client output is scanned in under 200 MB of memory, whatever one file's size: a 1.5 GB
 * bundle is streamed and its `sourceMappingURL` read from its tail; a 400 MB map
 * with a key in its `sourcesContent` is traced by streaming the map, never parsing it whole.
 * Run with the real binary; peak memory measured with /usr/bin/time.
 */
const TIME = "/usr/bin/time";
const LIMIT_MB = 200;

function scanMeasured(dir: string) {
  const measured = hasProgram(TIME);
  if (!measured) console.warn(`big files: ${TIME} is missing; peak memory was not measured`);
  const started = Date.now();
  const run = shell(`${measured ? `${TIME} -f 'peak-kb %M' ` : ""}$LG scan --bundles dist --format json`, dir, { timeout: 180_000 });
  const seconds = (Date.now() - started) / 1000;
  const peakMb = measured ? Number(/peak-kb (\d+)/.exec(run.stderr)?.[1]) / 1024 : null;
  return { status: run.status, report: JSON.parse(run.stdout) as ScanResult, seconds, peakMb };
}

/** Writes `bytes` bytes of `block` repeated (the last copy cut short) to `fd`. */
function writeRepeated(fd: number, block: Buffer, bytes: number): void {
  for (let written = 0; written < bytes; written += block.length) writeSync(fd, block, 0, Math.min(block.length, bytes - written));
}

describe("big files", () => {
  it("a 1.5 GB bundle: both keys found, the first traced through its map, memory bounded", () => {
    const [first, last] = [makeKey(), makeKey()];
    const dir = createDir({ "package.json": "{}" });
    const line = "function f(a,b){return a+b+'some string here to pad the line out a little'}var x=f(1,2);\n";
    const block = Buffer.from(line.repeat(Math.floor((8 << 20) / line.length)));
    const head = `var k="${first}";\n`;
    const body = Math.floor(1_500_000_000 / line.length) * line.length;
    mkdirSync(join(dir, "dist"));
    const fd = openSync(join(dir, "dist/app.js"), "w");
    writeSync(fd, head);
    writeRepeated(fd, block, body);
    writeSync(fd, `var late="${last}";\n//# sourceMappingURL=app.js.map\n`);
    closeSync(fd);
    writeFileSync(join(dir, "dist/app.js.map"), JSON.stringify({ version: 3, sources: ["../src/a.ts"], names: [], mappings: "AAAA,OAGE" }));
    const lines = 1 + body / line.length;
    const { status, report, seconds, peakMb } = scanMeasured(dir);
    expect(status).toBe(1);
    expect(report.findings.map((f) => [f.file, f.line, f.column, f.original ? `${f.original.file}:${f.original.line}:${f.original.column}` : null])).toEqual([
      ["dist/app.js", 1, 8, "src/a.ts:4:3"],
      ["dist/app.js", lines + 1, 11, null],
    ]);
    console.info(`1.5 GB bundle: ${seconds.toFixed(1)} s, peak ${peakMb?.toFixed(0)} MB`);
    if (peakMb !== null) expect(peakMb).toBeLessThan(LIMIT_MB);
  }, 240_000);

  it("a 400 MB map with a key in its sourcesContent: traced to the source line, memory bounded", () => {
    const key = makeKey();
    const dir = createDir({ "package.json": "{}", "dist/app.js": "console.log(1);\n//# sourceMappingURL=app.js.map\n" });
    const sourceLine = "export const text = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do';\n";
    const escaped = Buffer.from(JSON.stringify(sourceLine.repeat(50_000)).slice(1, -1));
    const fd = openSync(join(dir, "dist/app.js.map"), "w");
    writeSync(fd, '{"version":3,"sources":["../src/filler.ts","../src/key.ts"],"names":[],"mappings":"AAAA","sourcesContent":["');
    const fillerBytes = 400_000_000 - escaped.length;
    const copies = Math.floor(fillerBytes / escaped.length);
    writeRepeated(fd, escaped, copies * escaped.length);
    writeSync(fd, `",${JSON.stringify(`// the key\n\nexport const key = "${key}";\n`)}]}\n`);
    closeSync(fd);
    const { status, report, seconds, peakMb } = scanMeasured(dir);
    expect(status).toBe(1);
    expect(report.findings.map((f) => [f.file, f.line, f.original && `${f.original.file}:${f.original.line}:${f.original.column}`])).toEqual([["dist/app.js.map", 1, "src/key.ts:3:21"]]);
    expect(report.warnings).toEqual([]);
    console.info(`400 MB map: ${seconds.toFixed(1)} s, peak ${peakMb?.toFixed(0)} MB`);
    if (peakMb !== null) expect(peakMb).toBeLessThan(LIMIT_MB);
  }, 240_000);

  it("a map whose mappings cover more than 200,000 lines is not traced: the key is reported where it is, with a warning", async () => {
    const key = makeKey();
    const dir = createDir({ "package.json": "{}", "dist/app.js": `var k="${key}";\n//# sourceMappingURL=app.js.map\n`, "dist/app.js.map": JSON.stringify({ version: 3, sources: ["a.ts"], names: [], mappings: `AAAA${";AACA".repeat(200_000)}` }) });
    const { code, stdout } = await runCli(["scan", "--bundles", "dist", "--format", "json"], { cwd: dir });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as ScanResult;
    expect(report.findings.map((f) => [f.file, f.line, f.column, f.original ?? null])).toEqual([["dist/app.js", 1, 8, null]]);
    expect(report.warnings.map((w) => w.message)).toEqual(["dist/app.js: its source map could not be read (its source map covers more than 200000 lines and was not traced); findings are reported where they are in the built file"]);
  });
});
