import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { braceBudget, compileGlob, MAX_TOTAL_ALTERNATIVES } from "../src/config/glob.js";
import { resolveConfig } from "../src/config/resolve-config.js";
import { ConfigError } from "../src/errors.js";
import { walkHonouringGitignore } from "../src/sources/walk.js";
import type { ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { lumenguard, shell } from "./helpers/process.js";
import { createDir, git, writeFiles } from "./helpers/repo.js";

/**
 * Configuration that could hang or kill a scan: ignore globs are matched in time linear in the
 * path (checked against picomatch, whose syntax they follow), `.gitignore` files outside git are
 * read with git's rules in time that does not grow with every rule (checked against git
 * itself), and the config's size, glob count and pattern count are capped (exit 2 naming the
 * field).
 */
describe("ignore globs: linear time, picomatch's meaning", () => {
  it("*a*a*a*a*a*a*a*a*a*a*b against a 200-character name: at once, in a real scan", async () => {
    const glob = "*a*a*a*a*a*a*a*a*a*a*b";
    const started = performance.now();
    expect(compileGlob(glob).test("a".repeat(200))).toBe(false);
    expect(compileGlob(glob).test(`${"a".repeat(199)}b`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
    const key = makeKey();
    const dir = createDir({ "lumenguard.config.json": JSON.stringify({ ignore: [glob, `**/${glob}`] }), [`${"a".repeat(200)}`]: `k="${key}"`, [`d/${"a".repeat(199)}b`]: `k="${key}"` });
    const { code, stdout } = await runCli(["scan", "--format", "json"], { cwd: dir });
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as ScanResult).findings.map((f) => f.file)).toEqual(["a".repeat(200)]);
  });

  it("10,000 ignore globs on 10,000 files, none of them literal: seconds (the real binary)", () => {
    const globs = Array.from({ length: 9_999 }, (_, i) => (i % 2 === 0 ? `**/*x${i}*` : `src/**/[a-c]*${i}?[0-9]`));
    const files: Record<string, string> = { "lumenguard.config.json": JSON.stringify({ ignore: [...globs, "src/d3/**"] }) };
    for (let d = 0; d < 100; d++) for (let f = 0; f < 100; f++) files[`src/d${d}/f${f}.js`] = "x";
    const dir = createDir(files);
    const started = Date.now();
    const run = lumenguard(["scan", "--format", "json", "."], dir, { timeout: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    console.info(`10,000 ignore globs on 10,000 files: ${seconds.toFixed(1)} s`);
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as ScanResult).stats.files).toBe(10_000 - 100 + 1);
    expect(seconds).toBeLessThan(60);
  }, 130_000);

  it("agrees with picomatch (dot: true) on the syntax it accepts (fixed seed)", () => {
    const atoms = fc.constantFrom("a", "b", ".", "-", "*", "?", "[ab]", "[^a]", "[a-b]", "{a,b}", "{a,{b,x}}", "x", "\\*");
    const segment = fc.oneof({ weight: 4, arbitrary: fc.array(atoms, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("")) }, { weight: 1, arbitrary: fc.constant("**") });
    // picomatch's own quirks are left out: `[!a]` is not a negation there, a wildcard segment
    // before a final `/**` needs the slash there, and `**` next to a brace becomes a globstar.
    const glob = fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .filter((segments) => !segments.some((s, i) => s === "**" && i === segments.length - 1 && i > 0 && /[*?[{\\]/.test(segments[i - 1] as string)))
      .map((segments) => segments.join("/"))
      .filter((text) => !/\*\*\{|\}\*\*/.test(text));
    const name = fc.array(fc.constantFrom("a", "b", ".", "x", "ab", "-", "*"), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(""));
    const path = fc.array(name, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/")).filter((text) => !text.split("/").some((part) => part === "." || part === ".."));
    fc.assert(
      fc.property(glob, path, (pattern, candidate) => {
        let compiled: ReturnType<typeof compileGlob>;
        try {
          compiled = compileGlob(pattern);
        } catch (error) {
          // Braces that expand past the limit are refused, not matched: nothing to compare.
          expect(String(error)).toContain("more than 256 alternatives");
          return;
        }
        expect(compiled.test(candidate), `${pattern} on ${candidate}`).toBe(picomatch(pattern, { dot: true })(candidate));
      }),
      { numRuns: 20_000, seed: 4_711 },
    );
  });

  it.each([
    ["@(a|b)/*.js", "extglobs such as @(…) are not supported; use {a,b}"],
    ["src/!(x).ts", "extglobs such as !(…) are not supported; use {a,b}"],
    ["(a|b)/c", '"(" (a regular-expression group) is not supported; use {a,b}'],
    ["!dist/**", "a leading ! (negation) is not supported here"],
    ["file{1..3}.txt", "brace ranges such as {1..3} are not supported; list the values: {1,2,3}"],
    ["{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}", "its braces expand to more than 256 alternatives"],
  ])("%s is refused, naming the field (exit 2)", async (glob, detail) => {
    const dir = createDir({ "lumenguard.config.json": JSON.stringify({ ignore: ["ok/**", glob] }), "a.txt": "x" });
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain(`"ignore[1]" ${detail}`);
  });
});

describe("config limits", () => {
  it("a config file over 1 MiB (2 million globs) is exit 2, read no further", async () => {
    const globs = Array.from({ length: 2_000_000 }, (_, i) => `g${i}/**`);
    const dir = createDir({ "a.txt": "x" });
    writeFileSync(join(dir, "lumenguard.config.json"), JSON.stringify({ ignore: globs }));
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(/lumenguard\.config\.json: is larger than 1 MiB/);
  });

  it("1.5 million globs in package.json, 2 million in a config object: exit 2 naming the field, never out of memory", async () => {
    const globs = Array.from({ length: 2_000_000 }, (_, i) => i.toString(36));
    const dir = createDir({ "a.txt": "x" });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "p", lumenguard: { ignore: globs.slice(0, 1_500_000) } }));
    const run = lumenguard(["scan", "."], dir, { timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('"lumenguard.ignore" must NOT have more than 10000 items');
    expect(() => resolveConfig({ startDir: dir, config: { ignore: globs } })).toThrow(ConfigError);
    expect(() => resolveConfig({ startDir: dir, config: { ignore: globs } })).toThrow('"ignore" must NOT have more than 10000 items');
  }, 60_000);

  it("more than 200 custom patterns is exit 2 naming the field", async () => {
    const patterns = Array.from({ length: 201 }, (_, i) => ({ id: `p${i}`, regex: `p${i}_[a-z]{20}`, keywords: [`p${i}_`] }));
    const dir = createDir({ "lumenguard.config.json": JSON.stringify({ customPatterns: patterns }), "a.txt": "x" });
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('"customPatterns" must NOT have more than 200 items');
  });

  it("a config object given to the API is checked like a file", () => {
    expect(() => resolveConfig({ startDir: "/", config: { ignore: [42] } as never })).toThrow('the config object: "ignore[0]" must be string');
    expect(() => resolveConfig({ startDir: "/", config: { customPatterns: [{ id: "x", regex: "(a+)+$", keywords: ["abc"] }] } })).toThrow("can take exponential time");
  });
});

describe("brace expansion is bounded for the whole ignore list", () => {
  it("the attack as reported: 10,000 globs of 256 alternatives each (a 450 KB config within every per-glob limit) is exit 2 naming the glob that goes past, at once and in little memory (the real binary)", () => {
    const globs = Array.from({ length: 10_000 }, (_, i) => `**/{b,c,d,e}{f,g,h,i}{j,k,l,m}{n,o,p,q}${i}`);
    const files: Record<string, string> = { "lumenguard.config.json": JSON.stringify({ ignore: globs }) };
    for (let i = 0; i < 200; i++) files[`f${i}.txt`] = "x\n";
    const dir = createDir(files);
    // The old matcher expanded all 2.56 million globs: gigabytes, then V8 aborted.
    const run = shell("ulimit -v 3000000; exec timeout 25 $LG scan", dir, { timeout: 40_000 });
    expect(run.status, run.stderr).toBe(2);
    // 78 globs of 256 fit in 20,000; the 79th does not.
    expect(run.stderr).toContain('"ignore[78]" with braces expanded, the globs up to this one come to more than 20,000 globs or 4 MiB in all');
  }, 45_000);

  it("long alternatives: the characters they add up to are bounded too (4 MiB), naming the glob", () => {
    const long = "x".repeat(970);
    const globs = Array.from({ length: 40 }, (_, i) => `${long}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}${i}`);
    // Each glob is 256 alternatives of about a thousand characters: the 17th passes 4 MiB.
    expect(() => resolveConfig({ startDir: "/", config: { ignore: globs } })).toThrow(ConfigError);
    expect(() => resolveConfig({ startDir: "/", config: { ignore: globs } })).toThrow('"ignore[16]" with braces expanded');
  });

  it("up to the bound, every glob still matches: 10,000 globs of two alternatives each (20,000 in all)", async () => {
    const globs = Array.from({ length: 10_000 }, (_, i) => `src/d${i}/**/*.{js,ts}`);
    expect(globs.length * 2).toBe(MAX_TOTAL_ALTERNATIVES);
    const key = makeKey();
    const dir = createDir({
      "lumenguard.config.json": JSON.stringify({ ignore: globs }),
      "src/d9999/deep/a.ts": `k="${key}"`,
      "src/d0/a.js": `k="${key}"`,
      "src/d9999/deep/a.py": `k="${key}"`,
      "src/d10000/a.ts": `k="${key}"`,
    });
    const { code, stdout, stderr } = await runCli(["scan", "--format", "json", "."], { cwd: dir });
    expect(code, stderr).toBe(1);
    expect((JSON.parse(stdout) as ScanResult).findings.map((f) => f.file).sort()).toEqual(["src/d10000/a.ts", "src/d9999/deep/a.py"]);
    // One more alternative is one too many.
    const { code: over, stderr: said } = await runCli(["scan", "."], { cwd: createDir({ "lumenguard.config.json": JSON.stringify({ ignore: [...globs.slice(0, -1), "x{a,b,c}"] }) }) });
    expect(over).toBe(2);
    expect(said).toContain('"ignore[9999]" with braces expanded');
  });

  it("a budget is shared by the globs it is passed to, and spent as braces expand", () => {
    const budget = braceBudget();
    compileGlob("a/{b,c,d}/e", "picomatch", budget);
    compileGlob("plain/**", "picomatch", budget);
    expect(budget.alternatives).toBe(MAX_TOTAL_ALTERNATIVES - 4);
    expect(budget.characters).toBe((4 << 20) - 3 * "a/b/e".length - "plain/**".length);
    const small = { alternatives: 2, characters: 1_000 };
    expect(() => compileGlob("{a,b,c}", "picomatch", small)).toThrow("with braces expanded");
    // Without a budget, each glob gets a fresh one.
    for (let i = 0; i < 100; i++) expect(compileGlob("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}").test("abababab")).toBe(true);
  });
});

describe(".gitignore outside git", () => {
  const generated = (i: number) => (i % 4 === 0 ? `build-${i}/` : i % 4 === 1 ? `*.tmp${i}` : i % 4 === 2 ? `/cache/file-${i}.log` : `docs/**/draft-${i}-*.md`);
  /** Rules with no literal head or tail to index them by: each is tried on every path. */
  const hostile = (i: number) => (i % 2 === 0 ? `*x${i}*` : `[a-c]*${i}?[0-9]`);
  it.each([
    ["generated", generated],
    ["hostile", hostile],
  ])("a 20,000-rule %s .gitignore on 10,000 files: seconds, not minutes (the real binary)", (kind, rule) => {
    const rules = Array.from({ length: 20_000 }, (_, i) => rule(i));
    rules.push("src/d7/", "*.secret", "!keep.secret");
    const files: Record<string, string> = { ".gitignore": `${rules.join("\n")}\n` };
    for (let d = 0; d < 100; d++) for (let f = 0; f < 100; f++) files[`src/d${d}/f${f}.js`] = "x";
    files["src/d1/a.secret"] = `k="${makeKey()}"`;
    files["src/d1/keep.secret"] = `k="${makeKey()}"`;
    const dir = createDir(files);
    const started = Date.now();
    const run = lumenguard(["scan", "--format", "json", "."], dir, { timeout: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    console.info(`20,000-rule ${kind} .gitignore on 10,002 files: ${seconds.toFixed(1)} s`);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as ScanResult;
    expect(report.findings.map((f) => f.file)).toEqual(["src/d1/keep.secret"]);
    expect(report.stats.files).toBe(10_000 - 100 + 2);
    expect(seconds).toBeLessThan(30);
  }, 130_000);

  it("lists what git lists as untracked and not ignored, on random trees and rules (fixed seed)", () => {
    const names = ["a", "b", ".env", "x.js", "y.log", "[ab]", "c d", "#h", "!n"];
    const patternAtoms = ["a", "b", "*", "?", "**", "x.js", "*.log", "[ab]", "\\[ab]", "\\#h", "\\!n", "c\\ d", ".env*", "[!a]"];
    const pattern = fc
      .tuple(fc.boolean(), fc.boolean(), fc.array(fc.constantFrom(...patternAtoms), { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean())
      .map(([negate, leadingSlash, parts, trailingSlash, spaces]) => `${negate ? "!" : ""}${leadingSlash ? "/" : ""}${parts.join("/")}${trailingSlash ? "/" : ""}${spaces ? "  " : ""}`);
    const tree = fc.uniqueArray(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/")), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(tree, fc.array(pattern, { maxLength: 8 }), fc.array(pattern, { maxLength: 4 }), (paths, rootRules, nestedRules) => {
        const dir = createDir();
        const files: Record<string, string> = { ".gitignore": rootRules.join("\n") };
        for (const path of paths) if (!paths.some((other) => other.startsWith(`${path}/`))) files[path] = "x";
        const nested = Object.keys(files).find((path) => path.includes("/"))?.split("/")[0];
        if (nested) files[`${nested}/.gitignore`] = nestedRules.join("\n");
        writeFiles(dir, files);
        const ours = walkHonouringGitignore(dir).sort();
        expect(ours, JSON.stringify({ rootRules, nestedRules, files: Object.keys(files) })).toEqual(gitUntracked(dir));
      }),
      { numRuns: 250, seed: 1_618 },
    );
  }, 120_000);
});

/** What git itself lists in `dir` as untracked and not ignored (its own .gitignore rules, no others). */
function gitUntracked(dir: string): string[] {
  git(dir, ["init", "-q"]);
  const listed = git(dir, ["-c", "core.excludesFile=/dev/null", "ls-files", "-z", "--others", "--exclude-standard"]);
  return listed.split("\0").filter((path) => path !== "").sort();
}
