import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, processEnv, withoutGitOverrides } from "./helpers/repo.js";

/** `scan --staged` against real repositories. */
const staged = async (repo: string, cwd = repo, env: NodeJS.ProcessEnv = {}) => {
  const outcome = await runCli(["scan", "--staged", "--format", "json"], { cwd, env });
  return { ...outcome, report: outcome.code <= 1 ? JSON.parse(outcome.stdout) : null };
};
const files = (report: { findings: Array<{ file: string }> }) => report.findings.map((f) => f.file).sort();

describe("scan --staged", () => {
  it("reads the index, not the working tree: a key only in the index is found", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": "export {};\n" } });
    writeFileSync(join(repo, "a.ts"), `const k = "${key}";\n`);
    git(repo, ["add", "a.ts"]);
    writeFileSync(join(repo, "a.ts"), "export {};\n// removed the key, forgot to stage\n");
    const { code, report, stderr } = await staged(repo);
    expect(code).toBe(1);
    expect(report.findings).toEqual([expect.objectContaining({ file: "a.ts", line: 1, column: 12, source: "staged", ruleId: "lumenfall-key" })]);
    expect(report.warnings).toEqual([expect.objectContaining({ code: "staged-differs", file: "a.ts" })]);
    expect(stderr).toContain("git restore --staged a.ts");
    expect(stderr).toContain("git add a.ts");
  });

  it("a key only in the working tree does not block the commit, and is pointed out", async () => {
    const repo = createRepo({ committed: { "a.ts": "export {};\n" } });
    writeFileSync(join(repo, "a.ts"), "export const x = 1;\n");
    git(repo, ["add", "a.ts"]);
    writeFileSync(join(repo, "a.ts"), `export const x = 1;\nconst k = "${makeKey()}";\n`);
    const { code, report } = await staged(repo);
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.warnings).toEqual([expect.objectContaining({ code: "worktree-differs", file: "a.ts" })]);
  });

  it("partial staging with git add -p: only the staged hunk counts", async () => {
    const key = makeKey();
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    const repo = createRepo({ committed: { "a.txt": `${lines.join("\n")}\n` } });
    const edited = [...lines];
    edited[0] = "line 0 changed";
    edited[39] = `line 39 ${key}`;
    writeFileSync(join(repo, "a.txt"), `${edited.join("\n")}\n`);
    // Stage the first hunk only ("y", then "n" for the hunk holding the key).
    spawnSync("git", ["add", "-p", "a.txt"], { cwd: repo, input: "y\nn\n", env: withoutGitOverrides(process.env) });
    expect(git(repo, ["diff", "--cached"])).toContain("line 0 changed");
    expect((await staged(repo)).code).toBe(0);
    spawnSync("git", ["add", "-p", "a.txt"], { cwd: repo, input: "y\n", env: withoutGitOverrides(process.env) });
    const after = await staged(repo);
    expect(after.code).toBe(1);
    expect(after.report.findings[0]).toMatchObject({ file: "a.txt", line: 40 });
  });

  it("renames, copies, mode changes and binary files are scanned at their new paths; deletions are not", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "old.ts": `k = "${key}"\n`, "gone.ts": `k = "${key}"\n`, "tool.sh": `echo ${key}\n` } });
    git(repo, ["mv", "old.ts", "new.ts"]);
    git(repo, ["rm", "-q", "gone.ts"]);
    writeFileSync(join(repo, "copy.ts"), readFileSync(join(repo, "new.ts")));
    chmodSync(join(repo, "tool.sh"), 0o755);
    writeFileSync(join(repo, "app.bin"), Buffer.concat([Buffer.from([0, 1, 2, 0xff]), Buffer.from(key), Buffer.from([0, 0])]));
    git(repo, ["add", "-A"]);
    const { report } = await staged(repo);
    expect(files(report)).toEqual(["app.bin", "copy.ts", "new.ts", "tool.sh"]);
  });

  it("works before the first commit (no HEAD)", async () => {
    const repo = createRepo({ staged: { "a.ts": makeKey() } });
    expect(files((await staged(repo)).report)).toEqual(["a.ts"]);
  });

  it("nothing staged is exit 0, and says so", async () => {
    const repo = createRepo({ committed: { "a.ts": "x" } });
    const outcome = await runCli(["scan", "--staged"], { cwd: repo });
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain("0 staged files");
  });

  it("reports paths relative to the current directory and honours config ignore globs", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "lumenguard.config.json": '{ "ignore": ["fixtures/**"] }' }, staged: { "src/a.ts": key, "fixtures/b.ts": key } });
    expect(files((await staged(repo)).report)).toEqual(["src/a.ts"]);
    expect(files((await staged(repo, join(repo, "src"))).report)).toEqual(["a.ts"]);
  });

  it("skips submodules and unresolved conflicts, saying so", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "c.txt": "base\n" } });
    git(repo, ["checkout", "-q", "-b", "side"]);
    writeFileSync(join(repo, "c.txt"), "side\n");
    git(repo, ["commit", "-qam", "side"]);
    git(repo, ["checkout", "-q", "main"]);
    writeFileSync(join(repo, "c.txt"), "main\n");
    git(repo, ["commit", "-qam", "main"]);
    spawnSync("git", ["merge", "-q", "side"], { cwd: repo, env: withoutGitOverrides(process.env) });
    writeFileSync(join(repo, "resolved.ts"), `k = "${key}"\n`);
    git(repo, ["add", "resolved.ts"]);
    const inner = createRepo({ committed: { "x.ts": "x" } });
    git(repo, ["-c", "protocol.file.allow=always", "submodule", "add", "-q", inner, "vendor/inner"]);
    const { code, report } = await staged(repo);
    expect(code).toBe(1);
    expect(files(report)).toEqual(["resolved.ts"]);
    const skipped = report.warnings.filter((w: { code: string }) => w.code === "staged-skipped").map((w: { file: string }) => w.file).sort();
    expect(skipped).toEqual(["c.txt", "vendor/inner"]);
  });

  it("never writes the index", async () => {
    const repo = createRepo({ committed: { "a.ts": "x" } });
    writeFileSync(join(repo, "a.ts"), makeKey());
    git(repo, ["add", "a.ts"]);
    // Make the index stat-dirty, so that a status that may refresh it would want to.
    writeFileSync(join(repo, "a.ts"), readFileSync(join(repo, "a.ts")));
    const index = join(repo, ".git/index");
    const before = { bytes: readFileSync(index), mtime: statSync(index).mtimeMs };
    await staged(repo);
    expect(readFileSync(index).equals(before.bytes)).toBe(true);
    expect(statSync(index).mtimeMs).toBe(before.mtime);
  });

  it("honours GIT_INDEX_FILE (git commit -a and git commit <paths> use a temporary index)", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": "x" } });
    const temporary = join(repo, ".git/other-index");
    writeFileSync(join(repo, "a.ts"), key);
    git(repo, ["read-tree", "HEAD"], { GIT_INDEX_FILE: temporary });
    git(repo, ["add", "a.ts"], { GIT_INDEX_FILE: temporary });
    expect((await staged(repo)).report.findings).toEqual([]);
    const withTemporary = await staged(repo, repo, { GIT_INDEX_FILE: temporary });
    expect(withTemporary.code).toBe(1);
    expect(files(withTemporary.report)).toEqual(["a.ts"]);
  });

  it("outside a repository: exit 3 with the bypass named", async () => {
    const dir = createRepo();
    rmSync(join(dir, ".git"), { recursive: true });
    mkdirSync(join(dir, "sub"));
    const { code, stderr } = await runCli(["scan", "--staged"], { cwd: join(dir, "sub") });
    expect(code).toBe(3);
    expect(stderr).toContain("not inside a git repository");
    expect(stderr).toContain("git commit --no-verify");
  });

  it("a staged .env is dotenv-tracked — critical when it holds a key — and templates are not", async () => {
    const key = makeKey();
    const repo = createRepo({ staged: { ".env": `LUMENFALL_API_KEY=${key}\n`, "apps/web/.env.production": "DEBUG=0\n", ".env.example": "LUMENFALL_API_KEY=lmnfl_your_api_key\n" } });
    const { report } = await staged(repo);
    const dotenv = report.findings.filter((f: { ruleId: string }) => f.ruleId === "dotenv-tracked");
    expect(dotenv.map((f: { file: string; severity: string; line: number }) => [f.file, f.severity, f.line])).toEqual([
      [".env", "critical", 1],
      ["apps/web/.env.production", "high", 1],
    ]);
    expect(report.findings.filter((f: { ruleId: string }) => f.ruleId === "lumenfall-key").map((f: { file: string }) => f.file)).toEqual([".env"]);
  });

  it("a tracked .env in a working-tree scan is dotenv-tracked; an untracked, unignored one is dotenv-unignored", async () => {
    const repo = createRepo({ committed: { ".env": "DEBUG=1\n" }, untracked: { "pkg/.env.local": "DEBUG=1\n" } });
    const outcome = await runCli(["scan", "-f", "json"], { cwd: repo });
    expect(JSON.parse(outcome.stdout).findings.map((f: { ruleId: string; file: string }) => [f.ruleId, f.file])).toEqual([
      ["dotenv-tracked", ".env"],
      ["dotenv-unignored", "pkg/.env.local"],
    ]);
  });

});

