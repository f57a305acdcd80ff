import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditLog } from "../src/server/audit-log.js";
import { lastingDir } from "./helpers/git-servers.js";
import { makeKey } from "./helpers/keys.js";
import { bin, root } from "./helpers/process.js";
import { createDir, createRepo, git, processEnv } from "./helpers/repo.js";

/**
 * The README's recipes for pushes and server-side protection — each fenced block after a
 * `<!-- git-recipe: NAME -->` line — run as written. The only substitutions are the ones a
 * reader makes too: the repository's path on the server, the settings file's path, and the
 * fingerprint prefix the rejection printed.
 */
function gitRecipes(): Map<string, string> {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const found = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- git-recipe: ([\w-]+) -->\n```[a-z]*\n([\s\S]*?)```/g)) found.set(match[1]!, match[2]!);
  return found;
}

const recipe = (name: string) => {
  const text = gitRecipes().get(name);
  if (text === undefined) throw new Error(`README has no git-recipe named ${name}`);
  return text;
};

/** `lumenguard` on PATH, as `npm install -g` puts it there (a folder kept for the whole file). */
let shims: ReturnType<typeof lastingDir> | undefined;
afterAll(() => shims?.remove());
function pathWithLumenguard(): string {
  shims ??= lastingDir();
  const dir = join(shims.dir, "bin");
  mkdirSync(dir);
  writeFileSync(join(dir, "lumenguard"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(join(dir, "lumenguard"), 0o755);
  return `${dir}:${process.env["PATH"] ?? "/usr/bin:/bin"}`;
}

let env: NodeJS.ProcessEnv = processEnv();
beforeAll(() => {
  env = { ...processEnv(), PATH: pathWithLumenguard() };
});
const sh = (script: string, cwd: string) => spawnSync("/bin/sh", ["-c", script], { cwd, env, encoding: "utf8", timeout: 60_000 });
const push = (repo: string, args: string[]) => spawnSync("git", ["push", ...args], { cwd: repo, env, encoding: "utf8", timeout: 60_000 });

describe("the README's server recipes, as written", () => {
  it("the README's git recipes are exactly the ones this file runs", () => {
    expect([...gitRecipes().keys()].sort()).toEqual(["server-bypass", "server-config", "server-hook-script", "server-hook-settings", "server-init"]);
  });

  it("server-init, then a rejected push, then server-bypass: accepted and in the audit log", () => {
    const base = createDir();
    const path = join(base, "app.git");
    git(base, ["init", "-q", "--bare", "-b", "main", path]);
    const init = sh(recipe("server-init").replace("/srv/git/app.git", path), base);
    expect(init.status, init.stderr).toBe(0);
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    git(repo, ["remote", "add", "origin", path]);
    writeFileSync(join(repo, "fixture.ts"), `k = "${makeKey()}"\n`);
    git(repo, ["add", "fixture.ts"]);
    git(repo, ["commit", "-q", "-m", "fixture"]);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.status).not.toBe(0);
    const prefix = /fingerprint ([0-9a-f]{12})/.exec(rejected.stdout + rejected.stderr)![1]!;
    const bypass = sh(recipe("server-bypass").replace("3f9a2c81d4e7", prefix), repo);
    expect(bypass.status, bypass.stderr).toBe(0);
    const log = readFileSync(join(path, "lumenguard-audit.log"), "utf8");
    expect(verifyAuditLog(log).brokenAt).toBeNull();
    expect(log).toContain('"reason":"test fixture, not a real key"');
  });

  it("server-hook-script with server-config: bypass forbidden, the push is rejected and says so", () => {
    const base = createDir();
    const path = join(base, "app.git");
    git(base, ["init", "-q", "--bare", "-b", "main", path]);
    const settings = join(base, "server.json");
    writeFileSync(settings, recipe("server-config").replace("/var/log/lumenguard/audit.log", join(base, "audit.log")));
    writeFileSync(join(base, "lumenguard.config.json"), "{}\n");
    writeFileSync(join(path, "hooks/pre-receive"), recipe("server-hook-script").replace("/etc/lumenguard/server.json", settings));
    chmodSync(join(path, "hooks/pre-receive"), 0o755);
    git(path, ["config", "receive.advertisePushOptions", "true"]);
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    git(repo, ["remote", "add", "origin", path]);
    expect(push(repo, ["origin", "main"]).status).toBe(0);
    writeFileSync(join(repo, "k.ts"), `k = "${makeKey()}"\n`);
    git(repo, ["add", "k.ts"]);
    git(repo, ["commit", "-q", "-m", "key"]);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stdout + rejected.stderr).toContain("This server does not allow pushing past its findings.");
    expect(rejected.stdout + rejected.stderr).toContain("Questions: security@example.com");
    expect(readFileSync(join(base, "audit.log"), "utf8")).toContain('"decision":"rejected"');
  });

  it("server-hook-settings, then server-hook-script: the settings file the script names exists, a clean push is accepted and a key rejected; without it every push is rejected, naming the file", () => {
    const base = createDir();
    const path = join(base, "app.git");
    git(base, ["init", "-q", "--bare", "-b", "main", path]);
    // The reader's one substitution: where /etc/lumenguard is (the tests do not run as root).
    const etc = join(base, "etc-lumenguard");
    writeFileSync(join(path, "hooks/pre-receive"), recipe("server-hook-script").replaceAll("/etc/lumenguard", etc));
    chmodSync(join(path, "hooks/pre-receive"), 0o755);
    git(path, ["config", "receive.advertisePushOptions", "true"]);
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    git(repo, ["remote", "add", "origin", path]);
    // Before the settings exist: fail closed, and say which file is missing.
    const before = push(repo, ["origin", "main"]);
    expect(before.status).not.toBe(0);
    expect(before.stderr).toContain(`${etc}/server.json`);
    expect(before.stderr).toContain("misconfigured");
    const created = sh(recipe("server-hook-settings").replaceAll("/etc/lumenguard", etc), base);
    expect(created.status, created.stderr).toBe(0);
    const clean = push(repo, ["origin", "main"]);
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stderr).toContain("no Lumenfall keys found");
    writeFileSync(join(repo, "k.ts"), `k = "${makeKey()}"\n`);
    git(repo, ["add", "k.ts"]);
    git(repo, ["commit", "-q", "-m", "key"]);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stdout + rejected.stderr).toContain("push rejected: a key in the commits of this push");
    expect(readFileSync(join(path, "lumenguard-audit.log"), "utf8")).toContain('"decision":"rejected"');
  });
});
