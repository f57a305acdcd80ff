import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, writeFiles } from "./helpers/repo.js";

/**
 * Where each format says a file is, in a monorepo scanned from its root or a package folder:
 * CI formats (sarif, github, gitlab, junit) from the repository root, where GitHub and GitLab
 * look for files; text and compact from the current directory, where a person opens them; JSON
 * keeps `file` (from the scan root) and adds `repoPath`.
 */

function monorepo() {
  const repo = createRepo({ committed: { "README.md": "# mono\n", "packages/web/src/app.ts": `\nconst k = "${makeKey()}";\n` } });
  return repo;
}

async function reports(argv: string[], cwd: string) {
  const outcome = await runCli([...argv, "--report", "sarif=/dev/null", "--format", "json"], { cwd });
  const out = async (format: string) => (await runCli([...argv, "--format", format], { cwd })).stdout;
  return {
    json: JSON.parse(outcome.stdout),
    text: await out("text"),
    compact: await out("compact"),
    github: await out("github"),
    sarif: JSON.parse(await out("sarif")),
    gitlab: JSON.parse(await out("gitlab")),
    junit: await out("junit"),
  };
}

describe("paths in reports", () => {
  it.each([
    ["from the repository root: scan packages/web", ".", ["scan", "packages/web"], "packages/web/src/app.ts"],
    ["from the package folder: scan .", "packages/web", ["scan", "."], "src/app.ts"],
    ["from the package folder: scan (no path)", "packages/web", ["scan"], "src/app.ts"],
  ])("%s", async (_, from, argv, shown) => {
    const repo = monorepo();
    const r = await reports(argv, join(repo, from));
    expect(r.json.findings.map((f: { file: string; repoPath: string }) => [f.file, f.repoPath])).toEqual([["src/app.ts", "packages/web/src/app.ts"]]);
    expect(r.text).toMatch(new RegExp(`^${shown}:2:12  CRITICAL  lumenfall-key\\n`));
    expect(r.compact).toMatch(new RegExp(`^${shown}:2:12: critical lumenfall-key `));
    expect(r.github).toMatch(/^::error file=packages\/web\/src\/app\.ts,line=2,col=12,/);
    expect(r.sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "packages/web/src/app.ts" });
    expect(r.gitlab.vulnerabilities[0].location.file).toBe("packages/web/src/app.ts");
    expect(r.junit).toContain('file="packages/web/src/app.ts" line="2"');
  });

  it("a bundle's original source (through its source map) is named from the repository root in SARIF", async () => {
    const repo = monorepo();
    writeFiles(repo, {
      "packages/web/dist/app.js": `var k="${makeKey()}";\n//# sourceMappingURL=app.js.map\n`,
      "packages/web/dist/app.js.map": JSON.stringify({ version: 3, sources: ["../src/config.ts"], names: [], mappings: "AAAA" }),
    });
    const cwd = join(repo, "packages/web");
    const json = JSON.parse((await runCli(["scan", "--bundles", "dist", "-f", "json"], { cwd })).stdout);
    expect(json.findings.map((f: { file: string; original?: { file: string } }) => [f.file, f.original?.file])).toEqual([["dist/app.js", "src/config.ts"]]);
    const sarif = JSON.parse((await runCli(["scan", "--bundles", "dist", "-f", "sarif"], { cwd })).stdout);
    const result = sarif.runs[0].results[0];
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe("packages/web/dist/app.js");
    expect(result.relatedLocations[0].physicalLocation.artifactLocation.uri).toBe("packages/web/src/config.ts");
    const text = (await runCli(["scan", "--bundles", "dist"], { cwd })).stdout;
    expect(text).toContain("from src/config.ts:1:8 (through the source map)");
  });

  it("outside git, every format names files from the scan root; text from the current directory", async () => {
    const dir = createDir({ "pkg/a.ts": `const k = "${makeKey()}";\n` });
    const json = JSON.parse((await runCli(["scan", "pkg", "-f", "json"], { cwd: dir })).stdout);
    expect(json.findings.map((f: { file: string; repoPath?: string }) => [f.file, f.repoPath])).toEqual([["a.ts", undefined]]);
    expect((await runCli(["scan", "pkg", "-f", "github"], { cwd: dir })).stdout).toMatch(/^::error file=a\.ts,/);
    expect((await runCli(["scan", "pkg"], { cwd: dir })).stdout).toMatch(/^pkg\/a\.ts:1:12 /);
  });
});
