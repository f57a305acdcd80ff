import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { binEnv, childrenOf, isRunning, lumenguard, pathWithoutGit, startLumenguard } from "./helpers/process.js";
import { createDir, createRepo, git } from "./helpers/repo.js";

/**
 * git in every odd state, git missing, failing closed, and values that try to reach git as
 * options. Already
 * covered elsewhere, not repeated: --staged before the first commit, with submodules and
 * outside a repository (staged.test.ts); --history in shallow and partial clones, bare
 * repositories and linked worktrees (history.test.ts); config field errors (cli.test.ts).
 */

const json = (stdout: string) => JSON.parse(stdout) as ScanResult;
const scanJson = async (cwd: string, args: string[] = []) => {
  const outcome = await runCli(["scan", "--format", "json", ...args], { cwd });
  return { ...outcome, report: outcome.code <= 1 ? json(outcome.stdout) : null };
};
const filesOf = (report: ScanResult | null) => (report?.findings ?? []).map((f) => f.file).sort();
const leak = (key: string) => `k = "${key}"\n`;

function commitFile(repo: string, path: string, content: string, message = path): void {
  writeFileSync(join(repo, path), content);
  git(repo, ["add", path]);
  git(repo, ["commit", "-q", "-m", message]);
}

describe("odd repository states", () => {
  it("an empty repository: every mode is an empty scan by nature, exit 0, with the count", async () => {
    const repo = createRepo();
    for (const mode of [[], ["--staged"], ["--history"]]) {
      const { code, report, stderr } = await scanJson(repo, mode);
      expect(code, mode.join()).toBe(0);
      expect(report?.findings, mode.join()).toEqual([]);
      expect(stderr, mode.join()).toMatch(/No Lumenfall keys found · 0 /);
    }
  });

  it("no HEAD yet (unborn branch): scan sees staged and untracked files; --history has no commits (exit 0)", async () => {
    const key = makeKey();
    const repo = createRepo({ staged: { "staged.ts": leak(key) }, untracked: { "new.ts": leak(key) } });
    expect(filesOf((await scanJson(repo)).report)).toEqual(["new.ts", "staged.ts"]);
    const history = await scanJson(repo, ["--history"]);
    expect(history.code).toBe(0);
    expect(history.report?.stats.commits).toBe(0);
  });

  it("a corrupt HEAD: --staged and --history fail closed (exit 3, bypass named); a plain scan walks with a warning", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": leak(key) } });
    writeFileSync(join(repo, ".git/HEAD"), "garbage\n");
    for (const mode of ["--staged", "--history"]) {
      const { code, stderr } = await runCli(["scan", mode], { cwd: repo });
      expect(code, mode).toBe(3);
      expect(stderr, mode).toContain("git commit --no-verify");
    }
    const plain = await scanJson(repo);
    expect(plain.code).toBe(1);
    expect(filesOf(plain.report)).toEqual(["a.ts"]);
  });

  it("a detached HEAD: scan, --staged and --history", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": "x" } });
    git(repo, ["checkout", "-q", "--detach", "HEAD"]);
    writeFileSync(join(repo, "d.ts"), leak(key));
    git(repo, ["add", "d.ts"]);
    expect(filesOf((await scanJson(repo, ["--staged"])).report)).toEqual(["d.ts"]);
    git(repo, ["commit", "-q", "-m", "on a detached head"]);
    git(repo, ["checkout", "-q", "main"]);
    git(repo, ["checkout", "-q", "--detach", "HEAD@{1}"]);
    expect(filesOf((await scanJson(repo)).report)).toEqual(["d.ts"]);
    // The detached commit is on no branch: --history still reads HEAD.
    expect(filesOf((await scanJson(repo, ["--history"])).report)).toEqual(["d.ts"]);
  });

  it("a bare repository: --staged is exit 3 naming the missing work tree; a plain scan does not crash", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": leak(key) } });
    const bare = join(createDir(), "bare.git");
    git(repo, ["clone", "-q", "--bare", repo, bare]);
    const staged = await runCli(["scan", "--staged"], { cwd: bare });
    expect(staged.code).toBe(3);
    expect(staged.stderr).toContain("work tree");
    expect(staged.stderr).toContain("git commit --no-verify");
    const plain = await scanJson(bare);
    expect(plain.code).toBe(0);
    expect(plain.report?.warnings.map((w) => w.message).join()).toContain("must be run in a work tree");
  });

  it("a linked worktree: scan and --staged read that worktree, not the main one", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": "x" }, untracked: { "main-only.ts": leak(key) } });
    const linked = join(createDir(), "linked");
    git(repo, ["worktree", "add", "-q", "-b", "other", linked]);
    writeFileSync(join(linked, "w.ts"), leak(key));
    expect(filesOf((await scanJson(linked)).report)).toEqual(["w.ts"]);
    git(linked, ["add", "w.ts"]);
    expect(filesOf((await scanJson(linked, ["--staged"])).report)).toEqual(["w.ts"]);
    expect(filesOf((await scanJson(repo, ["--staged"])).report)).toEqual([]);
  });

  it("a submodule: the parent's scan says it was not scanned (not unreadable); its history is read without it", async () => {
    const key = makeKey();
    const inner = createRepo({ committed: { "inner.ts": leak(key) } });
    const repo = createRepo({ committed: { "a.ts": leak(key) } });
    git(repo, ["-c", "protocol.file.allow=always", "submodule", "add", "-q", inner, "vendor/inner"]);
    git(repo, ["commit", "-q", "-m", "submodule"]);
    const { code, report } = await scanJson(repo);
    expect(code).toBe(1);
    expect(filesOf(report)).toEqual(["a.ts"]);
    expect(report?.warnings).toEqual([expect.objectContaining({ code: "submodule", file: "vendor/inner" })]);
    expect(report?.stats.skipped).toBe(0);
    expect(filesOf((await scanJson(repo, ["--history"])).report)).toEqual(["a.ts"]);
    // The submodule is scanned on its own, from inside it.
    expect(filesOf((await scanJson(join(repo, "vendor/inner"))).report)).toEqual(["inner.ts"]);
  });

  it("a sparse checkout: scan reads what is on disk, --staged what is staged, --history what is outside the cone too", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "in/a.ts": "x", "out/k.ts": leak(key) } });
    git(repo, ["sparse-checkout", "set", "in"]);
    expect((await scanJson(repo)).report?.findings).toEqual([]);
    writeFileSync(join(repo, "in/b.ts"), leak(key));
    git(repo, ["add", "in/b.ts"]);
    expect(filesOf((await scanJson(repo, ["--staged"])).report)).toEqual(["in/b.ts"]);
    expect(filesOf((await scanJson(repo, ["--history"])).report)).toEqual(["out/k.ts"]);
  });

  it("a partial clone with missing blobs: scan and --staged never fetch; a staged blob gone from the store is exit 3", async () => {
    const key = makeKey();
    const origin = createRepo({ committed: { "in/a.ts": "x", "out/big.txt": `${"y".repeat(5000)}\n` } });
    git(origin, ["config", "uploadpack.allowFilter", "true"]);
    const clone = join(createDir(), "clone");
    git(origin, ["clone", "-q", "--filter=blob:none", "--sparse", `file://${origin}`, clone]);
    git(clone, ["config", "commit.gpgsign", "false"]);
    git(clone, ["sparse-checkout", "set", "in"]);
    const missing = () => git(clone, ["rev-list", "--objects", "--all", "--missing=print"]).split("\n").filter((line) => line.startsWith("?"));
    const before = missing();
    expect(before).toHaveLength(1); // out/big.txt was never fetched
    expect((await scanJson(clone)).code).toBe(0);
    writeFileSync(join(clone, "in/k.ts"), leak(key));
    git(clone, ["add", "in/k.ts"]);
    expect(filesOf((await scanJson(clone, ["--staged"])).report)).toEqual(["in/k.ts"]);
    expect(missing()).toEqual(before);

    // The staged blob's object disappears and the file on disk differs: nothing can be read.
    const oid = git(clone, ["rev-parse", ":in/k.ts"]).trim();
    rmSync(join(clone, ".git/objects", oid.slice(0, 2), oid.slice(2)));
    writeFileSync(join(clone, "in/k.ts"), "changed since\n");
    const gone = await runCli(["scan", "--staged"], { cwd: clone, env: { GIT_NO_LAZY_FETCH: "1" } });
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain("in/k.ts");
    expect(gone.stderr).toContain("git commit --no-verify");
  });

  it("a shallow clone: scan and --staged work and say nothing about depth", async () => {
    const key = makeKey();
    const origin = createRepo({ committed: { "a.ts": "x" } });
    commitFile(origin, "b.ts", "y");
    const clone = join(createDir(), "clone");
    git(origin, ["clone", "-q", "--depth", "1", `file://${origin}`, clone]);
    writeFileSync(join(clone, "s.ts"), leak(key));
    expect(filesOf((await scanJson(clone)).report)).toEqual(["s.ts"]);
    git(clone, ["add", "s.ts"]);
    const staged = await scanJson(clone, ["--staged"]);
    expect(filesOf(staged.report)).toEqual(["s.ts"]);
    expect(staged.report?.warnings).toEqual([]);
  });
});