describe("a real commit through a pre-commit hook running scan --staged", () => {
  const bin = join(import.meta.dirname, "../bin/lumenguard.js");
  const env = processEnv();
  const commit = (repo: string, args: string[]) => spawnSync("git", ["commit", ...args], { cwd: repo, env, encoding: "utf8" });

  function repoWithHook() {
    const repo = createRepo({ committed: { "a.ts": "export {};\n" } });
    git(repo, ["config", "core.hooksPath", ".hooks"]);
    mkdirSync(join(repo, ".hooks"));
    writeFileSync(join(repo, ".hooks/pre-commit"), `#!/bin/sh\nexec node ${JSON.stringify(bin)} scan --staged\n`);
    chmodSync(join(repo, ".hooks/pre-commit"), 0o755);
    return repo;
  }

  it("blocks the commit, names the key without printing it, and lets the fix through", () => {
    const key = makeKey();
    const repo = repoWithHook();
    writeFileSync(join(repo, "b.ts"), `const k = "${key}";\n`);
    git(repo, ["add", "b.ts"]);
    const blocked = commit(repo, ["-m", "leak"]);
    expect(blocked.status).toBe(1);
    expect(blocked.stdout + blocked.stderr).toContain("b.ts:1:12");
    expect(blocked.stdout + blocked.stderr).not.toContain(key);
    writeFileSync(join(repo, "b.ts"), "const k = process.env.LUMENFALL_API_KEY;\n");
    git(repo, ["add", "b.ts"]);
    expect(commit(repo, ["-m", "fixed"]).status).toBe(0);
  });

  it("hooks written by lumenguard init block a real commit and a real push", async () => {
    const repo = createRepo({ committed: { "a.ts": "export {};\n" } });
    const remote = join(createDir(), "remote.git");
    git(repo, ["init", "-q", "--bare", remote]);
    git(repo, ["remote", "add", "origin", remote]);
    git(repo, ["config", "--unset", "core.hooksPath"]);
    const hookEnv = { LUMENGUARD_HOOK_COMMAND: `node ${JSON.stringify(bin)}` };
    expect((await runCli(["init", "--git-hooks"], { cwd: repo, env: hookEnv })).code).toBe(0);
    writeFileSync(join(repo, "b.ts"), `const k = "${makeKey()}";\n`);
    git(repo, ["add", "b.ts"]);
    const blocked = commit(repo, ["-m", "leak"]);
    expect(blocked.status).toBe(1);
    expect(blocked.stdout + blocked.stderr).toContain("b.ts:1:12");
    const forced = commit(repo, ["--no-verify", "-m", "leak anyway"]);
    expect(forced.status).toBe(0);
    const push = spawnSync("git", ["push", "origin", "main"], { cwd: repo, env, encoding: "utf8" });
    expect(push.status).not.toBe(0);
    expect(push.stdout + push.stderr).toContain("key-in-history");
  });

  it("git commit -a: the key in a tracked file's unstaged change is caught", () => {
    const repo = repoWithHook();
    writeFileSync(join(repo, "a.ts"), `export const k = "${makeKey()}";\n`);
    expect(commit(repo, ["-a", "-m", "all"]).status).toBe(1);
    expect(commit(repo, ["-m", "only", "--", "a.ts"]).status).toBe(1);
    expect(git(repo, ["log", "--format=%s"]).trim()).toBe("initial");
  });
});

