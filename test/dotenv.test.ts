import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/** dotenv-unignored and dotenv-tracked, decided by git's own ignore logic. */
type Finding = { ruleId: string; file: string; severity: string; message: string };
const dotenv = async (cwd: string) => {
  const outcome = await runCli(["scan", "--format", "json"], { cwd });
  return (JSON.parse(outcome.stdout).findings as Finding[]).filter((f) => f.ruleId.startsWith("dotenv-")).map((f) => [f.ruleId, f.file, f.severity]);
};

describe("dotenv rules", () => {
  it("an unignored .env is medium, high with a key; an ignored one is fine", async () => {
    const repo = createRepo({ committed: { "README.md": "x", ".gitignore": "secrets/.env\n" } });
    writeFiles(repo, { ".env": "DEBUG=1\n", "apps/api/.env.production": `LUMENFALL_API_KEY=${makeKey()}\n`, "secrets/.env": `K=${makeKey()}\n`, ".env.example": "LUMENFALL_API_KEY=lmnfl_your_api_key\n" });
    expect(await dotenv(repo)).toEqual([
      ["dotenv-unignored", ".env", "medium"],
      ["dotenv-unignored", "apps/api/.env.production", "high"],
    ]);
  });

  it("env file names are matched whatever their case (.ENV, .Env.local), as case-insensitive checkouts read them", async () => {
    // git on Linux does not apply `.env*` to `.ENV`: the file is untracked, not ignored.
    const repo = createRepo({ committed: { "README.md": "x", ".gitignore": ".env*\n", "web/.Env.Local": `LUMENFALL_API_KEY=${makeKey()}\n` } });
    writeFiles(repo, { ".ENV": "DEBUG=1\n", ".Env.Example": "LUMENFALL_API_KEY=lmnfl_your_api_key\n" });
    git(repo, ["add", "-f", "--", ".ENV"]);
    expect(await dotenv(repo)).toEqual([
      ["dotenv-tracked", ".ENV", "high"],
      ["dotenv-tracked", "web/.Env.Local", "critical"],
    ]);
    git(repo, ["rm", "-q", "--cached", "--", ".ENV"]);
    expect(await dotenv(repo)).toEqual([
      ["dotenv-unignored", ".ENV", "medium"],
      ["dotenv-tracked", "web/.Env.Local", "critical"],
    ]);
  });

  it("nested .gitignore with a negation, .git/info/exclude and the global excludes file", async () => {
    const repo = createRepo({ committed: { ".gitignore": ".env*\n", "pkg/.gitignore": "!.env.local\n" } });
    writeFiles(repo, { ".env": "A=1\n", "pkg/.env.local": "A=1\n", "pkg/.env": "A=1\n", "other/.env.test": "A=1\n", "third/.env": "A=1\n" });
    writeFileSync(join(repo, ".git/info/exclude"), "other/\n");
    // .env* at the root ignores every .env at any depth; pkg/ takes .env.local back; other/ is excluded locally.
    expect(await dotenv(repo)).toEqual([["dotenv-unignored", "pkg/.env.local", "medium"]]);
  });

  it("honours core.excludesFile", async () => {
    const repo = createRepo({ committed: { "README.md": "x" } });
    writeFiles(repo, { ".env": "A=1\n" });
    const excludes = join(createDir({ ignore: ".env\n" }), "ignore");
    git(repo, ["config", "core.excludesFile", excludes]);
    expect(await dotenv(repo)).toEqual([]);
  });

  it("tracked, then ignored: still dotenv-tracked, saying it was ignored too late", async () => {
    const repo = createRepo({ committed: { ".env": `K=${makeKey()}\n` } });
    writeFileSync(join(repo, ".gitignore"), ".env\n");
    const outcome = await runCli(["scan", "--format", "json"], { cwd: repo });
    const finding = (JSON.parse(outcome.stdout).findings as Finding[]).find((f) => f.ruleId === "dotenv-tracked");
    expect(finding).toMatchObject({ file: ".env", severity: "critical" });
    expect(finding?.message).toContain("although .gitignore now matches it");
  });

  it("a symlinked .env that git does not ignore is reported without following the link", async () => {
    const outside = createDir({ "real.env": `K=${makeKey()}\n` });
    const repo = createRepo({ committed: { "README.md": "x" } });
    symlinkSync(join(outside, "real.env"), join(repo, ".env"));
    expect(await dotenv(repo)).toEqual([["dotenv-unignored", ".env", "medium"]]);
  });
});

