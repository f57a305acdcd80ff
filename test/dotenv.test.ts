import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/** dotenv-unignored and dotenv-tracked, decided by git's own ignore logic (SPEC §2, issue #5). */
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
