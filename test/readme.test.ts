import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { OPTIONS } from "../src/cli/run.js";
import { FORMATS } from "../src/reporters/index.js";
import { runCli } from "./helpers/cli.js";
import { root } from "./helpers/process.js";
import { createDir } from "./helpers/repo.js";

/**
 * The README says what the product does today: its option table is the parser's options and
 * `--help`'s, its format list is the reporters registry, and neither it nor any other tracked text
 * file (test fixtures aside) points to a document outside the repository.
 */

const readme = readFileSync(join(root, "README.md"), "utf8");

/** The markdown section under `heading`, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = readme.indexOf(`${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const level = heading.split(" ")[0]!;
  const rest = readme.slice(start + heading.length + 1);
  const end = rest.search(new RegExp(`^#{1,${level.length}} `, "m"));
  return end === -1 ? rest : rest.slice(0, end);
}

/** `--name` flags in a piece of text, sorted and unique. */
function flags(text: string): string[] {
  return [...new Set(text.match(/--[a-z][a-z-]*/g) ?? [])].sort();
}

async function help(): Promise<string> {
  return (await runCli(["--help"], { cwd: createDir() })).stdout;
}

/** The flags --help lists as options: the first column of its Options section. */
function helpOptionFlags(text: string): string[] {
  const options = text.slice(text.indexOf("\nOptions\n"), text.indexOf("\nExit codes\n"));
  return flags(options.split("\n").map((line) => /^\s+(-\w, )?(--[a-z-]+(?:, --[a-z-]+)*)/.exec(line)?.[2] ?? "").join(" "));
}

describe("the README and the product agree", () => {
  it("options: the parser's, --help's and the README's table are the same list", async () => {
    const parser = Object.keys(OPTIONS).map((name) => `--${name}`).sort();
    const table = flags(section("### Options").split("\n").filter((line) => line.startsWith("| `")).map((line) => line.split("|")[1]).join(" "));
    expect(helpOptionFlags(await help())).toEqual(parser);
    expect(table).toEqual(parser);
  });

  it("formats: --help, the README's option table and its Output section list the reporters registry", async () => {
    const helpFormats = /--format <format>\s+report format: (.*)/.exec(await help())![1]!.replace(" (default)", "").split(", ");
    expect(helpFormats).toEqual([...FORMATS]);
    const tableRow = section("### Options").split("\n").find((line) => line.startsWith("| `-f, --format"))!;
    expect(tableRow.split("|")[2]!.match(/`([a-z]+)`/g)!.map((name) => name.slice(1, -1))).toEqual([...FORMATS]);
    const outputFormats = section("## Output").split("\n").flatMap((line) => /^- `([a-z]+)`/.exec(line)?.[1] ?? []);
    expect([...outputFormats].sort()).toEqual([...FORMATS].sort());
  });

  it("Design: names every folder under src/, and every file that touches `process`", () => {
    const design = section("## Design");
    const listing = /```\n([\s\S]*?)```/.exec(design)![1]!;
    const listed = listing.split("\n").flatMap((line) => /^(src\/[a-z-]+\/)\s/.exec(line)?.[1] ?? []);
    const folders = readdirSync(join(root, "src"), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => `src/${entry.name}/`);
    expect(folders.length).toBeGreaterThan(10);
    expect(folders.filter((folder) => !listed.includes(folder))).toEqual([]);
    expect(listed.filter((folder) => !folders.includes(folder))).toEqual([]);
    // Code lines (comment lines and quoted strings aside) that use `process`: each such file is
    // named where the section says who touches the process, and none is in a folder it calls pure.
    const code = (line: string) => (/^\s*(\*|\/\/|\/\*)/.test(line) ? "" : line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'));
    const touching = (readdirSync(join(root, "src"), { recursive: true }) as string[])
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
      .filter((file) => readFileSync(join(root, "src", file), "utf8").split("\n").some((line) => /\bprocess\.|node:process/.test(code(line))))
      .map((file) => `src/${file.split(sep).join("/")}`);
    expect(touching).toContain("src/cli/process-io.ts");
    expect(touching.filter((file) => !design.includes(`\`${file}\``))).toEqual([]);
    expect(touching.filter((file) => /^src\/(engine|reporters)\//.test(file))).toEqual([]);
  });

  it("the Speed section's table is the bench's last full run: the same block bench/README.md holds, with its date and machine", () => {
    const block = (text: string) => {
      const start = text.indexOf("<!-- bench-results:start -->");
      const end = text.indexOf("<!-- bench-results:end -->");
      expect(start).toBeGreaterThanOrEqual(0);
      expect(end).toBeGreaterThan(start);
      return text.slice(start, end);
    };
    const ours = block(section("## Speed"));
    expect(ours).toBe(block(readFileSync(join(root, "bench", "README.md"), "utf8")));
    expect(ours).toMatch(/Run of \d{4}-\d\d-\d\dT[\d:]+Z \(UTC\)/);
    expect(ours).toMatch(/Machine: nproc \d+, /);
    expect(ours).toMatch(/\| (PASS|MISS) \|/);
  });

  it("points to no document outside the repository (no spec sections, no issue numbers), in any tracked text file", () => {
    expect(readme).not.toMatch(/to come|not yet:/i);
    // Spelled so that this file's own source does not match them.
    // A section sign is fine where it cites a public standard by name (RFC 3986 §2.1, with its URL).
    const outsideDocument = [/\bS[P]EC\b/, /(?<!\bRFC \d+ )\u00a7/, /\bissues? #?\d/i, /\.\.\/+shared\//];
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter((file) => file !== "" && !file.startsWith("test/fixtures/"));
    expect(files).toContain("README.md");
    expect(files).toContain(".husky/pre-commit");
    const offenders: string[] = [];
    for (const file of files) {
      const path = join(root, file);
      if (!existsSync(path)) continue; // deleted in the working tree, not yet committed
      const bytes = readFileSync(path);
      if (bytes.includes(0)) continue; // binary
      bytes.toString("utf8").split("\n").forEach((line, index) => {
        if (outsideDocument.some((pattern) => pattern.test(line))) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