describe("env files are judged the same however the scan names them", () => {
  /**
   * Every finding, as "rule path severity", sorted. Every file is in packages/web: the path is
   * written from there, whatever the report is relative to (the folder scanned, or `cwd`).
   */
  const judged = async (_repo: string, cwd: string, paths: string[]) => {
    const outcome = await runCli(["scan", ...paths, "--format", "json", "--fail-on", "low"], { cwd });
    const fromWeb = (file: string) => `packages/web/${file.replace(/^(?:packages\/)?(?:web\/)?/, "")}`;
    return (JSON.parse(outcome.stdout).findings as Finding[]).map((f) => [f.ruleId, fromWeb(f.file), f.severity].join(" ")).sort();
  };

  it("scan ., a folder, a subfolder two levels down, from inside it, and each file by name", async () => {
    const shared = makeKey();
    const repo = createRepo({ committed: { ".gitignore": ".env*\n!packages/web/.env.staging\n", "packages/web/src/a.js": "x\n" } });
    // Tracked although ignored (added before the ignore line, or with -f).
    writeFiles(repo, { "packages/web/.env.tracked": `LUMENFALL_API_KEY=${makeKey()}\n` });
    git(repo, ["add", "-f", "--", "packages/web/.env.tracked"]);
    writeFiles(repo, {
      // Ignored: where keys belong, but a public prefix and a key shared between environments are still findings.
      "packages/web/.env": `VITE_LUMENFALL_API_KEY=${makeKey()}\n`,
      "packages/web/.env.development": `LUMENFALL_API_KEY=${shared}\n`,
      "packages/web/.env.production": `LUMENFALL_API_KEY=${shared}\n`,
      // Untracked and not ignored.
      "packages/web/.env.staging": `LUMENFALL_API_KEY=${makeKey()}\n`,
    });
    const env = ["packages/web/.env", "packages/web/.env.development", "packages/web/.env.production", "packages/web/.env.staging", "packages/web/.env.tracked"];
    const whole = (await judged(repo, repo, ["."])).filter((line) => line.includes("/.env"));
    expect(whole.map((line) => line.split(" ")[0])).toEqual(expect.arrayContaining(["public-env-prefix", "shared-key-across-environments", "dotenv-unignored", "dotenv-tracked", "lumenfall-key"]));
    // No lumenfall-key finding in an ignored env file.
    expect(whole.filter((line) => line.startsWith("lumenfall-key ")).map((line) => line.split(" ")[1]).sort()).toEqual(["packages/web/.env.staging", "packages/web/.env.tracked"]);
    const web = join(repo, "packages/web");
    expect((await judged(repo, repo, ["packages"])).filter((line) => line.includes("/.env"))).toEqual(whole);
    expect((await judged(repo, repo, ["packages/web"])).filter((line) => line.includes("/.env"))).toEqual(whole);
    expect((await judged(repo, web, [])).filter((line) => line.includes("/.env"))).toEqual(whole);
    expect(await judged(repo, repo, env)).toEqual(whole);
    // One by one: the same, except what needs two files (a key shared between environments).
    for (const file of env) {
      const alone = whole.filter((line) => line.split(" ")[1] === file && !line.startsWith("shared-key-across-environments "));
      expect(await judged(repo, repo, [file]), file).toEqual(alone);
    }
    expect(await judged(repo, web, [".env"])).toEqual(whole.filter((line) => line.split(" ")[1] === "packages/web/.env" && !line.startsWith("shared-key")));
  });
});

describe("scan --fix", () => {
  it("appends the missing ignore lines once, keeps CRLF and a missing final newline, and git confirms", async () => {
    const repo = createRepo({ committed: { ".gitignore": "node_modules/\r\ndist/" } });
    writeFiles(repo, { ".env": `K=${makeKey()}\n`, "apps/web/.env.local": "A=1\n" });
    const first = await runCli(["scan", "--fix"], { cwd: repo });
    expect(first.stderr).toContain("updated .gitignore");
    const gitignore = readFileSync(join(repo, ".gitignore"), "utf8");
    expect(gitignore).toBe("node_modules/\r\ndist/\r\n# Local env files hold API keys: never commit them (added by lumenguard)\r\n.env*\r\n!.env.example\r\n!.env.sample\r\n!.env.template\r\n!.env.dist\r\n");
    expect(git(repo, ["check-ignore", ".env", "apps/web/.env.local"]).trim().split("\n")).toEqual([".env", "apps/web/.env.local"]);
    expect(first.code).toBe(0);
    const second = await runCli(["scan", "--fix"], { cwd: repo });
    expect(second.stderr).toContain("nothing to change");
    expect(readFileSync(join(repo, ".gitignore"), "utf8")).toBe(gitignore);
  });

  it("a deeper negation is answered with an anchored line beside the file", async () => {
    const repo = createRepo({ committed: { ".gitignore": ".env*\n", "pkg/.gitignore": "!.env.local\n" } });
    writeFiles(repo, { "pkg/.env.local": "A=1\n" });
    await runCli(["scan", "--fix"], { cwd: repo });
    expect(readFileSync(join(repo, "pkg/.gitignore"), "utf8")).toBe("!.env.local\n/.env.local\n");
    expect(git(repo, ["check-ignore", "pkg/.env.local"]).trim()).toBe("pkg/.env.local");
  });

  it("--dry-run shows the diff and changes nothing; tracked env files get the git rm --cached command, never run", async () => {
    const repo = createRepo({ committed: { ".env.production": "A=1\n", "README.md": "x" } });
    writeFiles(repo, { ".env": "A=1\n" });
    const outcome = await runCli(["scan", "--fix", "--dry-run"], { cwd: repo });
    expect(outcome.stderr).toContain("+.env*");
    expect(outcome.stderr).toContain("would update .gitignore");
    expect(outcome.stderr).toContain("git rm --cached -- .env.production");
    expect(existsSync(join(repo, ".gitignore"))).toBe(false);
    expect(git(repo, ["ls-files"]).trim().split("\n")).toContain(".env.production");
    // The real run writes .gitignore, prints the same command, and still untracks nothing.
    const fixed = await runCli(["scan", "--fix"], { cwd: repo });
    expect(fixed.stderr).toContain("git rm --cached -- .env.production");
    expect(readFileSync(join(repo, ".gitignore"), "utf8")).toContain(".env*");
    expect(git(repo, ["ls-files"]).trim().split("\n")).toContain(".env.production");
    expect(git(repo, ["diff", "--cached", "--name-only"]).trim()).toBe("");
  });

  it("a monorepo with per-package env files", async () => {
    const repo = createRepo({ committed: { "packages/a/package.json": "{}", "packages/b/package.json": "{}" } });
    writeFiles(repo, { "packages/a/.env": "A=1\n", "packages/b/.env.development": "B=1\n" });
    await runCli(["scan", "--fix"], { cwd: repo });
    expect(await dotenv(repo)).toEqual([]);
  });
});
