import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { lumenguard } from "./helpers/process.js";
import { createDir, createRepo } from "./helpers/repo.js";

/**
 * A built file names its own source map (`//# sourceMappingURL=…`), and a repository lumenguard
 * scans may have been written by anyone: the name must not lead lumenguard to read files
 * outside the scanned folder, through links, or without end. A map is followed only to a
 * regular file inside the scanned folder, reached through no link, at most 256 MiB; anything
 * else is a warning naming the built file, and the key is reported where it is in it.
 */
type Finding = { file: string; line: number; column: number; original?: { file: string; line: number; column: number } };
type Report = { findings: Finding[]; warnings: Array<{ message: string }> };

/** A map that traces every key of line 1 of the built file to `source`, line 4. */
function mapJson(source: string): string {
  return JSON.stringify({ version: 3, sources: [source], names: [], mappings: "AAAA,OAGE" });
}

/** A repository whose client output `public/app.js` holds a key and the given sourceMappingURL comment. */
function repoWithBundle(url: string | null): { dir: string; key: string } {
  const key = makeKey();
  const comment = url === null ? "" : `//# sourceMappingURL=${url}\n`;
  const dir = createRepo({ committed: { "README.md": "app\n", "public/app.js": `var k="${key}";\n${comment}` } });
  return { dir, key };
}

async function scan(dir: string): Promise<{ code: number; report: Report }> {
  const { code, stdout, stderr } = await runCli(["scan", "--format", "json"], { cwd: dir });
  expect(code, stderr).toBe(1);
  return { code, report: JSON.parse(stdout) as Report };
}

const warning = (reason: string) => `public/app.js: its source map could not be read (${reason}); findings are reported where they are in the built file`;

describe("a source map is followed only to a regular file inside the scanned folder", () => {
  it("the attack as reported: sourceMappingURL=../../big.img (a 4 GB file outside) is not read — at once, a warning (the real binary)", () => {
    const outside = createDir();
    execFileSync("truncate", ["-s", "4G", join(outside, "big.img")]);
    const key = makeKey();
    const dir = join(outside, "app");
    mkdirSync(join(dir, "public"), { recursive: true });
    execFileSync("git", ["init", "-q", dir]);
    writeFileSync(join(dir, "public/app.js"), `var k="${key}";\n//# sourceMappingURL=../../big.img\n`);
    execFileSync("git", ["add", "-A"], { cwd: dir });
    // The old code streamed all 4 GB looking for `mappings` (about a minute here).
    const run = lumenguard(["scan", "--format", "json"], dir, { timeout: 15_000 });
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.findings.map((f) => [f.file, f.line, f.column, f.original ?? null])).toEqual([["public/app.js", 1, 8, null]]);
    expect(report.warnings.map((w) => w.message)).toEqual([warning("its source map is outside the scanned folder and was not read")]);
  });

  it("a map outside the repository that would trace: not read through `..`", async () => {
    const { dir } = repoWithBundle("../../elsewhere/app.js.map");
    mkdirSync(join(dir, "../elsewhere"), { recursive: true });
    writeFileSync(join(dir, "../elsewhere/app.js.map"), mapJson("secret-source.ts"));
    const { report } = await scan(dir);
    expect(report.findings.map((f) => [f.file, f.original ?? null])).toEqual([["public/app.js", null]]);
    expect(report.warnings.map((w) => w.message)).toEqual([warning("its source map is outside the scanned folder and was not read")]);
  });

  it("<file>.map committed as a link to a map outside: not followed, a warning", async () => {
    const { dir } = repoWithBundle(null);
    const outside = createDir({ "app.js.map": mapJson("../src/a.ts") });
    symlinkSync(join(outside, "app.js.map"), join(dir, "public/app.js.map"));
    const { report } = await scan(dir);
    expect(report.findings.map((f) => [f.file, f.original ?? null])).toEqual([["public/app.js", null]]);
    expect(report.warnings.map((w) => w.message)).toEqual([warning("its source map is a symbolic link, which was not followed")]);
  });

  it("a link to a map inside the repository is not followed either (a link is never read through)", async () => {
    const { dir } = repoWithBundle("app.js.map");
    writeFileSync(join(dir, "public/real.map"), mapJson("../src/a.ts"));
    symlinkSync("real.map", join(dir, "public/app.js.map"));
    const { report } = await scan(dir);
    expect(report.findings.find((f) => f.file === "public/app.js")?.original).toBeUndefined();
    expect(report.warnings.map((w) => w.message)).toEqual([warning("its source map is a symbolic link, which was not followed")]);
  });

  it("a folder on the way that is a link to a folder outside: not followed, a warning", async () => {
    const { dir } = repoWithBundle("maps/app.js.map");
    const outside = createDir({ "app.js.map": mapJson("../src/a.ts") });
    symlinkSync(outside, join(dir, "public/maps"));
    const { report } = await scan(dir);
    expect(report.findings.map((f) => [f.file, f.original ?? null])).toEqual([["public/app.js", null]]);
    expect(report.warnings.map((w) => w.message)).toEqual([warning("its source map is reached through a symbolic link, which was not followed")]);
  });

  it("a FIFO at the map's name: a warning, never a hang", async () => {
    const { dir } = repoWithBundle(null);
    execFileSync("mkfifo", [join(dir, "public/app.js.map")]);
    const { report } = await scan(dir);
    expect(report.findings.map((f) => [f.file, f.original ?? null])).toEqual([["public/app.js", null]]);
    expect(report.warnings.map((w) => w.message)).toEqual([warning("its source map is not a regular file and was not read")]);
  });

  it("a map larger than 256 MiB is not read, a warning", async () => {
    const { dir } = repoWithBundle("app.js.map");
    const fd = openSync(join(dir, "public/app.js.map"), "w");
    closeSync(fd);
    execFileSync("truncate", ["-s", String(256 * 2 ** 20 + 1), join(dir, "public/app.js.map")]);
    const { report } = await scan(dir);
    expect(report.findings.map((f) => [f.file, f.original ?? null])).toEqual([["public/app.js", null]]);
    expect(report.warnings.map((w) => w.message)).toEqual([warning("its source map is larger than 256 MiB and was not read")]);
  });

  it("a map elsewhere inside the repository, through `..`, is still followed and traces", async () => {
    const { dir } = repoWithBundle("../maps/app.js.map");
    mkdirSync(join(dir, "maps"));
    writeFileSync(join(dir, "maps/app.js.map"), mapJson("../src/a.ts"));
    const { report } = await scan(dir);
    expect(report.warnings).toEqual([]);
    expect(report.findings.find((f) => f.file === "public/app.js")?.original).toEqual({ file: "src/a.ts", line: 4, column: 3 });
  });
});