describe("git missing, no repository, bad config", () => {
  it("git missing from PATH: --staged and --history exit 3 saying so; a plain scan walks with a warning", () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": leak(key) } });
    const env = { PATH: pathWithoutGit() };
    for (const mode of ["--staged", "--history"]) {
      const run = lumenguard(["scan", mode], repo, { env });
      expect(run.status, mode).toBe(3);
      expect(run.stderr, mode).toContain("git was not found on PATH");
      expect(run.stderr, mode).toContain("git commit --no-verify");
    }
    const plain = lumenguard(["scan", "--format", "json"], repo, { env });
    expect(plain.status).toBe(1);
    expect(json(plain.stdout).findings.map((f) => f.file)).toEqual(["a.ts"]);
    expect(plain.stderr).toContain("warning: git was not found on PATH; walked the directory instead");
  });

  it("--staged outside a repository is exit 3 from the real binary too", () => {
    const run = lumenguard(["scan", "--staged"], createDir({ "a.ts": "x" }));
    expect(run.status).toBe(3);
    expect(run.stderr).toContain("not inside a git repository");
  });

  it.each([
    ["a folder named like the config", (dir: string) => mkdirSync(join(dir, "lumenguard.config.json")), /lumenguard.config.json: is not a regular file \(a directory\)/],
    ["a UTF-16 config", (dir: string) => writeFileSync(join(dir, ".lumenguardrc.json"), Buffer.from([0xff, 0xfe, 0x7b, 0])), /.lumenguardrc.json: is not valid JSON/],
    ["an empty config", (dir: string) => writeFileSync(join(dir, "lumenguard.config.json"), ""), /lumenguard.config.json: is not valid JSON/],
    ["package.json lumenguard: 5", (dir: string) => writeFileSync(join(dir, "package.json"), '{ "lumenguard": 5 }'), /package.json: "lumenguard.?" must be object/],
  ])("a corrupt config in the pre-commit mode: %s is exit 2 naming it", async (_, corrupt, message) => {
    const repo = createRepo({ staged: { "a.ts": "x" } });
    corrupt(repo);
    const { code, stderr } = await runCli(["scan", "--staged"], { cwd: repo });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe("failing closed", () => {
  function repoWithHook(command: string): string {
    const repo = createRepo({ committed: { "a.ts": "x" } });
    const hooks = join(repo, ".hooks");
    mkdirSync(hooks);
    const bin = join(import.meta.dirname, "../bin/lumenguard.js");
    writeFileSync(join(hooks, "pre-commit"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" ${command}\n`);
    chmodSync(join(hooks, "pre-commit"), 0o755);
    git(repo, ["config", "core.hooksPath", ".hooks"]);
    return repo;
  }
  const commit = (repo: string) => spawnSync("git", ["commit", "-m", "try"], { cwd: repo, env: binEnv, encoding: "utf8" });

  it("an internal error in the hook blocks the commit, naming the bypass and how to report it", () => {
    // A fault injected as a bug would strike: a preloaded module makes JSON.stringify throw a
    // TypeError when it is given the report (an object with findings), so rendering the JSON
    // report fails with an error nothing in lumenguard expects.
    const repo = repoWithHook("scan --staged --format json --output report.json");
    const fault = join(repo, "..", `fault-${Date.now()}.cjs`);
    writeFileSync(fault, `const stringify = JSON.stringify;\nJSON.stringify = function (value, ...rest) {\n  if (value && typeof value === "object" && "findings" in value) throw new TypeError("injected fault");\n  return stringify.call(this, value, ...rest);\n};\n`);
    writeFileSync(join(repo, "b.ts"), "clean\n");
    git(repo, ["add", "b.ts"]);
    const blocked = spawnSync("git", ["commit", "-m", "try"], { cwd: repo, env: { ...binEnv, NODE_OPTIONS: `--require ${fault}` }, encoding: "utf8" });
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain("lumenguard: internal error: injected fault");
    expect(blocked.stderr).toContain("git commit --no-verify");
    expect(blocked.stderr).toMatch(/report it with this message and `lumenguard --version`/);
    expect(existsSync(join(repo, "report.json"))).toBe(false);
    expect(git(repo, ["log", "--format=%s"]).trim()).toBe("initial");
  });

  it("a report below a file (not a folder) is refused before the scan: exit 2 naming it, and the commit is blocked", () => {
    const repo = repoWithHook("scan --staged --output not-a-dir/report.json");
    writeFileSync(join(repo, "not-a-dir"), "a file\n");
    writeFileSync(join(repo, "b.ts"), "clean\n");
    git(repo, ["add", "b.ts"]);
    const blocked = commit(repo);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain(`refusing to write below ${join(repo, "not-a-dir")}: it is a file, not a folder`);
    expect(git(repo, ["log", "--format=%s"]).trim()).toBe("initial");
  });

  it("a hook that cannot read what is staged blocks the commit instead of passing it", () => {
    const key = makeKey();
    const repo = repoWithHook("scan --staged");
    writeFileSync(join(repo, "b.ts"), leak(key));
    git(repo, ["add", "b.ts"]);
    const oid = git(repo, ["rev-parse", ":b.ts"]).trim();
    rmSync(join(repo, ".git/objects", oid.slice(0, 2), oid.slice(2)));
    writeFileSync(join(repo, "b.ts"), "edited since\n");
    const blocked = commit(repo);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain("could not be read");
    expect(blocked.stderr).toContain("git commit --no-verify");
    expect(blocked.stderr).not.toContain(key);
  });
});

describe("SIGINT: no temp files, no stray git processes", () => {
  /** Temp names that lumenguard (not the test helpers) could have left. */
  const strayTemps = (dir: string) => readdirSync(dir).filter((name) => /lumenguard|\.tmp$/.test(name) && !name.startsWith("lumenguard-test-"));

  async function interrupt(args: string[], cwd: string, ready: (pid: number) => boolean) {
    const child = startLumenguard(args, cwd);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on("exit", (code, signal) => done({ code, signal })));
    const pid = child.pid as number;
    const deadline = Date.now() + 15_000;
    while (!ready(pid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
    const helpers = childrenOf(pid);
    child.kill("SIGINT");
    const outcome = await exited;
    // Children see their pipes close; give them a moment, then none may be left running.
    const stillRunning = () => helpers.filter((helper) => isRunning(helper.pid));
    for (let i = 0; i < 50 && stillRunning().length > 0; i++) await new Promise((done) => setTimeout(done, 50));
    return { outcome, helpers, stray: stillRunning() };
  }

  it("during a large history scan", async () => {
    const repo = createRepo();
    // 120 commits of a 400 KB file of incompressible text: ~48 MB of blobs to inflate and scan.
    const script = `
      const { randomBytes } = require("crypto");
      let out = "";
      for (let i = 1; i <= 120; i++) {
        const data = randomBytes(300 * 1024).toString("base64");
        out += "commit refs/heads/main\\ncommitter T <t@example.invalid> " + (1700000000 + i) + " +0000\\ndata 2\\nc\\n";
        out += "M 644 inline big.txt\\ndata " + Buffer.byteLength(data) + "\\n" + data + "\\n";
      }
      process.stdout.write(out);`;
    const stream = spawnSync(process.execPath, ["-e", script], { maxBuffer: 1 << 30 }).stdout;
    expect(spawnSync("git", ["fast-import", "--quiet"], { cwd: repo, input: stream }).status).toBe(0);
    const tempsBefore = strayTemps(tmpdir());
    const status = git(repo, ["status", "--porcelain", "--ignored"]);
    const { outcome, helpers, stray } = await interrupt(["scan", "--history"], repo, (pid) => childrenOf(pid).some((c) => c.args.includes("cat-file")));
      // git's own options (--no-pager, memory bounds, `-c name=value`) come before the subcommand.
      expect(helpers.some((helper) => /^git .*\bcat-file\b/.test(helper.args))).toBe(true);
    expect(outcome.signal ?? outcome.code).not.toBe(0);
    expect(stray).toEqual([]);
    expect(git(repo, ["status", "--porcelain", "--ignored"])).toBe(status);
    expect(readdirSync(join(repo, ".git")).filter((name) => name.endsWith(".lock"))).toEqual([]);
    expect(strayTemps(tmpdir()).filter((name) => !tempsBefore.includes(name))).toEqual([]);
  }, 60_000);

  it("during a huge working-tree scan with --output: no report and no half-written temp file", async () => {
    const dir = createDir();
    const fd = openSync(join(dir, "huge.img"), "w");
    ftruncateSync(fd, 2 * 1024 ** 3);
    writeSync(fd, Buffer.from("x"), 0, 1, 0);
    closeSync(fd);
    const started = Date.now();
    const { outcome } = await interrupt(["scan", "--output", "report.json"], dir, () => Date.now() - started > 1_000);
    expect(outcome.signal ?? outcome.code).not.toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["huge.img"]);
  }, 30_000);
});

describe("nothing reaches git as an option", () => {
  /** A repository with a key in history, and a place git would write to if a value were read as `--output`. */
  function target() {
    const repo = createRepo({ committed: { "a.ts": "x" } });
    commitFile(repo, "k.ts", leak(makeKey()));
    const out = join(createDir(), "written-by-git");
    return { repo, out };
  }

  it("--range=--output=FILE with the real binary: exit 2 naming the value, git writes nothing", () => {
    const { repo, out } = target();
    for (const args of [
      ["scan", "--history", `--range=--output=${out}`],
      ["scan", "--history", "--range", `HEAD..--output=${out}`],
      ["scan", "--history", `--since-commit=--output=${out}`],
      ["ci", `--range=--output=${out}`],
    ]) {
      const run = lumenguard(args, repo);
      expect(run.status, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toContain("--output=");
      expect(existsSync(out), args.join(" ")).toBe(false);
    }
  });

  it("an empty or unresolvable range end is exit 2; a valid range of no commits is exit 0 with the count", () => {
    const { repo } = target();
    for (const range of ["..HEAD", "HEAD..", "...HEAD", "", " ", "nope..HEAD", "HEAD..nope"]) {
      const run = lumenguard(["scan", "--history", "--range", range], repo);
      expect(run.status, JSON.stringify(range)).toBe(2);
    }
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    const rerun = lumenguard(["scan", "--history", "--range", `${head}..${head}`], repo);
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain("0 commits (0 blobs)");
  });

  it("a pre-push hook's remote name that looks like an option is not one: the push is scanned whole, git writes nothing", () => {
    const { repo, out } = target();
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    const run = lumenguard(["scan", "--pre-push", "--", `--output=${out}`, "url"], repo, { input: `refs/heads/main ${head} refs/heads/main ${"0".repeat(40)}\n` });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("k.ts");
    expect(existsSync(out)).toBe(false);
  });

  it("CI payloads and the pre-commit framework's variables that look like options fail closed, and git writes nothing", async () => {
    const { repo, out } = target();
    const event = join(createDir(), "event.json");
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: `--output=${out}` }, head: { sha: "HEAD" } } }));
    const pr = lumenguard(["ci"], repo, { env: { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: event } });
    expect(pr.status).toBe(3);
    const gitlab = lumenguard(["ci"], repo, { env: { GITLAB_CI: "true", CI_COMMIT_SHA: `--output=${out}` } });
    expect(gitlab.status).toBe(3);
    for (const variable of ["PRE_COMMIT_TO_REF", "PRE_COMMIT_LOCAL_BRANCH"]) {
      const run = lumenguard(["scan", "--pre-push"], repo, { env: { PRE_COMMIT: "1", PRE_COMMIT_REMOTE_NAME: "origin", [variable]: `--output=${out}` } });
      expect(run.status, variable).toBe(3);
    }
    expect(existsSync(out)).toBe(false);
  });

  it("paths given with a git mode reach git after `--`, literally", async () => {
    const repo = createRepo({ committed: { "a.ts": "x" } });
    mkdirSync(join(repo, "--output=o"));
    writeFileSync(join(repo, "--output=o/k.ts"), leak(makeKey()));
    writeFileSync(join(repo, "*.ts"), leak(makeKey()));
    git(repo, ["add", "--", "--output=o/k.ts", "*.ts"]);
    const staged = await scanJson(repo, ["--staged", "--", "--output=o"]);
    expect(filesOf(staged.report)).toEqual(["k.ts"]);
    // A glob character is a name, not a pattern: "*.ts" is that one file.
    const literal = await scanJson(repo, ["--staged", "--", "*.ts"]);
    expect(filesOf(literal.report)).toEqual(["*.ts"]);
    expect(existsSync(join(repo, "o"))).toBe(false);
  });
});
