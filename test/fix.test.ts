import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { applyChanges } from "../src/install/file-change.js";
import { planEnvIgnores } from "../src/install/plan-env-ignores.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { leakIn } from "./helpers/leaks.js";
import { createRepo, git, writeFiles, type FileTree } from "./helpers/repo.js";

/**
 * `scan --fix` and `--fix --dry-run` on real repositories: the dry run prints exactly the lines
 * the real run then appends, file by file, and afterwards git ignores every env file.
 */

/** Every .gitignore under `dir` (relative path → bytes as Latin-1 text). */
function gitignores(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name === ".git") continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === ".gitignore") found.set(relative(dir, path), readFileSync(path, "latin1"));
    }
  };
  walk(dir);
  return found;
}

/** The lines each file gained between two gitignores() snapshots (append only). */
function appended(before: Map<string, string>, after: Map<string, string>): Record<string, string[]> {
  const lines: Record<string, string[]> = {};
  for (const [file, text] of after) {
    const old = before.get(file) ?? "";
    if (old === text) continue;
    expect(text.startsWith(old.replace(/(?<!\n)$/, ""))).toBe(true);
    lines[file] = text.slice(old.length).split(/\r?\n/).filter(Boolean);
  }
  return lines;
}

/** The dry run's diff on stderr, parsed back: file → lines it would add. */
function dryRunDiff(stderr: string): Record<string, string[]> {
  const lines: Record<string, string[]> = {};
  let file: string | null = null;
  for (const line of stderr.split("\n")) {
    if (line.startsWith("+++ ")) lines[(file = line.slice(4))] = [];
    else if (line.startsWith("+") && file !== null) lines[file]!.push(line.slice(1));
    else if (!line.startsWith("--- ")) file = null;
  }
  return lines;
}

const cases: Array<[string, { committed?: FileTree; untracked: FileTree }]> = [
  ["no .gitignore, env files untracked (the anchored-line bug)", { committed: { "README.md": "x\n" }, untracked: { ".env": "A=1\n", ".env.production": "A=1\n", "apps/web/.env.local": "A=1\n" } }],
  ["a deeper .gitignore takes a file back", { committed: { ".gitignore": ".env*\n", "pkg/.gitignore": "!.env.local\n" }, untracked: { "pkg/.env.local": "A=1\n", "pkg/.env": "A=1\n" } }],
  ["a root negation below .env*", { committed: { ".gitignore": ".env*\n!.env.local\n" }, untracked: { ".env.local": "A=1\n" } }],
  ["CRLF, no final newline, a negation in an intermediate folder", { committed: { ".gitignore": "dist/\r\nnode_modules/", "a/.gitignore": "!.env.test\r\n" }, untracked: { "a/b/.env.test": "A=1\n", ".env": "A=1\n" } }],
  ["a negation in .git/info/exclude loses to the root line", { committed: { "README.md": "x\n" }, untracked: { ".git/info/exclude": "!.env\n", ".env": "A=1\n" } }],
];

describe("scan --fix --dry-run shows exactly what scan --fix writes", () => {
  it.each(cases)("%s", async (_, layout) => {
    const dir = createRepo({ committed: layout.committed });
    writeFiles(dir, layout.untracked);
    const envFiles = Object.keys(layout.untracked).filter((path) => !path.startsWith(".git/"));
    const before = gitignores(dir);

    const dry = await runCli(["scan", "--fix", "--dry-run"], { cwd: dir });
    expect(gitignores(dir)).toEqual(before);
    const planned = dryRunDiff(dry.stderr);
    expect(Object.keys(planned).length).toBeGreaterThan(0);

    const real = await runCli(["scan", "--fix"], { cwd: dir });
    expect(real.stderr).not.toContain("still not ignored");
    expect(appended(before, gitignores(dir))).toEqual(planned);
    for (const file of Object.keys(planned)) {
      expect(dry.stderr).toContain(`would update ${file} (`);
      expect(real.stderr).toContain(`updated ${file} (`);
    }
    expect(git(dir, ["check-ignore", "--", ...envFiles]).trim().split("\n")).toEqual(envFiles);
    expect((await runCli(["scan", "--fix"], { cwd: dir })).stderr).toContain("nothing to change");
  });

  it("the old bug exactly: no anchored /.env.production line in either run when the root line covers it", async () => {
    const dir = createRepo({ committed: { "README.md": "x\n" } });
    writeFiles(dir, { ".env.production": "A=1\n" });
    const dry = await runCli(["scan", "--fix", "--dry-run"], { cwd: dir });
    expect(dry.stderr).not.toContain("/.env.production");
    await runCli(["scan", "--fix"], { cwd: dir });
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).not.toContain("/.env.production");
  });
});

