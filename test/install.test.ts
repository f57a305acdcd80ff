import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packedLumenguard, run } from "./helpers/installs.js";
import { makeKey, randomString } from "./helpers/keys.js";
import { recipe } from "./helpers/readme.js";
import { writeFiles } from "./helpers/repo.js";

/**
 * lumenguard as a project gets it: `npm pack` of this checkout (with its lifecycle scripts, as a
 * user packs it), `npm install --save-dev` of the tarball with npm's default log level, then its
 * bin and its programmatic API (the README's `api` recipe, run as written).
 */

let project: string;
let install: { status: number | null; stdout: string; stderr: string };

beforeAll(() => {
  // Not createDir(): that is emptied after each test, and this project serves all of them.
  project = mkdtempSync(join(tmpdir(), "lumenguard-install-"));
  writeFiles(project, { "package.json": '{ "name": "app", "version": "1.0.0", "private": true, "type": "module" }\n' });
  install = run("npm", ["install", "--save-dev", "--no-audit", "--no-fund", "--prefer-offline", packedLumenguard()], project, {}, 240_000);
}, 300_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("npm pack, then npm install of the tarball", () => {
  it("installs without a warning or an error (no install script npm would ask to allow)", () => {
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr.split("\n").filter((line) => /^npm (warn|error|WARN|ERR)/.test(line)), install.stderr).toEqual([]);
    const packed = JSON.parse(readFileSync(join(project, "node_modules/lumenguard/package.json"), "utf8")) as { scripts?: Record<string, string> };
    for (const script of ["preinstall", "install", "postinstall", "prepare"]) expect(packed.scripts?.[script], script).toBeUndefined();
    // Packing put this checkout's package.json back as it was.
    expect(JSON.parse(readFileSync(join(import.meta.dirname, "../package.json"), "utf8")).scripts.prepare).toBe("node scripts/prepare.js");
  });

  it("the bin runs: a key in the project fails the scan, redacted", () => {
    const key = makeKey();
    writeFiles(project, { "bin-check/leak.js": `const key = "${key}";\n` });
    const scanned = run(join(project, "node_modules/.bin/lumenguard"), ["scan", "bin-check"], project);
    expect(scanned.status, scanned.stdout + scanned.stderr).toBe(1);
    expect(scanned.stdout).toContain("lumenfall-key");
    expect(scanned.stdout + scanned.stderr).not.toContain(key);
  });

  it("api: the README's programmatic API recipe, as written, renders built-in and custom-pattern findings", () => {
    const key = makeKey();
    const token = `acme_${randomString(36)}`;
    writeFiles(project, {
      "src/a.js": `const key = "${key}";\nconst acme = "${token}";\n`,
      "lumenguard.config.json": `${JSON.stringify({ customPatterns: [{ id: "acme-token", regex: "acme_[A-Za-z0-9]{32,}", keywords: ["acme_"] }] })}\n`,
    });
    const script = recipe("api");
    expect(script.split("\n")[0]).toBe("// scan.mjs");
    writeFileSync(join(project, "scan.mjs"), script);
    const result = run("node", ["scan.mjs"], project);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n").sort();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^a\.js:1:14 lumenfall-key Lumenfall API key lmnfl_\w+\.…[\w-]{4} is hard-coded here$/);
    expect(lines[1]).toMatch(/^a\.js:2:15 acme-token Secret matching custom pattern acme-token: acme…\w{4}$/);
    expect(result.stdout).not.toContain(key);
    expect(result.stdout).not.toContain(token);
  });
});

describe("SECURITY.md", () => {
  it("its Dependencies list is exactly package.json's dependencies", () => {
    const security = readFileSync(join(import.meta.dirname, "../SECURITY.md"), "utf8");
    const section = security.slice(security.indexOf("## Dependencies\n"), security.indexOf("\n## ", security.indexOf("## Dependencies\n") + 1));
    const listed = [...new Set([...section.split("\n- ")[1]!.matchAll(/`([@\w/.-]+)`\s+\(/g)].map((match) => match[1]!))].sort();
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(listed).toEqual(Object.keys(pkg.dependencies).sort());
  });
});
