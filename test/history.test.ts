import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { revisionArgs } from "../src/git/revisions.js";
import { parsePushedRefs, pushedRevisions } from "../src/sources/pre-push.js";
import { runCli } from "./helpers/cli.js";
import { keyIdOf, lastFour, makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, processEnv, withoutGitOverrides } from "./helpers/repo.js";

/** `scan --history` and `scan --pre-push` against real repositories. */
type Report = { findings: Array<{ file: string; line: number; ruleId: string; commit?: { sha: string; author: string; date: string } }>; warnings: Array<{ code: string; message: string }>; stats: { commits: number; blobs: number } };

const history = async (cwd: string, extra: string[] = []) => {
  const outcome = await runCli(["scan", "--history", "--format", "json", ...extra], { cwd });
  return { ...outcome, report: (outcome.code <= 1 ? JSON.parse(outcome.stdout) : null) as Report };
};

function commitFile(repo: string, path: string, content: string, message: string): string {
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), content);
  git(repo, ["add", path]);
  git(repo, ["commit", "-q", "-m", message]);
  return git(repo, ["rev-parse", "HEAD"]).trim();
}

describe("scan --history", () => {
  it("finds a key added then removed, attributed to the commit that introduced it", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    const added = commitFile(repo, "src/config.ts", `export const a = 1;\nexport const key = "${key}";\n`, "add config");
    commitFile(repo, "src/config.ts", "export const a = 1;\nexport const key = process.env.LUMENFALL_API_KEY;\n", "use env");
    const { code, report, stdout } = await history(repo);
    expect(code).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({ ruleId: "key-in-history", file: "src/config.ts", line: 2, column: 21, commit: { sha: added, author: "Test <test@example.invalid>", date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } }),
    ]);
    expect(stdout).not.toContain(key);
    expect(report.stats.commits).toBe(3);
    // The working tree is clean: a plain scan finds nothing.
    expect((await runCli(["scan"], { cwd: repo })).code).toBe(0);
  });

  it("reports a key once per key and path, however many versions or commits carry it", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    const first = commitFile(repo, "a.ts", `k = "${key}"\n`, "1");
    for (let i = 0; i < 5; i++) commitFile(repo, "a.ts", `// v${i}\nk = "${key}"\n`, `v${i}`);
    commitFile(repo, "b.ts", `k = "${key}"\n`, "copy");
    const { report } = await history(repo);
    expect(report.findings.map((f) => [f.file, f.commit?.sha === first])).toEqual([
      ["a.ts", true],
      ["b.ts", false],
    ]);
  });

  it("reads a blob shared by 500 commits once", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "shared.ts": `k = "${key}"\n` } });
    // 500 commits with a fast-import stream: each adds its own small file, the key file never changes.
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    const stream = Array.from({ length: 500 }, (_, i) => {
      const from = i === 0 ? `from ${head}\n` : "";
      const message = `c${i}`;
      return `commit refs/heads/main\ncommitter T <t@example.invalid> ${1_700_000_000 + i} +0000\ndata ${message.length}\n${message}\n${from}M 100644 inline f${i}.txt\ndata ${String(i).length}\n${i}\n`;
    }).join("");
    spawnSync("git", ["fast-import", "--quiet"], { cwd: repo, input: stream, env: withoutGitOverrides(process.env) });
    git(repo, ["reset", "-q", "--hard"]);
    const { report } = await history(repo);
    expect(report.stats.commits).toBe(501);
    expect(report.stats.blobs).toBe(501);
    expect(report.findings.map((f) => f.file)).toEqual(["shared.ts"]);
  });

  it("scans every ref: a key on an unmerged branch is found; --range limits the scope", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    const base = git(repo, ["rev-parse", "HEAD"]).trim();
    git(repo, ["checkout", "-q", "-b", "feature"]);
    commitFile(repo, "feature.ts", `k = "${key}"\n`, "feature");
    git(repo, ["checkout", "-q", "main"]);
    commitFile(repo, "clean.ts", "export {};\n", "clean");
    expect((await history(repo)).report.findings.map((f) => f.file)).toEqual(["feature.ts"]);
    expect((await history(repo, ["--range", `${base}..main`])).code).toBe(0);
    const feature = await history(repo, ["--range", `${base}..feature`]);
    expect(feature.code).toBe(1);
    expect(feature.report.findings.map((f) => [f.ruleId, f.file, f.line, f.column, f.secret?.redacted])).toEqual([["key-in-history", "feature.ts", 1, 6, `lmnfl_${keyIdOf(key)}.\u2026${lastFour(key)}`]]);
    expect((await history(repo, ["--since-commit", base])).code).toBe(0);
  });

  it("finds a key introduced by a merge resolution", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "c.txt": "base\n" } });
    git(repo, ["checkout", "-q", "-b", "side"]);
    commitFile(repo, "c.txt", "side\n", "side");
    git(repo, ["checkout", "-q", "main"]);
    commitFile(repo, "c.txt", "main\n", "main");
    spawnSync("git", ["merge", "-q", "side"], { cwd: repo, env: withoutGitOverrides(process.env) });
    writeFileSync(join(repo, "c.txt"), `resolved ${key}\n`);
    git(repo, ["add", "c.txt"]);
    git(repo, ["commit", "-q", "--no-edit"]);
    const merge = git(repo, ["rev-parse", "HEAD"]).trim();
    const { report } = await history(repo);
    expect(report.findings.map((f) => [f.file, f.commit?.sha])).toEqual([["c.txt", merge]]);
  });

  it("a bad range is a usage error (2); outside a repository is 3", async () => {
    const repo = createRepo({ committed: { "a.ts": "x" } });
    const bad = await history(repo, ["--range", "nope..main"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("nope..main");
    expect((await runCli(["scan", "--history"], { cwd: createDir() })).code).toBe(3);
  });

  it("a shallow clone warns where history stops; a range beyond it is exit 3 with the fix", async () => {
    const key = makeKey();
    const origin = createRepo({ committed: { "README.md": "# app\n" } });
    const old = commitFile(origin, "old.ts", `k = "${key}"\n`, "old key");
    commitFile(origin, "old.ts", "export {};\n", "removed");
    commitFile(origin, "new.ts", "export {};\n", "new");
    const clone = join(createDir(), "clone");
    git(origin, ["clone", "-q", "--depth", "1", `file://${origin}`, clone]);
    const { code, report, stderr } = await history(clone);
    expect(code).toBe(0);
    expect(report.warnings).toEqual([expect.objectContaining({ code: "shallow-clone" })]);
    expect(stderr).toContain("this clone is shallow: history stops at");
    expect(stderr).toContain("git fetch --unshallow");
    const beyond = await history(clone, ["--range", `${old}..HEAD`]);
    expect(beyond.code).toBe(3);
    expect(beyond.stderr).toContain("fetch-depth: 0");
  });

  it("a partial clone with missing blobs: a warning counts them, the rest is scanned, nothing is fetched", async () => {
    const key = makeKey();
    const origin = createRepo({ committed: { "README.md": "# app\n" } });
    git(origin, ["config", "uploadpack.allowFilter", "true"]);
    commitFile(origin, "big.txt", `${"x".repeat(5000)}\n`, "big");
    commitFile(origin, "small.ts", `k = "${key}"\n`, "small");
    const clone = join(createDir(), "clone");
    git(origin, ["clone", "-q", "--no-checkout", "--filter=blob:limit=1k", `file://${origin}`, clone]);
    const countObjects = () => git(clone, ["count-objects", "-v"]);
    const before = countObjects();
    const { code, report } = await history(clone);
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.file)).toEqual(["small.ts"]);
    expect(report.warnings).toEqual([expect.objectContaining({ code: "objects-missing", message: expect.stringContaining("1 blob(s) are missing") })]);
    expect(countObjects()).toBe(before);
  });

  it("works in a bare repository and in a linked worktree", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": `k = "${key}"\n` } });
    const bare = join(createDir(), "bare.git");
    git(repo, ["clone", "-q", "--bare", repo, bare]);
    expect((await history(bare)).report.findings.map((f) => f.file)).toEqual(["a.ts"]);
    const linked = join(createDir(), "linked");
    git(repo, ["worktree", "add", "-q", "-b", "other", linked]);
    expect((await history(linked)).report.findings.map((f) => f.file)).toEqual(["a.ts"]);
  });
});

