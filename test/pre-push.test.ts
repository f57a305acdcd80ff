import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { keyIdOf, lastFour, makeKey } from "./helpers/keys.js";
import { bin } from "./helpers/process.js";
import { createDir, createRepo, git, processEnv } from "./helpers/repo.js";

/**
 * `scan --pre-push` as git runs it: real `git push` to local bare remotes, through a real
 * pre-push hook. What counts as already pushed is what the remote being pushed to has.
 */
const env = processEnv();

function commitFile(repo: string, path: string, content: string, message = `edit ${path}`): string {
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), content);
  git(repo, ["add", path]);
  git(repo, ["commit", "-q", "-m", message]);
  return git(repo, ["rev-parse", "HEAD"]).trim();
}

function bareRemote(repo: string, name: string): string {
  const remote = join(createDir(), `${name}.git`);
  git(repo, ["init", "-q", "--bare", "-b", "main", remote]);
  git(repo, ["remote", "add", name, remote]);
  return remote;
}

function installPrePush(repo: string): void {
  git(repo, ["config", "core.hooksPath", ".hooks"]);
  mkdirSync(join(repo, ".hooks"), { recursive: true });
  writeFileSync(join(repo, ".hooks/pre-push"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" scan --pre-push "$@"\n`);
  chmodSync(join(repo, ".hooks/pre-push"), 0o755);
}

const push = (repo: string, args: string[]) => spawnSync("git", ["push", ...args], { cwd: repo, env, encoding: "utf8" });
const remoteHas = (remote: string, rev: string) => spawnSync("git", ["cat-file", "-e", rev], { cwd: remote, env }).status === 0;

describe("pre-push: what the remote being pushed to already has", () => {
  it("a commit already on an internal remote is outgoing to a second, public remote: the push there is blocked", () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    bareRemote(repo, "int");
    const pub = bareRemote(repo, "pub");
    git(repo, ["push", "-q", "int", "main"]);
    git(repo, ["push", "-q", "pub", "main"]);
    git(repo, ["checkout", "-q", "-b", "feat"]);
    const leak = commitFile(repo, "b.js", `k = "${key}"\n`, "key");
    git(repo, ["push", "-q", "--no-verify", "int", "feat"]);
    installPrePush(repo);
    const blocked = push(repo, ["pub", "feat"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("b.js:1:6");
    expect(blocked.stderr + blocked.stdout).toContain(leak.slice(0, 12));
    expect(blocked.stderr + blocked.stdout).not.toContain(key);
    expect(remoteHas(pub, leak)).toBe(false);
    // Pushing it to the internal remote again is nothing new there: the hook passes.
    commitFile(repo, "c.js", "clean\n");
    expect(push(repo, ["int", "feat"]).status).toBe(0);
  });

  it("a fresh mirror has nothing: a push of main, whose history holds a key pushed long ago elsewhere, is blocked", () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    bareRemote(repo, "origin");
    commitFile(repo, "old.js", `k = "${makeKey()}"\n`);
    commitFile(repo, "old.js", "k = process.env.K\n");
    git(repo, ["push", "-q", "--no-verify", "origin", "main"]);
    const mirror = bareRemote(repo, "mirror");
    installPrePush(repo);
    const blocked = push(repo, ["mirror", "main"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("old.js");
    expect(remoteHas(mirror, "main")).toBe(false);
    // The same push to origin, which has it all, passes.
    expect(push(repo, ["origin", "main"]).status).toBe(0);
  });

  it("a push to a URL (no remote name, so no tracking refs) scans everything it sends", () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    bareRemote(repo, "origin");
    commitFile(repo, "k.js", `k = "${makeKey()}"\n`);
    git(repo, ["push", "-q", "--no-verify", "origin", "main"]);
    const target = join(createDir(), "target.git");
    git(repo, ["init", "-q", "--bare", target]);
    installPrePush(repo);
    const blocked = push(repo, [target, "main"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("k.js");
  });

  it("tags (lightweight and annotated) and new branch names pushed to a fresh remote are scanned", () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    bareRemote(repo, "origin");
    git(repo, ["push", "-q", "origin", "main"]);
    git(repo, ["checkout", "-q", "-b", "side"]);
    const leak = commitFile(repo, "t.js", `k = "${makeKey()}"\n`);
    git(repo, ["checkout", "-q", "main"]);
    git(repo, ["tag", "light", leak]);
    git(repo, ["tag", "-a", "-m", "release", "annotated", leak]);
    git(repo, ["push", "-q", "--no-verify", "origin", "side"]);
    const fresh = bareRemote(repo, "fresh");
    installPrePush(repo);
    for (const ref of ["light", "annotated", "refs/tags/annotated", "side:refs/heads/renamed"]) {
      const blocked = push(repo, ["fresh", ref]);
      expect(blocked.status, ref).not.toBe(0);
      expect(blocked.stderr + blocked.stdout, ref).toContain("t.js");
    }
    expect(remoteHas(fresh, leak)).toBe(false);
    // To origin, which has the commit on its side branch, the tags bring nothing new.
    expect(push(repo, ["origin", "light", "annotated"]).status).toBe(0);
    // A new branch name for commits the remote has: nothing new either.
    expect(push(repo, ["origin", "side:refs/heads/copy"]).status).toBe(0);
  });

  it("a key in a commit message is pushed like a file, and blocked", () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    bareRemote(repo, "origin");
    git(repo, ["push", "-q", "origin", "main"]);
    writeFileSync(join(repo, "b.js"), "clean\n");
    git(repo, ["add", "b.js"]);
    git(repo, ["commit", "-q", "-m", "debug", "-m", `tried with LUMENFALL_API_KEY=${key}`]);
    const sha = git(repo, ["rev-parse", "HEAD"]).trim();
    installPrePush(repo);
    const blocked = push(repo, ["origin", "main"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("<commit message>:3:30");
    expect(blocked.stderr + blocked.stdout).toContain(sha.slice(0, 12));
    expect(blocked.stderr + blocked.stdout).not.toContain(key);
  });

  it("deleting a branch scans nothing and passes, saying 0 commits", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    const remote = bareRemote(repo, "origin");
    git(repo, ["push", "-q", "origin", "main:refs/heads/gone"]);
    installPrePush(repo);
    const deleted = push(repo, ["origin", ":gone"]);
    expect(deleted.status).toBe(0);
    expect(deleted.stdout + deleted.stderr).toContain("0 commits");
    expect(remoteHas(remote, "refs/heads/gone")).toBe(false);
  });

  it("standard input that is not git's ref lines fails closed (exit 3), never a 0-commit pass", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    const outcome = await runCli(["scan", "--pre-push", "origin", "url"], { cwd: repo, stdin: "refs/heads/main HEAD refs/heads/main HEAD\n" });
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toContain("nothing was checked");
  });
});

describe("pre-push: a key the remote already has in that file is already there, as --staged says of HEAD", () => {
  it("editing a file whose key is on the remote passes both gates, reported low as already there; a new key in that file, or the same key in another file, is blocked", () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "x\n" } });
    const remote = bareRemote(repo, "origin");
    commitFile(repo, "s.js", `k = "${key}";\n`);
    git(repo, ["push", "-q", "--no-verify", "origin", "main"]);
    installPrePush(repo);
    writeFileSync(join(repo, ".hooks/pre-commit"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" scan --staged\n`);
    chmodSync(join(repo, ".hooks/pre-commit"), 0o755);
    // An unrelated edit of the file: the commit gate and the push gate agree.
    writeFileSync(join(repo, "s.js"), `k = "${key}";\n// unrelated edit\n`);
    git(repo, ["add", "s.js"]);
    const committed = spawnSync("git", ["commit", "-q", "-m", "edit"], { cwd: repo, env, encoding: "utf8" });
    expect(committed.status, committed.stderr).toBe(0);
    expect(committed.stdout + committed.stderr).toContain("LOW");
    const edit = git(repo, ["rev-parse", "HEAD"]).trim();
    const pushed = push(repo, ["origin", "main"]);
    expect(pushed.status, pushed.stderr + pushed.stdout).toBe(0);
    expect(pushed.stdout + pushed.stderr).toMatch(/s\.js:1:6\s+LOW\s+key-in-history/);
    expect(pushed.stdout + pushed.stderr).not.toContain("CRITICAL");
    expect(pushed.stdout + pushed.stderr).not.toContain(key);
    expect(remoteHas(remote, edit)).toBe(true);
    const json = spawnSync(process.execPath, [bin, "scan", "--pre-push", "origin", remote, "--format", "json"], { cwd: repo, env, encoding: "utf8", input: `refs/heads/main ${edit} refs/heads/main ${git(repo, ["rev-parse", "HEAD~1"]).trim()}\n` });
    expect(JSON.parse(json.stdout).findings).toEqual([expect.objectContaining({ ruleId: "key-in-history", messageId: "alreadyPushed", severity: "low", file: "s.js" })]);
    // From here the commit gate is out of the way (it blocks these too): the push gate is what is checked.
    rmSync(join(repo, ".hooks/pre-commit"));
    // A second key in the same file is new to the remote.
    commitFile(repo, "s.js", `k = "${key}";\nk2 = "${makeKey()}";\n`);
    const blocked = push(repo, ["origin", "main"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toMatch(/s\.js:2:7\s+CRITICAL/);
    git(repo, ["reset", "-q", "--hard", "origin/main"]);
    // The same key copied to another file: new at that path.
    commitFile(repo, "t.js", `k = "${key}";\n`);
    const copied = push(repo, ["origin", "main"]);
    expect(copied.status).not.toBe(0);
    expect(copied.stdout + copied.stderr).toMatch(/t\.js:1:6\s+CRITICAL/);
  });

  it("a fresh remote has nothing: the same edit pushed to a new mirror is blocked", () => {
    const repo = createRepo({ committed: { "README.md": "x\n" } });
    bareRemote(repo, "origin");
    commitFile(repo, "s.js", `k = "${makeKey()}";\n`);
    git(repo, ["push", "-q", "--no-verify", "origin", "main"]);
    commitFile(repo, "s.js", "k = process.env.K;\n// edited\n");
    git(repo, ["push", "-q", "--no-verify", "origin", "main"]);
    const mirror = bareRemote(repo, "mirror");
    installPrePush(repo);
    const blocked = push(repo, ["mirror", "main"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toMatch(/s\.js:1:6\s+CRITICAL/);
    expect(remoteHas(mirror, "main")).toBe(false);
  });
});

describe("pre-push: tracking refs count only where git's report agrees with them", () => {
  /** A repository whose main holds a key that was pushed to `int` past the hook. */
  function pushedToInternal() {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    const internal = bareRemote(repo, "origin");
    const leak = commitFile(repo, "settings.py", `k = "${key}"\n`, "wip");
    git(repo, ["push", "-q", "--no-verify", "origin", "main"]);
    const publicRemote = join(createDir(), "public.git");
    git(repo, ["init", "-q", "--bare", "-b", "main", publicRemote]);
    installPrePush(repo);
    return { repo, internal, publicRemote, leak, key };
  }

  it("the remote's URL changed (open-sourcing): git reports main absent there, so refs/remotes/origin/main is not taken as there", () => {
    const { repo, publicRemote, leak, key } = pushedToInternal();
    git(repo, ["remote", "set-url", "origin", publicRemote]);
    const blocked = push(repo, ["origin", "main"]);
    expect(blocked.status, blocked.stderr).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("settings.py:1:6");
    expect(blocked.stderr + blocked.stdout).toContain("git reports that origin has no refs/heads/main, but refs/remotes/origin/main says it has");
    expect(blocked.stderr + blocked.stdout).not.toContain(key);
    expect(remoteHas(publicRemote, leak)).toBe(false);
  });

  it("pushes that go to another URL than fetches (remote.<name>.pushurl): the tracking refs describe the other server", () => {
    const { repo, publicRemote, leak } = pushedToInternal();
    git(repo, ["remote", "set-url", "--push", "origin", publicRemote]);
    // A new branch name, which no tracking ref contradicts: the pushurl alone says the refs are another server's.
    const blocked = push(repo, ["origin", "main:refs/heads/release"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("settings.py:1:6");
    expect(blocked.stderr + blocked.stdout).toContain(`go to its pushurl ${publicRemote}`);
    expect(remoteHas(publicRemote, leak)).toBe(false);
  });

  it("a branch deleted on the server, or rewritten there since the last fetch: pushing it again scans it again", () => {
    const { repo, internal, leak } = pushedToInternal();
    git(repo, ["checkout", "-q", "-b", "feature"]);
    const feature = commitFile(repo, "feature.py", `k = "${makeKey()}"\n`);
    git(repo, ["push", "-q", "--no-verify", "origin", "feature"]);
    git(internal, ["branch", "-D", "feature"]);
    // main moved on the server too (another clone pushed), so nothing else vouches for the commits.
    git(internal, ["update-ref", "refs/heads/main", git(repo, ["rev-parse", "main~1"]).trim()]);
    const deleted = push(repo, ["origin", "feature"]);
    expect(deleted.status).not.toBe(0);
    expect(deleted.stderr + deleted.stdout).toContain("feature.py:1:6");
    expect(deleted.stderr + deleted.stdout).toContain("origin has no refs/heads/feature");
    // Rewritten: the server's main is elsewhere; a force-push of ours brings the key back.
    const forced = push(repo, ["--force", "origin", "main"]);
    expect(forced.status).not.toBe(0);
    expect(forced.stderr + forced.stdout).toContain("settings.py:1:6");
    expect(forced.stderr + forced.stdout).toContain("rewritten or moved on the server");
    expect(git(internal, ["rev-parse", "main"]).trim()).not.toBe(leak);
    expect(remoteHas(internal, "refs/heads/feature")).toBe(false);
    void feature;
  });

  it("a push from a shallow clone whose outgoing commits reach where its history stops is exit 3, not a pass", async () => {
    const origin = createRepo({ committed: { "a.js": "x\n" } });
    commitFile(origin, "k.js", `k = "${makeKey()}"\n`);
    commitFile(origin, "k.js", "gone\n");
    const clone = join(createDir(), "clone");
    git(origin, ["clone", "-q", "--depth", "1", `file://${origin}`, clone]);
    const head = commitFile(clone, "b.js", "clean\n");
    // To a fresh mirror everything is outgoing, and the commits before the boundary are not here.
    const outcome = await runCli(["scan", "--pre-push", "mirror", "url"], { cwd: clone, stdin: `refs/heads/main ${head} refs/heads/main ${"0".repeat(40)}\n` });
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toContain("this clone is shallow");
    expect(outcome.stderr).toContain("git fetch --unshallow");
    // To origin, whose old tip git reports and the clone has: the one new commit, complete.
    const old = git(clone, ["rev-parse", "HEAD~1"]).trim();
    const small = await runCli(["scan", "--pre-push", "origin", "url"], { cwd: clone, stdin: `refs/heads/main ${head} refs/heads/main ${old}\n` });
    expect(small.code, small.stderr).toBe(0);
  });

  it("the common case stays small: up-to-date tracking refs make a push, and a new branch's push, scan only the new commits", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    bareRemote(repo, "origin");
    for (let i = 0; i < 5; i++) commitFile(repo, `f${i}.js`, `${i}\n`);
    git(repo, ["push", "-q", "origin", "main"]);
    const old = git(repo, ["rev-parse", "HEAD"]).trim();
    const head = commitFile(repo, "g.js", "new\n");
    const pushOf = async (line: string) => JSON.parse((await runCli(["scan", "--pre-push", "--format", "json", "origin", "url"], { cwd: repo, stdin: line })).stdout);
    expect((await pushOf(`refs/heads/main ${head} refs/heads/main ${old}\n`)).stats.commits).toBe(1);
    git(repo, ["checkout", "-q", "-b", "topic"]);
    const topic = commitFile(repo, "t.js", "topic\n");
    const report = await pushOf(`refs/heads/topic ${topic} refs/heads/topic ${"0".repeat(40)}\n`);
    // origin/main agrees with everything git reported: the topic's commits less what origin/main has.
    expect(report.stats.commits).toBe(2);
    expect(report.warnings).toEqual([]);
  });
});

describe("pre-push under the pre-commit framework", () => {
  const frameworkEnv = (extra: Record<string, string>) => ({ PRE_COMMIT: "1", PRE_COMMIT_REMOTE_URL: "../nowhere.git", ...extra });

  it("a first push (the framework sets no FROM/TO ref when the push holds the root commit) scans the branch's commits", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.js": `k = "${key}"\n` } });
    const outcome = await runCli(["scan", "--pre-push", "--format", "json"], {
      cwd: repo,
      env: frameworkEnv({ PRE_COMMIT_LOCAL_BRANCH: "refs/heads/main", PRE_COMMIT_REMOTE_BRANCH: "refs/heads/main", PRE_COMMIT_REMOTE_NAME: "origin" }),
    });
    expect(outcome.code).toBe(1);
    const report = JSON.parse(outcome.stdout);
    expect(report.stats.commits).toBe(1);
    expect(report.findings.map((f: { ruleId: string; file: string }) => [f.ruleId, f.file])).toEqual([["key-in-history", "a.js"]]);
    expect(outcome.stdout + outcome.stderr).not.toContain(key);
  });

  it("a first push to a remote that has part of the history scans only the rest", async () => {
    const repo = createRepo({ committed: { "a.js": `k = "${makeKey()}"\n` } });
    bareRemote(repo, "origin");
    git(repo, ["push", "-q", "origin", "main"]);
    git(repo, ["checkout", "-q", "-b", "topic"]);
    commitFile(repo, "clean.js", "x\n");
    const outcome = await runCli(["scan", "--pre-push", "--format", "json"], {
      cwd: repo,
      env: frameworkEnv({ PRE_COMMIT_LOCAL_BRANCH: "refs/heads/topic", PRE_COMMIT_REMOTE_BRANCH: "refs/heads/topic", PRE_COMMIT_REMOTE_NAME: "origin" }),
    });
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.stdout).stats.commits).toBe(1);
  });

  it("the first-push fallback does not take a stale tracking ref of the pushed branch as what the remote has", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.js": `k = "${key}"\n` } });
    bareRemote(repo, "origin");
    git(repo, ["push", "-q", "origin", "main"]);
    // The framework fell back (no FROM/TO): git reported no usable old tip for main, yet origin/main exists.
    const outcome = await runCli(["scan", "--pre-push", "--format", "json"], {
      cwd: repo,
      env: frameworkEnv({ PRE_COMMIT_LOCAL_BRANCH: "refs/heads/main", PRE_COMMIT_REMOTE_BRANCH: "refs/heads/main", PRE_COMMIT_REMOTE_NAME: "origin" }),
    });
    expect(outcome.code).toBe(1);
    expect(JSON.parse(outcome.stdout).findings.map((f: { file: string }) => f.file)).toEqual(["a.js"]);
    expect(outcome.stderr).toContain("refs/remotes/origin/main says it has");
  });

  it("a FROM_REF that the pushed branch's tracking ref contradicts is not taken as the remote's: TO is scanned whole", async () => {
    const repo = createRepo({ committed: { "a.js": `k = "${makeKey()}"\n` } });
    bareRemote(repo, "origin");
    const first = git(repo, ["rev-parse", "HEAD"]).trim();
    const from = commitFile(repo, "b.js", "b\n");
    git(repo, ["push", "-q", "origin", `${first}:refs/heads/main`]);
    const to = commitFile(repo, "c.js", "c\n");
    const outcome = await runCli(["scan", "--pre-push", "--format", "json"], {
      cwd: repo,
      env: frameworkEnv({ PRE_COMMIT_FROM_REF: from, PRE_COMMIT_TO_REF: to, PRE_COMMIT_REMOTE_BRANCH: "refs/heads/main", PRE_COMMIT_REMOTE_NAME: "origin" }),
    });
    expect(outcome.code).toBe(1);
    expect(JSON.parse(outcome.stdout).stats.commits).toBe(3);
    // Where origin/main is FROM_REF, the range is FROM..TO.
    git(repo, ["update-ref", "refs/remotes/origin/main", from]);
    const agreeing = await runCli(["scan", "--pre-push", "--format", "json"], {
      cwd: repo,
      env: frameworkEnv({ PRE_COMMIT_FROM_REF: from, PRE_COMMIT_TO_REF: to, PRE_COMMIT_REMOTE_BRANCH: "refs/heads/main", PRE_COMMIT_REMOTE_NAME: "origin" }),
    });
    expect(agreeing.code).toBe(0);
    expect(JSON.parse(agreeing.stdout).stats.commits).toBe(1);
  });

  it("FROM/TO refs scan exactly that range", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    const from = git(repo, ["rev-parse", "HEAD"]).trim();
    const key = makeKey();
    const leak = commitFile(repo, "k.js", `k = "${key}"\n`);
    const to = commitFile(repo, "k.js", "gone\n");
    const outcome = await runCli(["scan", "--pre-push", "--format", "json"], { cwd: repo, env: frameworkEnv({ PRE_COMMIT_FROM_REF: from, PRE_COMMIT_TO_REF: to, PRE_COMMIT_REMOTE_NAME: "origin" }) });
    expect(outcome.code).toBe(1);
    const report = JSON.parse(outcome.stdout);
    expect(report.stats.commits).toBe(2);
    expect(report.findings.map((f: { ruleId: string; file: string; line: number; secret: { redacted: string }; commit: { sha: string } }) => [f.ruleId, f.file, f.line, f.secret.redacted, f.commit.sha])).toEqual([
      ["key-in-history", "k.js", 1, `lmnfl_${keyIdOf(key)}.\u2026${lastFour(key)}`, leak],
    ]);
  });

  it("when nothing says what is pushed, exit 3 — never 0", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    for (const extra of [{}, { PRE_COMMIT_LOCAL_BRANCH: "refs/heads/nope", PRE_COMMIT_REMOTE_NAME: "origin" }, { PRE_COMMIT_TO_REF: "f".repeat(40), PRE_COMMIT_REMOTE_NAME: "origin" }, { PRE_COMMIT_LOCAL_BRANCH: "--output=/tmp/x", PRE_COMMIT_REMOTE_NAME: "origin" }]) {
      const outcome = await runCli(["scan", "--pre-push"], { cwd: repo, env: frameworkEnv(extra) });
      expect(outcome.code, JSON.stringify(extra)).toBe(3);
      expect(outcome.stderr, JSON.stringify(extra)).toContain("nothing was checked");
    }
  });

  const preCommit = spawnSync("pre-commit", ["--version"], { encoding: "utf8" });
  const hasPreCommit = preCommit.status === 0;
  if (!hasPreCommit) console.warn("SKIPPED (visibly): the pre-commit framework is not installed (apt-get install pre-commit); the real pre-push run below needs it");
  it.skipIf(!hasPreCommit)("the real pre-commit framework's pre-push stage blocks a first push of a root commit holding a key", () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.js": `k = "${key}"\n` } });
    const remote = bareRemote(repo, "origin");
    git(repo, ["config", "--unset", "core.hooksPath"]);
    // A local hook (no download): the framework runs our binary in its push stage. pre-commit
    // 3.0 names the stage "push", 3.2 and later "pre-push" (and still read "push").
    writeFileSync(
      join(repo, ".pre-commit-config.yaml"),
      `repos:\n- repo: local\n  hooks:\n  - id: lumenguard-pre-push\n    name: lumenguard\n    entry: '${process.execPath} ${bin} scan --pre-push'\n    language: system\n    pass_filenames: false\n    stages: [push]\n`,
    );
    git(repo, ["add", ".pre-commit-config.yaml"]);
    git(repo, ["commit", "-q", "--amend", "--no-edit"]);
    const installed = spawnSync("pre-commit", ["install", "--hook-type", "pre-push"], { cwd: repo, env, encoding: "utf8" });
    expect(installed.status, installed.stderr).toBe(0);
    const blocked = push(repo, ["origin", "main"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain("key-in-history");
    expect(blocked.stdout + blocked.stderr).not.toContain(key);
    expect(existsSync(join(remote, "refs/heads/main"))).toBe(false);
  }, 60_000);
});

describe("pre-push: what a push sends besides commits", () => {
  it("a tag on a blob, a tag on a tree, and an annotated tag's message are scanned", () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    const remote = bareRemote(repo, "origin");
    git(repo, ["push", "-q", "origin", "main"]);
    installPrePush(repo);
    const blob = spawnSync("git", ["hash-object", "-w", "--stdin"], { cwd: repo, env, input: `k = "${makeKey()}"\n`, encoding: "utf8" }).stdout.trim();
    git(repo, ["tag", "blobtag", blob]);
    const onBlob = push(repo, ["origin", "blobtag"]);
    expect(onBlob.status).not.toBe(0);
    expect(onBlob.stdout + onBlob.stderr).toContain("refs/tags/blobtag:1:6");
    const tree = spawnSync("git", ["mktree"], { cwd: repo, env, input: `100644 blob ${blob}\tinner.txt\n`, encoding: "utf8" }).stdout.trim();
    git(repo, ["tag", "treetag", tree]);
    const onTree = push(repo, ["origin", "treetag"]);
    expect(onTree.status).not.toBe(0);
    expect(onTree.stdout + onTree.stderr).toContain("refs/tags/treetag:inner.txt:1:6");
    git(repo, ["tag", "-a", "-m", `release notes: ${makeKey()}`, "v1"]);
    const annotated = push(repo, ["origin", "v1"]);
    expect(annotated.status).not.toBe(0);
    expect(annotated.stdout + annotated.stderr).toContain("<tag message> refs/tags/v1:1:16");
    expect(remoteHas(remote, "refs/tags/v1")).toBe(false);
  });

  it("a path before git's arguments names the repository", async () => {
    const repo = createRepo({ committed: { "a.js": `k = "${makeKey()}"\n` } });
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    const outcome = await runCli(["scan", "--pre-push", repo, "origin", "url"], { cwd: createDir(), stdin: `refs/heads/main ${head} refs/heads/main ${"0".repeat(40)}\n` });
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toContain("a.js:1:6");
    const one = await runCli(["scan", "--pre-push", repo], { cwd: createDir(), stdin: `refs/heads/main ${head} refs/heads/main ${"0".repeat(40)}\n` });
    expect(one.code).toBe(1);
    expect(one.stdout).toContain("a.js:1:6");
  });
});