describe("env file names git matches case-sensitively", () => {
  it("`.ENV` and `.Env.local` get an exact anchored line beside them, which git honours on a case-sensitive checkout", () => {
    const dir = createRepo({ committed: { "README.md": "x\n" } });
    git(dir, ["config", "core.ignorecase", "false"]);
    writeFiles(dir, { ".ENV": "A=1\n", "sub/.Env.local": "A=1\n", ".env": "A=1\n", "odd/.env[1] ": "A=1\n" });
    const files = [".ENV", "sub/.Env.local", ".env", "odd/.env[1] "].map((path) => join(dir, path));
    const changes = planEnvIgnores(dir, files, process.env);
    applyChanges(changes, { root: dir, gitDir: join(dir, ".git") });
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toMatch(/\n\.env\*\n(!\.env\.\w+\n){4}\/\.ENV\n$/);
    expect(readFileSync(join(dir, "sub/.gitignore"), "utf8")).toBe("/.Env.local\n");
    expect(existsSync(join(dir, "odd/.gitignore"))).toBe(false);
    expect(git(dir, ["check-ignore", "--", ".ENV", "sub/.Env.local", ".env", "odd/.env[1] "]).split("\n").slice(0, -1)).toEqual([".ENV", "sub/.Env.local", ".env", "odd/.env[1] "]);
  });

  it("with core.ignorecase (macOS, Windows) the root `.env*` covers `.ENV`: no extra line", () => {
    const dir = createRepo({ committed: { "README.md": "x\n" } });
    git(dir, ["config", "core.ignorecase", "true"]);
    writeFiles(dir, { ".ENV": "A=1\n" });
    const changes = planEnvIgnores(dir, [join(dir, ".ENV")], process.env);
    applyChanges(changes, { root: dir, gitDir: join(dir, ".git") });
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).not.toContain("/.ENV");
    expect(git(dir, ["check-ignore", "--", ".ENV"]).trim()).toBe(".ENV");
  });

  it("a name with gitignore wildcards is anchored literally", () => {
    const dir = createRepo({ committed: { ".gitignore": ".env*\n", "x/.gitignore": "!.env*\n" } });
    writeFiles(dir, { "x/.env[1]": "A=1\n", "x/.env1": "A=1\n" });
    applyChanges(planEnvIgnores(dir, [join(dir, "x/.env[1]")], process.env), { root: dir, gitDir: join(dir, ".git") });
    expect(readFileSync(join(dir, "x/.gitignore"), "utf8")).toBe("!.env*\n/.env\\[1\\]\n");
    expect(git(dir, ["check-ignore", "--", "x/.env[1]"]).trim()).toBe("x/.env[1]");
    expect(git(dir, ["check-ignore", "-n", "-v", "--", "x/.env1"]).trim()).toBe("x/.gitignore:1:!.env*\tx/.env1");
  });
});

describe("env file names with line breaks and control characters", () => {
  it("scan --fix never writes a name's line break into .gitignore: each control character becomes `?`, one line per file", async () => {
    const dir = createRepo({ committed: { "README.md": "x\n" } });
    git(dir, ["config", "core.ignorecase", "false"]);
    // From a hostile repository: names that would append `!.env.local` and `!*` lines if written raw.
    const hostile = [".ENV.a\n!.env.local", "sub/.ENV.b\r\n!*", ".ENV.c\r!.env.local", ".ENV.d\t\u001b[2J"];
    writeFiles(dir, Object.fromEntries(hostile.map((name) => [name, "x\n"])));
    writeFiles(dir, { ".env.local": `LUMENFALL_API_KEY=${makeKey()}\n` });
    const before = gitignores(dir);
    const dry = await runCli(["scan", "--fix", "--dry-run"], { cwd: dir });
    expect(gitignores(dir)).toEqual(before);
    const fixed = await runCli(["scan", "--fix"], { cwd: dir });
    expect(fixed.code, fixed.stderr).toBeLessThanOrEqual(1);
    const written = appended(before, gitignores(dir));
    expect(written[".gitignore"]).toEqual(expect.arrayContaining(["/.ENV.a?!.env.local", "/.ENV.c?!.env.local", "/.ENV.d??\\[2J"]));
    expect(written["sub/.gitignore"]).toEqual(["/.ENV.b??!\\*"]);
    for (const lines of Object.values(written)) for (const line of lines) expect(line).not.toMatch(/^!(\.env\.local|\*)$/);
    // Neither output spells a line break raw.
    expect(dry.stdout + dry.stderr).not.toContain("\n!.env.local");
    // git ignores the user's .env.local still, and every hostile name now.
    expect(git(dir, ["check-ignore", "--", ".env.local", ...hostile]).split("\n").slice(0, -1)).toHaveLength(hostile.length + 1);
    expect(git(dir, ["status", "--porcelain", "--untracked-files=all"]).trim().split("\n")).toEqual(["?? .gitignore", "?? sub/.gitignore"]);
  });
});

describe("an env file whose name holds a key", () => {
  it("gets a line that matches it without the key, through the real CLI, dry run and real run alike", async () => {
    const key = makeKey();
    const percent = encodeURIComponent(makeKey()).replace(".", "%2E");
    const dir = createRepo({ committed: { "README.md": "x\n" } });
    git(dir, ["config", "core.ignorecase", "false"]);
    const names = [`.ENV.${key}`, `sub/.Env.${percent}.local`];
    writeFiles(dir, Object.fromEntries(names.map((name) => [name, "A=1\n"])));
    const dry = await runCli(["scan", "--fix", "--dry-run"], { cwd: dir });
    const real = await runCli(["scan", "--fix"], { cwd: dir });
    const written = [...gitignores(dir).values()].join("\n");
    for (const text of [dry.stdout, dry.stderr, real.stdout, real.stderr, written]) expect(leakIn(text, [key, makeKeyFromPercent(percent)])).toBeNull();
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toContain(`/.ENV.${key.slice(0, key.indexOf(".") + 1)}*${key.slice(-4)}\n`);
    expect(git(dir, ["check-ignore", "--", ...names]).trim().split("\n")).toEqual(names);
    // The line is no broader than the key's place: another file beside it is not ignored.
    writeFiles(dir, { ".ENV.other": "A=1\n" });
    expect(() => git(dir, ["check-ignore", "-q", "--", ".ENV.other"])).toThrow();
  });
});

function makeKeyFromPercent(percent: string): string {
  return decodeURIComponent(percent);
}