describe("scan --pre-push", () => {
  const zero = "0".repeat(40);

  it("parses git's refs and turns them into exactly the commits being pushed", () => {
    const refs = parsePushedRefs(`refs/heads/main ${"a".repeat(40)} refs/heads/main ${"b".repeat(40)}\nrefs/heads/new ${"c".repeat(40)} refs/heads/new ${zero}\nrefs/heads/gone ${zero} refs/heads/gone ${"d".repeat(40)}\n`);
    expect(refs).toHaveLength(3);
    // What the remote being pushed to has: the old tips git reports, and the commits it lists (git ls-remote).
    const a = "a".repeat(40);
    const b = "b".repeat(40);
    const c = "c".repeat(40);
    const t = "e".repeat(40);
    const remote = (known: boolean, listed: string[] | null) => ({ known: () => known, listed: listed === null ? null : new Set(listed) });
    expect(pushedRevisions(refs, remote(true, [t]))).toEqual({ tips: [a, c], exclude: [b, t] });
    expect(pushedRevisions([refs[0]!], remote(false, [t]))).toEqual({ tips: [a], exclude: [t] });
    // The remote could not be asked: only the old tips git reported count.
    expect(pushedRevisions([refs[0]!], remote(true, null))).toEqual({ tips: [a], exclude: [b] });
    // A deletion sends nothing.
    expect(pushedRevisions([refs[2]!], remote(true, [t]))).toEqual({ tips: [] });
    // Everything reaches git after --end-of-options.
    expect(revisionArgs(pushedRevisions(refs, remote(true, null)))).toEqual(["--end-of-options", a, c, `^${b}`, "--"]);
  });

  const env = processEnv();
  const bin = join(import.meta.dirname, "../bin/lumenguard.js");

  function pushSetup() {
    const remote = join(createDir(), "remote.git");
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    git(repo, ["init", "-q", "--bare", remote]);
    git(repo, ["remote", "add", "origin", remote]);
    git(repo, ["push", "-q", "origin", "main"]);
    git(repo, ["config", "core.hooksPath", ".hooks"]);
    mkdirSync(join(repo, ".hooks"));
    writeFileSync(join(repo, ".hooks/pre-push"), `#!/bin/sh\nexec node ${JSON.stringify(bin)} scan --pre-push "$@"\n`);
    chmodSync(join(repo, ".hooks/pre-push"), 0o755);
    return repo;
  }
  const push = (repo: string, args: string[]) => spawnSync("git", ["push", ...args], { cwd: repo, env, encoding: "utf8" });

  it("blocks a real push of a commit that adds a key, even when a later commit removes it", () => {
    const key = makeKey();
    const repo = pushSetup();
    commitFile(repo, "a.ts", `k = "${key}"\n`, "leak");
    commitFile(repo, "a.ts", "k = process.env.K\n", "fix");
    const blocked = push(repo, ["origin", "main"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("a.ts:1:6");
    expect(blocked.stderr + blocked.stdout).toContain("key-in-history");
    expect(blocked.stderr + blocked.stdout).not.toContain(key);
    expect(git(repo, ["ls-remote", "origin", "main"])).not.toContain(git(repo, ["rev-parse", "HEAD"]).trim());
  });

  it("scans only what is new: keys already on the remote do not block a clean push; new branches count commits on no remote", () => {
    const key = makeKey();
    const repo = pushSetup();
    commitFile(repo, "old.ts", `k = "${key}"\n`, "old leak");
    expect(push(repo, ["--no-verify", "origin", "main"]).status).toBe(0);
    commitFile(repo, "clean.ts", "export {};\n", "clean");
    expect(push(repo, ["origin", "main"]).status).toBe(0);
    git(repo, ["checkout", "-q", "-b", "topic"]);
    commitFile(repo, "topic.ts", "export const t = 1;\n", "topic");
    expect(push(repo, ["origin", "topic"]).status).toBe(0);
    git(repo, ["checkout", "-q", "-b", "leaky"]);
    commitFile(repo, "leak.ts", `k = "${makeKey()}"\n`, "new branch leak");
    expect(push(repo, ["origin", "leaky"]).status).not.toBe(0);
  });

  it("deleting a branch scans nothing and passes", async () => {
    const repo = pushSetup();
    const outcome = await runCli(["scan", "--pre-push"], { cwd: repo, stdin: `(delete) ${zero} refs/heads/x ${"a".repeat(40)}\n` });
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain("0 commits");
  });
});

describe("scan --history: what else history holds", () => {
  it("a key in a commit message is reported at <commit message>, with that commit", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    writeFileSync(join(repo, "b.ts"), "y\n");
    git(repo, ["add", "b.ts"]);
    git(repo, ["commit", "-q", "-m", `use ${key} for now`]);
    const sha = git(repo, ["rev-parse", "HEAD"]).trim();
    const { code, report, stdout } = await history(repo);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.ruleId, f.file, f.line, f.column, f.commit?.sha])).toEqual([["key-in-history", "<commit message>", 1, 5, sha]]);
    expect(report.stats.blobs).toBe(2);
    expect(stdout).not.toContain(key);
  });

  it("a key in a brotli-compressed file of history is found (it is inflated after its last chunk arrives)", async () => {
    const { brotliCompressSync } = await import("node:zlib");
    const repo = createRepo({ committed: { "dist/app.js.br": brotliCompressSync(Buffer.from(`var k="${makeKey()}";\n`)) } });
    const { code, report } = await history(repo);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.ruleId, f.file, f.line])).toEqual([["key-in-history", "dist/app.js.br", 1]]);
  });

  it("a Git LFS pointer is scanned as its content when the local LFS store has it, and said when it does not", async () => {
    const { createHash } = await import("node:crypto");
    const key = makeKey();
    const repo = createRepo();
    const pointerFor = (content: string) => {
      const oid = createHash("sha256").update(content).digest("hex");
      return { oid, pointer: `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${Buffer.byteLength(content)}\n` };
    };
    const stored = pointerFor(`dump with ${key}\n`);
    const absent = pointerFor(`other dump ${makeKey()}\n`);
    const store = join(repo, ".git/lfs/objects", stored.oid.slice(0, 2), stored.oid.slice(2, 4));
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, stored.oid), `dump with ${key}\n`);
    commitFile(repo, "data/stored.sql", stored.pointer, "lfs");
    commitFile(repo, "data/absent.sql", absent.pointer, "lfs 2");
    const { code, report, stdout } = await history(repo);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.ruleId, f.file, f.line, f.column])).toEqual([["key-in-history", "data/stored.sql", 1, 11]]);
    expect(report.warnings).toEqual([expect.objectContaining({ code: "lfs-not-scanned", file: "data/absent.sql", message: expect.stringContaining("was not scanned") })]);
    expect(stdout).not.toContain(key);
  });

  it("a corrupt blob in a full clone is exit 3 naming it, never a 'partial clone' pass", async () => {
    const key = makeKey();
    const origin = createRepo({ committed: { "README.md": "# app\n" } });
    commitFile(origin, "a.ts", `k = "${key}"\n`, "key");
    const clone = join(createDir(), "clone");
    git(origin, ["clone", "-q", "--no-hardlinks", origin, clone]);
    const oid = git(clone, ["rev-parse", "HEAD:a.ts"]).trim();
    const object = join(clone, ".git/objects", oid.slice(0, 2), oid.slice(2));
    chmodSync(object, 0o644);
    writeFileSync(object, Buffer.from("this is not zlib data at all"));
    const { code, stderr } = await runCli(["scan", "--history"], { cwd: clone });
    expect(code).toBe(3);
    expect(stderr).not.toMatch(/partial clone/i);
    expect(stderr).toContain("git commit --no-verify");
    // A blob missing from a complete clone is damage too.
    rmSync(object);
    const missing = await runCli(["scan", "--history"], { cwd: clone });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("damaged");
    expect(missing.stderr).toContain(oid);
  });

  it("a real partial clone (--filter=blob:none over file://): missing blobs are a warning with the count, the fetched ones are scanned, nothing is fetched", async () => {
    const origin = createRepo({ committed: { "README.md": "# app\n" } });
    git(origin, ["config", "uploadpack.allowFilter", "true"]);
    commitFile(origin, "old.ts", `k = "${makeKey()}"\n`, "old key");
    commitFile(origin, "old.ts", "k = process.env.K\n", "removed");
    commitFile(origin, "now.ts", `k = "${makeKey()}"\n`, "key in HEAD");
    const clone = join(createDir(), "clone");
    git(origin, ["clone", "-q", "--filter=blob:none", `file://${origin}`, clone]);
    expect(git(clone, ["config", "--get-regexp", "^remote\\..*\\.promisor$"])).toContain("true");
    const missingBefore = git(clone, ["rev-list", "--objects", "--all", "--missing=print"]).split("\n").filter((line) => line.startsWith("?"));
    expect(missingBefore).toHaveLength(1);
    const { code, report } = await history(clone);
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.file)).toEqual(["now.ts"]);
    expect(report.warnings).toEqual([expect.objectContaining({ code: "objects-missing", message: expect.stringContaining("1 blob(s) are missing from this partial clone") })]);
    expect(git(clone, ["rev-list", "--objects", "--all", "--missing=print"]).split("\n").filter((line) => line.startsWith("?"))).toEqual(missingBefore);
  });
});

