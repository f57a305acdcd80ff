import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
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
    // (Asked before the push: once the remote has the edit, there is nothing left to scan.)
    const json = spawnSync(process.execPath, [bin, "scan", "--pre-push", "origin", remote, "--format", "json"], { cwd: repo, env, encoding: "utf8", input: `refs/heads/main ${edit} refs/heads/main ${git(repo, ["rev-parse", "HEAD~1"]).trim()}\n` });
    expect(JSON.parse(json.stdout).findings).toEqual([expect.objectContaining({ ruleId: "key-in-history", messageId: "alreadyPushed", severity: "low", file: "s.js" })]);
    const pushed = push(repo, ["origin", "main"]);
    expect(pushed.status, pushed.stderr + pushed.stdout).toBe(0);
    expect(pushed.stdout + pushed.stderr).toMatch(/s\.js:1:6\s+LOW\s+key-in-history/);
    expect(pushed.stdout + pushed.stderr).not.toContain("CRITICAL");
    expect(pushed.stdout + pushed.stderr).not.toContain(key);
    expect(remoteHas(remote, edit)).toBe(true);
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

describe("pre-push: what the remote lists (git ls-remote) counts, never a remote-tracking ref alone", () => {
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

  it("the remote's URL changed (open-sourcing): the new server lists no main, so refs/remotes/origin/main is not taken as there", () => {
    const { repo, publicRemote, leak, key } = pushedToInternal();
    git(repo, ["remote", "set-url", "origin", publicRemote]);
    const blocked = push(repo, ["origin", "main"]);
    expect(blocked.status, blocked.stderr).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("settings.py:1:6");
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
    // Rewritten: the server's main is elsewhere; a force-push of ours brings the key back.
    const forced = push(repo, ["--force", "origin", "main"]);
    expect(forced.status).not.toBe(0);
    expect(forced.stderr + forced.stdout).toContain("settings.py:1:6");
    expect(git(internal, ["rev-parse", "main"]).trim()).not.toBe(leak);
    expect(remoteHas(internal, "refs/heads/feature")).toBe(false);
    void feature;
  });

  it("a branch deleted on the server while a teammate's origin/<branch> lives on (fetch does not prune): a new branch built on it is scanned from where the server's history ends", () => {
    const key = makeKey();
    const server = join(createDir(), "srv.git");
    git(createDir(), ["init", "-q", "--bare", "-b", "main", server]);
    const alice = join(createDir(), "alice");
    const bob = join(createDir(), "bob");
    git(createDir(), ["clone", "-q", server, alice]);
    commitFile(alice, "a.js", "x\n", "init");
    git(alice, ["push", "-q", "origin", "HEAD:main"]);
    git(alice, ["checkout", "-q", "-b", "wip"]);
    const leak = commitFile(alice, "s.js", `k = "${key}"\n`, "key");
    git(alice, ["push", "-q", "origin", "wip"]);
    git(createDir(), ["clone", "-q", server, bob]);
    git(bob, ["checkout", "-q", "-b", "feature", "origin/wip"]);
    installPrePush(bob);
    git(alice, ["push", "-q", "origin", ":wip"]);
    git(bob, ["fetch", "-q", "origin"]);
    expect(git(bob, ["rev-parse", "origin/wip"]).trim()).toBe(leak);
    commitFile(bob, "b.js", "more\n");
    const blocked = push(bob, ["origin", "feature"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain("s.js:1:6");
    expect(blocked.stdout + blocked.stderr).toContain(leak.slice(0, 12));
    expect(blocked.stdout + blocked.stderr).not.toContain(key);
    // (The server still stores the deleted branch's objects until it collects garbage: what counts is that no ref reaches them.)
    expect(remoteHas(server, "refs/heads/feature")).toBe(false);
    // A tag on the stale commit, pushed under a new name: blocked too.
    git(bob, ["tag", "old", "origin/wip"]);
    expect(push(bob, ["origin", "old"]).status).not.toBe(0);
    expect(remoteHas(server, "refs/tags/old")).toBe(false);
    // Once the server has main, pushing more on main scans only the new commit.
    git(bob, ["checkout", "-q", "-b", "next", "origin/main"]);
    commitFile(bob, "c.js", "clean\n");
    const clean = push(bob, ["origin", "next"]);
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout + clean.stderr).toContain("1 commit");
  });

  it("when the remote cannot be asked, only the old tips git reported count, and a warning says so", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    bareRemote(repo, "origin");
    const key = makeKey();
    commitFile(repo, "k.js", `k = "${key}"\n`);
    git(repo, ["push", "-q", "origin", "main"]);
    const old = git(repo, ["rev-parse", "HEAD"]).trim();
    git(repo, ["checkout", "-q", "-b", "topic"]);
    const head = commitFile(repo, "t.js", "clean\n");
    // A new branch: origin/main says the key commit is there, but nothing the remote said does.
    const outcome = await runCli(["scan", "--pre-push", "--format", "json", "origin", join(createDir(), "gone.git")], { cwd: repo, stdin: `refs/heads/topic ${head} refs/heads/topic ${"0".repeat(40)}\n` });
    expect(outcome.code).toBe(1);
    const report = JSON.parse(outcome.stdout);
    expect(report.findings.map((f: { file: string }) => f.file)).toEqual(["k.js"]);
    expect(report.warnings.map((w: { code: string }) => w.code)).toEqual(["pre-push-remote-not-asked"]);
    expect(outcome.stderr).toContain("only the old tips git reported count as already there");
    // An update of main whose old tip git reports: that tip counts.
    const update = await runCli(["scan", "--pre-push", "--format", "json", "origin", join(createDir(), "gone.git")], { cwd: repo, stdin: `refs/heads/main ${head} refs/heads/main ${old}\n` });
    expect(update.code).toBe(0);
    expect(JSON.parse(update.stdout).stats.commits).toBe(1);
  });

  it("asking the remote runs nothing a repository's config names: no ext:: transport, no remote.<name>.uploadpack", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    bareRemote(repo, "origin");
    git(repo, ["push", "-q", "origin", "main"]);
    const marker = join(createDir(), "ran");
    git(repo, ["config", "protocol.allow", "always"]);
    git(repo, ["config", "protocol.ext.allow", "always"]);
    git(repo, ["config", "remote.origin.uploadpack", `touch ${marker}; git-upload-pack`]);
    const head = commitFile(repo, "b.js", "clean\n");
    const line = `refs/heads/main ${head} refs/heads/main ${"0".repeat(40)}\n`;
    const ext = await runCli(["scan", "--pre-push", "--format", "json", "evil", `ext::sh -c touch% ${marker}`], { cwd: repo, stdin: line });
    expect(ext.code).toBe(0);
    expect(JSON.parse(ext.stdout).warnings.map((w: { code: string }) => w.code)).toEqual(["pre-push-remote-not-asked"]);
    const named = await runCli(["scan", "--pre-push", "--format", "json", "origin"], { cwd: repo, stdin: line });
    expect(named.code).toBe(0);
    // origin was asked (with git's own upload-pack): only the new commit is scanned.
    expect(JSON.parse(named.stdout).stats.commits).toBe(1);
    expect(existsSync(marker)).toBe(false);
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
    const url = git(repo, ["remote", "get-url", "origin"]).trim();
    const pushOf = async (line: string) => JSON.parse((await runCli(["scan", "--pre-push", "--format", "json", "origin", url], { cwd: repo, stdin: line })).stdout);
    expect((await pushOf(`refs/heads/main ${head} refs/heads/main ${old}\n`)).stats.commits).toBe(1);
    git(repo, ["checkout", "-q", "-b", "topic"]);
    const topic = commitFile(repo, "t.js", "topic\n");
    const report = await pushOf(`refs/heads/topic ${topic} refs/heads/topic ${"0".repeat(40)}\n`);
    // The topic's commits less what origin lists (its main).
    expect(report.stats.commits).toBe(2);
    expect(report.warnings).toEqual([]);
  });
});

