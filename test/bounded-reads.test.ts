import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/errors.js";
import { loadServerConfig } from "../src/server/server-config.js";
import { makeKey } from "./helpers/keys.js";
import { shell } from "./helpers/process.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * Files lumenguard reads whole — the config, package.json, a baseline, a `.gitignore` outside
 * git, the key-ages state, a server config — are read only when they are regular files, and
 * never past a size limit: a repository can commit a link to `/dev/zero` at any of those
 * names, and a downloaded folder can hold a FIFO. Each run below is the real binary under a
 * 3 GB address-space limit and a timeout, so the old behaviour (reading until V8 aborts, or
 * blocking forever on a FIFO) fails the test instead of taking the machine down.
 */
const LIMITS = "ulimit -v 3000000; exec timeout 25 $LG";

function run(args: string, cwd: string, env: NodeJS.ProcessEnv = {}) {
  return shell(`${LIMITS} ${args}`, cwd, { env, timeout: 40_000 });
}

function fifo(path: string): void {
  execFileSync("mkfifo", [path]);
}

/** A sparse file of `bytes` bytes: large on paper, no disk used. */
function sparse(path: string, bytes: number): void {
  const fd = openSync(path, "w");
  closeSync(fd);
  execFileSync("truncate", ["-s", String(bytes), path]);
}

describe("a config that is not a regular file is exit 2, at once", () => {
  it("the attack as reported: a pull request commits lumenguard.config.json -> /dev/zero; `ci` and `scan --staged` are exit 2 in well under a second's memory", () => {
    const dir = createRepo({ committed: { README: "base\n" } });
    const base = git(dir, ["rev-parse", "HEAD"]).trim();
    git(dir, ["checkout", "-qb", "pr"]);
    symlinkSync("/dev/zero", join(dir, "lumenguard.config.json"));
    git(dir, ["add", "-A"]);
    git(dir, ["commit", "-qm", "innocent PR"]);
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    const event = join(createDir(), "event.json");
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: base }, head: { sha: head } } }));
    const ci = run("ci", dir, { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: event });
    expect(ci.status, ci.stderr).toBe(2);
    expect(ci.stderr).toContain("lumenguard.config.json: is not a regular file (a device)");
    const staged = run("scan --staged", dir);
    expect(staged.status).toBe(2);
    expect(staged.stderr).toContain("is not a regular file (a device)");
  });

  it.each([
    ["a FIFO named lumenguard.config.json", (dir: string) => fifo(join(dir, "lumenguard.config.json")), "lumenguard.config.json: is not a regular file (a FIFO)"],
    ["a FIFO named .lumenguardrc.json", (dir: string) => fifo(join(dir, ".lumenguardrc.json")), ".lumenguardrc.json: is not a regular file (a FIFO)"],
    ["a folder named lumenguard.config.json", (dir: string) => mkdirSync(join(dir, "lumenguard.config.json")), "is not a regular file (a directory)"],
    ["package.json -> /dev/zero", (dir: string) => symlinkSync("/dev/zero", join(dir, "package.json")), "package.json: is not a regular file (a device)"],
    ["a FIFO named package.json", (dir: string) => fifo(join(dir, "package.json")), "package.json: is not a regular file (a FIFO)"],
    ["a 2 GB lumenguard.config.json", (dir: string) => sparse(join(dir, "lumenguard.config.json"), 2 ** 31), "is larger than 1 MiB"],
  ])("%s", (_, plant, message) => {
    const dir = createRepo({ committed: { "a.js": "x = 1\n" } });
    plant(dir);
    const result = run("scan", dir);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe("a baseline that is not a regular file, or too large, is exit 2", () => {
  it.each([
    ["the config's baseline -> /dev/zero", (dir: string) => symlinkSync("/dev/zero", join(dir, "b.json")), "scan", "b.json: is not a regular file (a device)"],
    ["the config's baseline is a FIFO", (dir: string) => fifo(join(dir, "b.json")), "scan", "b.json: is not a regular file (a FIFO)"],
    ["--baseline names a FIFO", (dir: string) => fifo(join(dir, "other.json")), "scan --baseline other.json", "other.json: is not a regular file (a FIFO)"],
    ["the baseline is 64 MiB + 1 byte", (dir: string) => sparse(join(dir, "b.json"), 64 * 2 ** 20 + 1), "scan", "b.json: is larger than 64 MiB"],
  ])("%s", (_, plant, args, message) => {
    const dir = createRepo({ committed: { "a.js": `k = "${makeKey()}"\n`, "lumenguard.config.json": JSON.stringify({ baseline: "b.json" }) } });
    plant(dir);
    const result = run(args, dir);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe("outside git, a .gitignore that is not a regular file is said and not read; the walk goes on", () => {
  it.each([
    ["a FIFO (the walk used to block on it forever)", (dir: string) => fifo(join(dir, ".gitignore")), "is not a regular file (a FIFO)"],
    ["a link to /dev/zero", (dir: string) => symlinkSync("/dev/zero", join(dir, "sub/.gitignore")), "is not a regular file (a device)"],
    ["a sparse 5 MiB file", (dir: string) => sparse(join(dir, "sub/.gitignore"), 5 * 2 ** 20), "is larger than 4 MiB"],
  ])("%s: a warning, and the files of its folder are scanned", (_, plant, message) => {
    const dir = createDir({ "a.txt": "hi\n", "sub/b.js": `k = "${makeKey()}"\n` });
    plant(dir);
    const result = run("scan --format json .", dir);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("it was not read, and its folder was scanned as if it had none");
    expect(JSON.parse(result.stdout).findings.map((finding: { file: string }) => finding.file)).toEqual(["sub/b.js"]);
  });
});

describe("the key-ages state and a server config", () => {
  it("a FIFO at the key-ages state file is a warning, never a hang; nothing is written over it", () => {
    const dir = createRepo({ committed: { ".gitignore": ".env\n", "lumenguard.config.json": JSON.stringify({ rotation: { maxAgeDays: 90 } }) } });
    writeFiles(dir, { ".env": `KEY=${makeKey()}\n` });
    mkdirSync(join(dir, ".git/lumenguard"));
    fifo(join(dir, ".git/lumenguard/key-ages.json"));
    const result = run("scan", dir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("key ages were not checked: refusing to write");
    expect(result.stderr).toContain("key-ages.json: it is a special file");
  });

  it("a server config that is a FIFO or a link to /dev/zero is a ConfigError naming the file", () => {
    const repo = createDir();
    fifo(join(repo, "lumenguard-server.json"));
    expect(() => loadServerConfig(undefined, repo)).toThrow(ConfigError);
    expect(() => loadServerConfig(undefined, repo)).toThrow(/lumenguard-server\.json: is not a regular file \(a FIFO\)/);
    symlinkSync("/dev/zero", join(repo, "zero.json"));
    expect(() => loadServerConfig("zero.json", repo)).toThrow(/zero\.json: is not a regular file \(a device\)/);
  });
});