describe("a path names the repository", () => {
  function monorepo() {
    const repo = createRepo({ committed: { "README.md": "# mono\n" } });
    commitFile(repo, "packages/a/k.ts", `k = "${makeKey()}"\n`, "a key");
    commitFile(repo, "packages/b/k.ts", `k = "${makeKey()}"\n`, "b key");
    commitFile(repo, "packages/a/k.ts", "k = 1\n", "a removed");
    return repo;
  }

  it("scan ../other-repo --history scans that repository, whatever the current directory is", async () => {
    const repo = monorepo();
    const elsewhere = createDir();
    expect(relative(elsewhere, repo)).toMatch(/^\.\.\//);
    const outcome = await runCli(["scan", relative(elsewhere, repo), "--history", "--format", "json"], { cwd: elsewhere });
    expect(outcome.code).toBe(1);
    expect((JSON.parse(outcome.stdout) as Report).findings.map((f) => f.file)).toEqual(["packages/a/k.ts", "packages/b/k.ts"]);
  });

  it("a folder narrows --history to its files (a side branch that added and removed a key there included); reports are relative to it", async () => {
    const repo = monorepo();
    git(repo, ["checkout", "-q", "-b", "side"]);
    commitFile(repo, "packages/a/side.ts", `k = "${makeKey()}"\n`, "side key");
    commitFile(repo, "packages/a/side.ts", "gone\n", "side removed");
    git(repo, ["checkout", "-q", "main"]);
    commitFile(repo, "top.ts", "x\n", "main moves on");
    git(repo, ["merge", "-q", "--no-edit", "side"]);
    // Only the merge reaches the side branch now: git log would simplify it away for a path.
    git(repo, ["branch", "-q", "-D", "side"]);
    const outcome = await runCli(["scan", "packages/a", "--history", "--format", "json"], { cwd: repo });
    expect(outcome.code).toBe(1);
    const report = JSON.parse(outcome.stdout) as Report & { findings: Array<{ repoPath: string }> };
    expect(report.findings.map((f) => [f.file, f.repoPath])).toEqual([
      ["k.ts", "packages/a/k.ts"],
      ["side.ts", "packages/a/side.ts"],
    ]);
    // A file given names itself.
    const one = await runCli(["scan", "packages/b/k.ts", "--history", "--format", "json"], { cwd: repo });
    expect((JSON.parse(one.stdout) as Report).findings.map((f) => f.file)).toEqual(["packages/b/k.ts"]);
  });

  it("a path that does not exist, or is in no repository, is exit 3; paths in two repositories are exit 2", async () => {
    const repo = monorepo();
    const missing = await runCli(["scan", "nope", "--history"], { cwd: repo });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("nope does not exist");
    const outside = await runCli(["scan", createDir({ "x.ts": "x" }), "--history"], { cwd: repo });
    expect(outside.code).toBe(3);
    expect(outside.stderr).toContain("not inside a git repository");
    const two = await runCli(["scan", repo, createRepo({ committed: { "x": "x" } }), "--history"], { cwd: repo });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain("different repositories");
  });

  it("a path whose name starts with '-' reaches git as a path, never an option", async () => {
    const repo = createRepo({ committed: { "README.md": "# x\n" } });
    mkdirSync(join(repo, "--output=x"));
    writeFileSync(join(repo, "--output=x/k.ts"), `k = "${makeKey()}"\n`);
    git(repo, ["add", "--", "--output=x/k.ts"]);
    git(repo, ["commit", "-q", "-m", "odd name"]);
    const outcome = await runCli(["scan", "--history", "--format", "json", "--", "--output=x"], { cwd: repo });
    expect(outcome.code).toBe(1);
    expect((JSON.parse(outcome.stdout) as Report).findings.map((f) => f.file)).toEqual(["k.ts"]);
    expect(existsSync(join(repo, "x"))).toBe(false);
  });
});