describe("pre-push under the pre-commit framework", () => {
  const frameworkEnv = (extra: Record<string, string>) => ({ PRE_COMMIT: "1", ...extra });

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

  it("a branch the server deleted is not taken as there because its tracking ref lives on", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.js": `k = "${key}"\n` } });
    const remote = bareRemote(repo, "origin");
    git(repo, ["push", "-q", "origin", "main"]);
    git(remote, ["update-ref", "-d", "refs/heads/main"]);
    const outcome = await runCli(["scan", "--pre-push", "--format", "json"], {
      cwd: repo,
      env: frameworkEnv({ PRE_COMMIT_LOCAL_BRANCH: "refs/heads/main", PRE_COMMIT_REMOTE_BRANCH: "refs/heads/main", PRE_COMMIT_REMOTE_NAME: "origin", PRE_COMMIT_REMOTE_URL: remote }),
    });
    expect(outcome.code).toBe(1);
    expect(JSON.parse(outcome.stdout).findings.map((f: { file: string }) => f.file)).toEqual(["a.js"]);
    expect(outcome.stdout + outcome.stderr).not.toContain(key);
  });

  it("FROM_REF is not taken as the remote's (for a new branch the framework derives it from tracking refs): what the remote lists is", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    const remote = bareRemote(repo, "origin");
    const first = git(repo, ["rev-parse", "HEAD"]).trim();
    const from = commitFile(repo, "b.js", `k = "${makeKey()}"\n`);
    git(repo, ["push", "-q", "origin", `${first}:refs/heads/main`]);
    const to = commitFile(repo, "c.js", "c\n");
    git(repo, ["update-ref", "refs/remotes/origin/main", from]);
    const outcome = await runCli(["scan", "--pre-push", "--format", "json"], {
      cwd: repo,
      env: frameworkEnv({ PRE_COMMIT_FROM_REF: from, PRE_COMMIT_TO_REF: to, PRE_COMMIT_REMOTE_BRANCH: "refs/heads/main", PRE_COMMIT_REMOTE_NAME: "origin", PRE_COMMIT_REMOTE_URL: remote }),
    });
    expect(outcome.code).toBe(1);
    const report = JSON.parse(outcome.stdout);
    expect(report.stats.commits).toBe(2);
    expect(report.findings.map((f: { file: string }) => f.file)).toEqual(["b.js"]);
    expect(report.warnings.map((w: { code: string }) => w.code)).toEqual(["pre-push-framework-all-refs"]);
    expect(outcome.stderr).toContain("the pre-commit framework passes only the first pushed ref");
  });

  it("every local branch and tag is scanned, not only the framework's one ref, less what the remote lists", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    const remote = bareRemote(repo, "origin");
    git(repo, ["push", "-q", "origin", "main"]);
    git(repo, ["checkout", "-q", "-b", "keyed"]);
    commitFile(repo, "k.js", `k = "${makeKey()}"\n`);
    git(repo, ["checkout", "-q", "-b", "clean", "main"]);
    const clean = commitFile(repo, "c.js", "c\n");
    const main = git(repo, ["rev-parse", "main"]).trim();
    // The framework names only `clean`, the first ref of `git push origin clean keyed`.
    const outcome = await runCli(["scan", "--pre-push", "--format", "json"], {
      cwd: repo,
      env: frameworkEnv({ PRE_COMMIT_FROM_REF: main, PRE_COMMIT_TO_REF: clean, PRE_COMMIT_LOCAL_BRANCH: "refs/heads/clean", PRE_COMMIT_REMOTE_BRANCH: "refs/heads/clean", PRE_COMMIT_REMOTE_NAME: "origin", PRE_COMMIT_REMOTE_URL: remote }),
    });
    expect(outcome.code).toBe(1);
    const report = JSON.parse(outcome.stdout);
    expect(report.stats.commits).toBe(2);
    expect(report.findings.map((f: { file: string }) => f.file)).toEqual(["k.js"]);
    // A tag (even on a blob) counts as a local ref too.
    git(repo, ["branch", "-D", "keyed"]);
    const blob = spawnSync("git", ["hash-object", "-w", "--stdin"], { cwd: repo, env, input: `k = "${makeKey()}"\n`, encoding: "utf8" }).stdout.trim();
    git(repo, ["tag", "notes", blob]);
    const tagged = await runCli(["scan", "--pre-push"], {
      cwd: repo,
      env: frameworkEnv({ PRE_COMMIT_FROM_REF: main, PRE_COMMIT_TO_REF: clean, PRE_COMMIT_REMOTE_NAME: "origin", PRE_COMMIT_REMOTE_URL: remote }),
    });
    expect(tagged.code).toBe(1);
    expect(tagged.stdout).toContain("refs/tags/notes:1:6");
  });

  it("with no remote to ask, every local branch is scanned whole, and a warning says so", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    const from = git(repo, ["rev-parse", "HEAD"]).trim();
    const key = makeKey();
    const leak = commitFile(repo, "k.js", `k = "${key}"\n`);
    const to = commitFile(repo, "k.js", "gone\n");
    const outcome = await runCli(["scan", "--pre-push", "--format", "json"], { cwd: repo, env: frameworkEnv({ PRE_COMMIT_FROM_REF: from, PRE_COMMIT_TO_REF: to, PRE_COMMIT_REMOTE_NAME: "origin", PRE_COMMIT_REMOTE_URL: join(createDir(), "gone.git") }) });
    expect(outcome.code).toBe(1);
    const report = JSON.parse(outcome.stdout);
    expect(report.stats.commits).toBe(3);
    expect(report.warnings.map((w: { code: string }) => w.code)).toEqual(["pre-push-remote-not-asked"]);
    expect(report.findings.map((f: { ruleId: string; file: string; line: number; secret: { redacted: string }; commit: { sha: string } }) => [f.ruleId, f.file, f.line, f.secret.redacted, f.commit.sha])).toEqual([
      ["key-in-history", "k.js", 1, `lmnfl_${keyIdOf(key)}.\u2026${lastFour(key)}`, leak],
    ]);
  });

  it("when nothing says what is pushed, exit 3 — never 0", async () => {
    const repo = createRepo({ committed: { "a.js": "x\n" } });
    for (const extra of [{ PRE_COMMIT_LOCAL_BRANCH: "refs/heads/nope", PRE_COMMIT_REMOTE_NAME: "origin" }, { PRE_COMMIT_TO_REF: "f".repeat(40), PRE_COMMIT_REMOTE_NAME: "origin" }, { PRE_COMMIT_LOCAL_BRANCH: "--output=/tmp/x", PRE_COMMIT_REMOTE_NAME: "origin" }]) {
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

describe("pre-push under the real pre-commit framework, with the shipped manifest's hook settings", () => {
  const preCommit = spawnSync("pre-commit", ["--version"], { encoding: "utf8" });
  const version = preCommit.status === 0 ? preCommit.stdout.trim().replace(/^pre-commit /, "") : null;
  if (version === null) console.warn("SKIPPED (visibly): the pre-commit framework is not installed (apt-get install pre-commit); the real framework pushes below need it");
  /** The lumenguard-pre-push hook of .pre-commit-hooks.yaml, as a local hook running this checkout's binary. */
  function frameworkRepo() {
    const manifest = parseYaml(readFileSync(join(import.meta.dirname, "../.pre-commit-hooks.yaml"), "utf8")) as Record<string, unknown>[];
    const shipped = manifest.find((hook) => hook["id"] === "lumenguard-pre-push")!;
    const stage = /^3\.[01]\./.test(version ?? "") ? "push" : "pre-push";
    const hook = { ...shipped, entry: `'${process.execPath}' '${bin}' ${String(shipped["entry"]).replace(/^lumenguard /, "")}`, language: "system", stages: [stage] };
    delete (hook as Record<string, unknown>)["minimum_pre_commit_version"];
    const repo = createRepo({ committed: { "a.js": "x\n", ".pre-commit-config.yaml": stringifyYaml({ repos: [{ repo: "local", hooks: [hook] }] }) } });
    const remote = bareRemote(repo, "origin");
    git(repo, ["config", "--unset", "core.hooksPath"]);
    git(repo, ["push", "-q", "origin", "main"]);
    const installed = spawnSync("pre-commit", ["install", "--hook-type", "pre-push"], { cwd: repo, env, encoding: "utf8" });
    expect(installed.status, installed.stderr).toBe(0);
    return { repo, remote };
  }

  it.skipIf(version === null)("a push that changes no file (a key in a commit message; a key added and removed again) runs the hook and is blocked", () => {
    const { repo, remote } = frameworkRepo();
    git(repo, ["checkout", "-q", "-b", "msg"]);
    git(repo, ["commit", "-q", "--allow-empty", "-m", `debug with ${makeKey()}`]);
    const message = push(repo, ["origin", "msg"]);
    expect(message.status, message.stdout).not.toBe(0);
    expect(message.stdout + message.stderr).toContain("<commit message>");
    expect(message.stdout + message.stderr).not.toContain("Skipped");
    expect(remoteHas(remote, "refs/heads/msg")).toBe(false);
    git(repo, ["checkout", "-q", "-b", "addrm", "main"]);
    git(repo, ["branch", "-D", "msg"]);
    commitFile(repo, "t.js", `k = "${makeKey()}"\n`);
    git(repo, ["rm", "-q", "t.js"]);
    git(repo, ["commit", "-q", "-m", "rm"]);
    const addRemove = push(repo, ["origin", "addrm"]);
    expect(addRemove.status, addRemove.stdout).not.toBe(0);
    expect(addRemove.stdout + addRemove.stderr).toContain("t.js:1:6");
    expect(remoteHas(remote, "refs/heads/addrm")).toBe(false);
  }, 60_000);

  it.skipIf(version === null)("`git push origin clean keyed` and `git push --all`: the framework passes only the first ref, and the keyed branch is still blocked", () => {
    const { repo, remote } = frameworkRepo();
    git(repo, ["checkout", "-q", "-b", "aaa-clean"]);
    commitFile(repo, "x.js", "x\n");
    git(repo, ["checkout", "-q", "-b", "zzz-keyed", "main"]);
    const key = makeKey();
    commitFile(repo, "s.js", `k = "${key}"\n`);
    git(repo, ["checkout", "-q", "main"]);
    for (const args of [["origin", "aaa-clean", "zzz-keyed"], ["--all", "origin"]]) {
      const blocked = push(repo, args);
      expect(blocked.status, args.join(" ")).not.toBe(0);
      expect(blocked.stdout + blocked.stderr, args.join(" ")).toContain("s.js:1:6");
      expect(blocked.stdout + blocked.stderr).toContain("the pre-commit framework passes only the first pushed ref");
      expect(blocked.stdout + blocked.stderr).not.toContain(key);
      expect(remoteHas(remote, "refs/heads/zzz-keyed")).toBe(false);
    }
    // Without the keyed branch, the same pushes pass, and a branch the remote has is not scanned again.
    git(repo, ["branch", "-D", "zzz-keyed"]);
    const clean = push(repo, ["--all", "origin"]);
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);
    expect(remoteHas(remote, "refs/heads/aaa-clean")).toBe(true);
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