describe("reading staged blobs", () => {
  it("falls back from one buffered git call to streaming when the blobs are larger than the buffer", async () => {
    const { readBlobsQuickly } = await import("../src/git/read-blobs.js");
    const repo = createRepo({ staged: { "a.txt": "x".repeat(5000), "b.txt": "small\n" } });
    const ids = git(repo, ["ls-files", "-s"]).trim().split("\n").map((line) => line.split(/\s+/)[1] as string);
    const sizes: number[] = [];
    await readBlobsQuickly(ids, repo, processEnv(), {
      begin: () => {
        let size = 0;
        return (chunk, final) => {
          size += chunk.length;
          if (final) sizes.push(size);
        };
      },
      missing: () => sizes.push(-1),
    }, 100);
    expect(sizes).toEqual([5000, 6]);
  });
});

describe("scan --staged judges what the commit adds", () => {
  type Finding = { ruleId: string; severity: string; messageId: string; file: string; line: number };
  const summary = (report: { findings: Finding[] }) => report.findings.map((f) => [f.ruleId, f.severity, f.messageId, f.file, f.line]);

  it("a key HEAD already has in the same file is reported as already committed (low), and the commit passes", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "legacy.js": `const k = "${key}";\n` } });
    writeFileSync(join(repo, "legacy.js"), `const k = "${key}";\n// touched\n`);
    git(repo, ["add", "legacy.js"]);
    const { code, report, stdout } = await staged(repo);
    expect(code).toBe(0);
    expect(summary(report)).toEqual([["key-in-history", "low", "alreadyCommitted", "legacy.js", 1]]);
    const text = await runCli(["scan", "--staged"], { cwd: repo });
    expect(text.stdout).toContain("already committed");
    expect(text.stdout).toContain("revoke it");
    expect(stdout + text.stdout).not.toContain(key);
  });

  it("--fail-on-existing makes it fail the commit; a key the commit adds always does", async () => {
    const old = makeKey();
    const fresh = makeKey();
    const repo = createRepo({ committed: { "legacy.js": `const k = "${old}";\n` } });
    writeFileSync(join(repo, "legacy.js"), `const k = "${old}";\nconst j = "${fresh}";\n`);
    git(repo, ["add", "legacy.js"]);
    const added = await staged(repo);
    expect(added.code).toBe(1);
    expect(summary(added.report)).toEqual([
      ["key-in-history", "low", "alreadyCommitted", "legacy.js", 1],
      ["lumenfall-key", "critical", "hardCoded", "legacy.js", 2],
    ]);
    const strict = await runCli(["scan", "--staged", "--fail-on-existing", "--format", "json"], { cwd: repo });
    expect(strict.code).toBe(1);
    expect(summary(JSON.parse(strict.stdout))).toEqual([
      ["lumenfall-key", "critical", "hardCoded", "legacy.js", 1],
      ["lumenfall-key", "critical", "hardCoded", "legacy.js", 2],
    ]);
  });

  it("a second copy of an old key, or the old key in another file, is added by this commit", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.js": `const k = "${key}";\n` } });
    writeFileSync(join(repo, "a.js"), `const k = "${key}";\nconst again = "${key}";\n`);
    writeFileSync(join(repo, "b.js"), `const k = "${key}";\n`);
    git(repo, ["add", "a.js", "b.js"]);
    const { code, report } = await staged(repo);
    expect(code).toBe(1);
    expect(summary(report)).toEqual([
      ["lumenfall-key", "critical", "hardCoded", "a.js", 1],
      ["lumenfall-key", "critical", "hardCoded", "a.js", 2],
      ["lumenfall-key", "critical", "hardCoded", "b.js", 1],
    ]);
  });

  it("--fail-on-existing goes with --staged only", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    const outcome = await runCli(["scan", "--fail-on-existing"], { cwd: repo });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("--fail-on-existing goes with --staged");
  });

  it("under the pre-commit framework, an index equal to HEAD (pre-commit run --all-files) says so and names the lumenguard-files hook", async () => {
    const repo = createRepo({ committed: { "a.js": `const k = "${makeKey()}";\n` } });
    const framework = await runCli(["scan", "--staged", "--format", "json"], { cwd: repo, env: { PRE_COMMIT: "1" } });
    expect(framework.code).toBe(0);
    expect(JSON.parse(framework.stdout).warnings).toEqual([expect.objectContaining({ code: "index-equals-head", message: expect.stringContaining("lumenguard-files") })]);
    // Outside the framework, nothing staged is simply nothing to check.
    expect(JSON.parse((await runCli(["scan", "--staged", "--format", "json"], { cwd: repo })).stdout).warnings).toEqual([]);
  });

  it("a Git LFS file is scanned as the content `git add` stored, not as its pointer", async () => {
    const { createHash } = await import("node:crypto");
    const key = makeKey();
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    const content = `-- dump\ninsert into keys values ('${key}');\n`;
    const oid = createHash("sha256").update(content).digest("hex");
    // What git-lfs's clean filter does on git add: the content goes to the local store, the pointer to the index.
    const store = join(repo, ".git/lfs/objects", oid.slice(0, 2), oid.slice(2, 4));
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, oid), content);
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${Buffer.byteLength(content)}\n`;
    const blob = spawnSync("git", ["hash-object", "-w", "--stdin"], { cwd: repo, input: pointer, encoding: "utf8", env: withoutGitOverrides(process.env) }).stdout.trim();
    git(repo, ["update-index", "--add", "--cacheinfo", `100644,${blob},dump.sql`]);
    writeFileSync(join(repo, "dump.sql"), content);
    const { code, report } = await staged(repo);
    expect(code).toBe(1);
    expect(summary(report)).toEqual([["lumenfall-key", "critical", "hardCoded", "dump.sql", 2]]);
    // Without the stored content, the file is named and the gate fails closed (exit 3), the report still written.
    rmSync(join(store, oid));
    const unscanned = await runCli(["scan", "--staged", "--format", "json"], { cwd: repo });
    expect(unscanned.code).toBe(3);
    expect(JSON.parse(unscanned.stdout).warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: "lfs-not-scanned", file: "dump.sql", incomplete: true })]));
    expect(unscanned.stderr).toContain("exit 3: this gate could not read everything it had to judge");
  });
});

describe("scan --staged: Git LFS pointers on disk", () => {
  it("a pointer staged exactly as it is on disk (a clone that skipped smudging, git mv) is judged by the content it stands for", async () => {
    const { createHash } = await import("node:crypto");
    const key = makeKey();
    const content = `k=${key}\n`;
    const oid = createHash("sha256").update(content).digest("hex");
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${Buffer.byteLength(content)}\n`;
    const repo = createRepo({ committed: { ".gitattributes": "*.bin filter=lfs diff=lfs merge=lfs -text\n", "creds.bin": pointer } });
    git(repo, ["mv", "creds.bin", "creds2.bin"]);
    // The store lacks the content (GIT_LFS_SKIP_SMUDGE=1 clone): named, and the commit is stopped.
    const absent = await runCli(["scan", "--staged", "--format", "json"], { cwd: repo });
    expect(absent.code).toBe(3);
    expect(JSON.parse(absent.stdout).warnings).toEqual([expect.objectContaining({ code: "lfs-not-scanned", file: "creds2.bin", incomplete: true })]);
    // The store has it: the key is found in the renamed file.
    const store = join(repo, ".git/lfs/objects", oid.slice(0, 2), oid.slice(2, 4));
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, oid), content);
    const { code, report } = await staged(repo);
    expect(code).toBe(1);
    expect(report.findings.map((f: { file: string; line: number; column: number }) => [f.file, f.line, f.column])).toEqual([["creds2.bin", 1, 3]]);
    expect(report.warnings).toEqual([]);
  });
});

