import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeKey } from "./helpers/keys.js";
import { createRepo, git, processEnv, withoutGitOverrides } from "./helpers/repo.js";

/**
 * The real binary, the real git, the real lint-staged: what a user installs and runs. These
 * need `npm run build` (the test script runs it first).
 */
const root = join(import.meta.dirname, "..");
const bin = join(root, "bin/lumenguard.js");
const lintStaged = join(root, "node_modules/.bin/lint-staged");
const env = processEnv();

function lumenguard(args: string[], cwd: string, input?: string) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, env, input, encoding: "utf8" });
}

describe("bin/lumenguard.js", () => {
  it("sets the exit code and keeps the report on stdout, messages on stderr", () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": `k = "${key}"` } });
    const found = lumenguard(["scan", "--format", "json"], repo);
    expect(found.status).toBe(1);
    expect(JSON.parse(found.stdout).findings).toHaveLength(1);
    expect(found.stderr).toContain("1 finding (1 critical)");
    expect(found.stdout + found.stderr).not.toContain(key);
    expect(lumenguard(["scan", "nope"], repo).status).toBe(3);
    expect(lumenguard(["scan", "--bogus"], repo).status).toBe(2);
    expect(lumenguard(["scan", "-"], repo, "nothing here").status).toBe(0);
    // The bundle lives one level below package.json, the sources two: both must find it.
    expect(lumenguard(["--version"], repo).stdout.trim()).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  });
});

describe("as a pre-commit hook through lint-staged", () => {
  function repoWithHook() {
    const repo = createRepo({
      committed: {
        "package.json": JSON.stringify({ name: "app", private: true, "lint-staged": { "*": `node ${JSON.stringify(bin)} scan` } }),
        "README.md": "# app\n",
      },
    });
    git(repo, ["config", "core.hooksPath", ".githooks"]);
    mkdirSync(join(repo, ".githooks"));
    const hook = join(repo, ".githooks/pre-commit");
    writeFileSync(hook, `#!/bin/sh\nexec ${JSON.stringify(lintStaged)}\n`);
    chmodSync(hook, 0o755);
    return repo;
  }

  it("blocks a real commit that adds a key, even in an odd file name, and lets a clean one through", () => {
    const repo = repoWithHook();
    const key = makeKey();
    writeFileSync(join(repo, "clean.ts"), "export const x = process.env.LUMENFALL_API_KEY;\n");
    git(repo, ["add", "clean.ts"]);
    git(repo, ["commit", "-q", "-m", "clean"]);

    mkdirSync(join(repo, "app/[slug] (draft)"), { recursive: true });
    writeFileSync(join(repo, "app/[slug] (draft)/page.tsx"), `const k = "${key}";\n`);
    writeFileSync(join(repo, "other.ts"), "export {};\n");
    git(repo, ["add", "-A"]);
    const blocked = spawnSync("git", ["commit", "-m", "leak"], { cwd: repo, env, encoding: "utf8" });
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain("page.tsx:1:12");
    expect(blocked.stdout + blocked.stderr).not.toContain(key);
    expect(git(repo, ["log", "--format=%s"]).trim().split("\n")).toEqual(["clean", "initial"]);
  });
});