describe("symlinks are judged as what git records: their target text", () => {
  /** A repository with `keylink` (its target text is a key) and `out.txt` (a link to a file outside holding a key), staged. */
  function linkedRepo(filler = 0) {
    const inText = makeKey();
    const outside = createDir({ "secret.txt": `k=${makeKey()}\n` });
    const files: Record<string, string> = { "README.md": "# app\n" };
    for (let i = 0; i < filler; i++) files[`src/f${i}.ts`] = `export const x${i} = ${i};\n`;
    const repo = createRepo({ committed: files });
    symlinkSync(inText, join(repo, "keylink"));
    symlinkSync(join(outside, "secret.txt"), join(repo, "out.txt"));
    git(repo, ["add", "keylink", "out.txt"]);
    return { repo, inText };
  }
  const where = (report: { findings: Array<{ ruleId: string; file: string; line: number; column: number }> }) => report.findings.map((f) => [f.ruleId, f.file, f.line, f.column]);

  it("--staged reads a staged symlink's blob from the index: a key in its target text is found, the file it points to is never read", async () => {
    const { repo } = linkedRepo();
    const { code, report } = await staged(repo);
    expect(code).toBe(1);
    expect(where(report)).toEqual([["lumenfall-key", "keylink", 1, 1]]);
    expect(report.warnings).toEqual([]);
    expect(report.stats.files).toBe(2);
  });

  it.each([0, 80])("every other mode agrees (%i other files): the working tree, the files a hook manager names, history", async (filler) => {
    const { repo } = linkedRepo(filler);
    const run = async (argv: string[]) => {
      const outcome = await runCli(["--format", "json", ...argv], { cwd: repo });
      return { code: outcome.code, found: where(JSON.parse(outcome.stdout)), warnings: JSON.parse(outcome.stdout).warnings };
    };
    expect(await run(["scan"])).toEqual({ code: 1, found: [["lumenfall-key", "keylink", 1, 1]], warnings: [] });
    // lint-staged and the pre-commit framework name the staged paths: the links are not followed either.
    expect(await run(["scan", "--", "keylink", "out.txt"])).toEqual({ code: 1, found: [["lumenfall-key", "keylink", 1, 1]], warnings: [] });
    git(repo, ["commit", "-q", "-m", "links"]);
    expect(await run(["scan", "--history"])).toEqual({ code: 1, found: [["key-in-history", "keylink", 1, 1]], warnings: [] });
  });

  it("outside git a file named on the command line is still read through its link", async () => {
    const dir = createDir({ "real.txt": `k=${makeKey()}\n` });
    symlinkSync(join(dir, "real.txt"), join(dir, "named.txt"));
    const outcome = await runCli(["--format", "json", "scan", "--", "named.txt"], { cwd: dir });
    expect(outcome.code).toBe(1);
    expect(JSON.parse(outcome.stdout).findings.map((f: { file: string; line: number; column: number }) => [f.file, f.line, f.column])).toEqual([["named.txt", 1, 3]]);
  });
});

describe("scan PATH --staged: the path names the repository and narrows the scan", () => {
  it("scans the index of the repository that holds the path, only under it, paths relative to it", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "x\n" }, staged: { "packages/web/src/a.ts": `k = "${key}"\n`, "packages/api/b.ts": `k = "${key}"\n` } });
    const elsewhere = createDir();
    const outcome = await runCli(["scan", join(repo, "packages/web"), "--staged", "--format", "json"], { cwd: elsewhere });
    expect(outcome.code).toBe(1);
    const report = JSON.parse(outcome.stdout);
    expect(report.findings.map((f: { file: string; repoPath: string }) => [f.file, f.repoPath])).toEqual([["src/a.ts", "packages/web/src/a.ts"]]);
    const whole = await runCli(["scan", repo, "--staged", "--format", "json"], { cwd: elsewhere });
    expect(files(JSON.parse(whole.stdout))).toEqual(["packages/api/b.ts", "packages/web/src/a.ts"]);
  });

  it("a hook's GIT_DIR and GIT_INDEX_FILE name the hook's repository, not the path's", async () => {
    const other = createRepo({ committed: { "x": "x" }, staged: { "k.ts": `k = "${makeKey()}"\n` } });
    const hookRepo = createRepo({ committed: { "y": "y" } });
    for (const hookEnv of [{ GIT_DIR: join(hookRepo, ".git"), GIT_INDEX_FILE: join(hookRepo, ".git/index") }, { GIT_INDEX_FILE: ".git/index" }, { GIT_INDEX_FILE: join(hookRepo, ".git/index") }]) {
      const outcome = await runCli(["scan", other, "--staged", "--format", "json"], { cwd: hookRepo, env: hookEnv });
      expect(files(JSON.parse(outcome.stdout)), JSON.stringify(hookEnv)).toEqual(["k.ts"]);
    }
  });

  it("a hook's temporary index (git commit -a) is kept when the path is in the hook's own repository", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": "x" } });
    const temporary = join(repo, ".git/next-index.lock");
    writeFileSync(join(repo, "a.ts"), key);
    git(repo, ["read-tree", "HEAD"], { GIT_INDEX_FILE: temporary });
    git(repo, ["add", "a.ts"], { GIT_INDEX_FILE: temporary });
    const outcome = await runCli(["scan", ".", "--staged", "--format", "json"], { cwd: repo, env: { GIT_INDEX_FILE: temporary } });
    expect(files(JSON.parse(outcome.stdout))).toEqual(["a.ts"]);
  });
});
