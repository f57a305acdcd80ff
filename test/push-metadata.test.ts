import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { bin } from "./helpers/process.js";
import { createDir, createRepo, git, processEnv } from "./helpers/repo.js";

/**
 * A push carries more than files: commit headers (author, committer, the tag a merge recorded
 * as `mergetag`), annotated tags — each tag of a chain — and the names of the refs it creates.
 * A key in any of them is published with the push. Each kind is planted in a real repository
 * and pushed for real (through a pre-push hook, and to a server with lumenguard's pre-receive
 * hook), scanned with --history, and by ci; every one must be found, and no output may hold it.
 */
const env = processEnv();

interface Planted {
  repo: string;
  /** The key of each kind, by kind. */
  keys: Record<string, string>;
  /** What the report names each kind's place. */
  places: Record<string, string>;
  /** The commit the server and the remote already have. */
  base: string;
}

function gitInput(repo: string, args: string[], input: string, extra: NodeJS.ProcessEnv = {}): string {
  return execFileSync("git", args, { cwd: repo, env: { ...env, ...extra }, input, encoding: "utf8" }).trim();
}

/** One commit (and tags, and a branch name) for each place a key can hide in a push's metadata. */
function plantMetadata(repo: string): Planted {
  const base = git(repo, ["rev-parse", "HEAD"]).trim();
  const keys = { author: makeKey(), committer: makeKey(), mergetag: makeKey(), inner: makeKey(), tagger: makeKey(), branch: makeKey() };
  writeFileSync(join(repo, "b.txt"), "clean\n");
  git(repo, ["add", "b.txt"]);
  git(repo, ["commit", "-q", "-m", "b"], { GIT_AUTHOR_NAME: `Ann ${keys.author}`, GIT_COMMITTER_EMAIL: `${keys.committer}@example.invalid` });
  // What `git merge <signed tag>` records: the tag, message included, as a `mergetag` header.
  const head = git(repo, ["rev-parse", "HEAD"]).trim();
  const tree = git(repo, ["rev-parse", "HEAD^{tree}"]).trim();
  const merge = gitInput(
    repo,
    ["hash-object", "-t", "commit", "-w", "--stdin"],
    `tree ${tree}\nparent ${head}\nauthor A <a@example.invalid> 1700000000 +0000\ncommitter A <a@example.invalid> 1700000000 +0000\nmergetag object ${head}\n type commit\n tag v0\n tagger A <a@example.invalid> 1700000000 +0000\n \n notes: ${keys.mergetag}\n\nmerge v0\n`,
  );
  git(repo, ["update-ref", "refs/heads/main", merge]);
  // A tag chain: the outer tag is clean, the inner one it points at holds a key; another's tagger holds one.
  git(repo, ["tag", "-a", "inner", "-m", `deploy token ${keys.inner}`]);
  git(repo, ["tag", "-a", "v1", "-m", "release", "inner"]);
  git(repo, ["tag", "-d", "inner"]);
  git(repo, ["tag", "-a", "v2", "-m", "release two"], { GIT_COMMITTER_NAME: `Tom ${keys.tagger}` });
  git(repo, ["branch", `feature/${keys.branch}`]);
  const places = {
    author: "<commit header>:3:",
    committer: "<commit header>:4:",
    mergetag: "<commit header>:",
    inner: "<tag message> refs/tags/v1 (tag 2 of its chain):1:14",
    tagger: "<tag header> refs/tags/v2:4:",
    branch: "<ref name>:1:",
  };
  return { repo, keys, places, base };
}

function expectAllFound(output: string, planted: Planted, kinds = Object.keys(planted.keys)): void {
  for (const kind of kinds) {
    const key = planted.keys[kind]!;
    expect(output, kind).toContain(`${key.slice(0, key.indexOf("."))}.…${key.slice(-4)}`);
    expect(output, kind).not.toContain(key);
    expect(output, kind).toContain(planted.places[kind]!);
  }
}

const pushArgs = (planted: Planted) => ["origin", "main", "v1", "v2", `feature/${planted.keys.branch}`];

describe("keys in a push's metadata", () => {
  it("pre-push: author, committer, mergetag, an inner tag of a chain, a tagger and a branch name are each blocked", () => {
    const repo = createRepo({ committed: { "a.txt": "x\n" } });
    const remote = join(createDir(), "origin.git");
    git(repo, ["init", "-q", "--bare", "-b", "main", remote]);
    git(repo, ["remote", "add", "origin", remote]);
    git(repo, ["push", "-q", "origin", "main"]);
    const planted = plantMetadata(repo);
    git(repo, ["config", "core.hooksPath", ".hooks"]);
    mkdirSync(join(repo, ".hooks"), { recursive: true });
    writeFileSync(join(repo, ".hooks/pre-push"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" scan --pre-push "$@"\n`);
    chmodSync(join(repo, ".hooks/pre-push"), 0o755);
    const pushed = spawnSync("git", ["push", ...pushArgs(planted)], { cwd: repo, env, encoding: "utf8" });
    expect(pushed.status).not.toBe(0);
    expectAllFound(pushed.stdout + pushed.stderr, planted);
    expect(git(remote, ["rev-parse", "main"]).trim()).toBe(planted.base);
    expect(spawnSync("git", ["rev-parse", "--verify", "-q", "refs/tags/v1"], { cwd: remote, env }).status).not.toBe(0);
  });

  it("pre-receive on a server: the same push is rejected, naming each place, and the server keeps none of it", async () => {
    const server = join(createDir(), "server.git");
    git(createDir(), ["init", "-q", "--bare", "-b", "main", server]);
    expect((await runCli(["init", "--server"], { cwd: server })).code).toBe(0);
    const repo = createRepo({ committed: { "a.txt": "x\n" } });
    git(repo, ["remote", "add", "origin", server]);
    git(repo, ["push", "-q", "origin", "main"]);
    const planted = plantMetadata(repo);
    const pushed = spawnSync("git", ["push", "--no-verify", ...pushArgs(planted)], { cwd: repo, env, encoding: "utf8" });
    expect(pushed.status).not.toBe(0);
    // git's own lines name the refs it was asked to push (a key among them); lumenguard's come as `remote:`.
    const output = (pushed.stdout + pushed.stderr).split("\n").filter((line) => line.startsWith("remote:")).join("\n");
    for (const kind of Object.keys(planted.keys)) {
      const key = planted.keys[kind]!;
      expect(output, kind).toContain(`${key.slice(0, key.indexOf("."))}.…${key.slice(-4)}`);
      expect(output, kind).not.toContain(key);
    }
    expect(output).toContain("the commit's author, committer or another header");
    expect(output).toContain("the name of a ref being pushed");
    expect(output).toContain("<tag message> refs/tags/v1 (tag 2 of its chain)");
    const kept = spawnSync("git", ["cat-file", "--batch-all-objects", "--batch"], { cwd: server, env, encoding: "utf8", maxBuffer: 1 << 26 }).stdout;
    for (const key of Object.values(planted.keys)) expect(kept).not.toContain(key);
  });

  it("scan --history (every ref) finds each of them; ci finds the commit headers and the branch name of its run", async () => {
    const repo = createRepo({ committed: { "a.txt": "x\n" } });
    const planted = plantMetadata(repo);
    const history = await runCli(["scan", "--history"], { cwd: repo });
    expect(history.code).toBe(1);
    expectAllFound(history.stdout, planted);
    const event = join(createDir(), "event.json");
    writeFileSync(event, JSON.stringify({ before: planted.base, after: git(repo, ["rev-parse", "main"]).trim(), ref: `refs/heads/feature/${planted.keys.branch}` }));
    const ci = await runCli(["ci"], { cwd: repo, env: { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_EVENT_PATH: event, GITLAB_CI: undefined } });
    expect(ci.code).toBe(1);
    expectAllFound(ci.stdout, planted, ["author", "committer", "mergetag", "branch"]);
  });
});

describe("keys in file and folder names (a name is committed and pushed with the file)", () => {
  const redacted = (key: string) => `${key.slice(0, key.indexOf("."))}.…${key.slice(-4)}`;
  const hook = (repo: string, name: string, args: string) => {
    mkdirSync(join(repo, ".hooks"), { recursive: true });
    writeFileSync(join(repo, `.hooks/${name}`), `#!/bin/sh\nexec "${process.execPath}" "${bin}" ${args}\n`);
    chmodSync(join(repo, `.hooks/${name}`), 0o755);
    git(repo, ["config", "core.hooksPath", ".hooks"]);
  };

  it("worktree, --staged and --history: a lumenfall-key finding at the file (1:1), once per path however many versions, a folder once", async () => {
    const inFile = makeKey();
    const inFolder = makeKey();
    const repo = createRepo({ committed: { [`fixtures/${inFile}.json`]: "{}\n", [`cache/${inFolder}/a.json`]: "1\n", [`cache/${inFolder}/b.json`]: "2\n", "lmnfl_your_api_key.json": "{}\n" } });
    // A second version of each file: still one finding per path.
    writeFileSync(join(repo, `fixtures/${inFile}.json`), "{\"v\":2}\n");
    writeFileSync(join(repo, `cache/${inFolder}/a.json`), "3\n");
    git(repo, ["commit", "-q", "-am", "v2"]);
    for (const argv of [["scan", "."], ["scan", "--history"]]) {
      const outcome = await runCli([...argv, "-f", "json"], { cwd: repo });
      expect(outcome.code, argv.join(" ")).toBe(1);
      expect(outcome.stdout).not.toContain(inFile);
      expect(outcome.stdout).not.toContain(inFolder);
      const findings = JSON.parse(outcome.stdout).findings as Array<Record<string, unknown>>;
      expect(findings.map((finding) => [finding.ruleId, finding.severity, finding.messageId, finding.file, finding.line, finding.column]).sort()).toEqual(
        [
          ["lumenfall-key", "critical", "inFileName", `cache/${redacted(inFolder)}`, 1, 1],
          ["lumenfall-key", "critical", "inFileName", `fixtures/${redacted(inFile)}.json`, 1, 1],
        ].sort(),
      );
      if (argv[1] === "--history") for (const finding of findings) expect((finding.commit as { sha: string }).sha).toBe(git(repo, ["rev-list", "--max-parents=0", "HEAD"]).trim());
    }
    const text = await runCli(["scan", "."], { cwd: repo });
    expect(text.stdout).toContain(`fixtures/${redacted(inFile)}.json:1:1`);
    expect(text.stdout).toContain("is in this file's name (or a folder's)");
    // --staged: a new file named with a key fails the commit through a real pre-commit hook.
    const staged = makeKey();
    hook(repo, "pre-commit", "scan --staged");
    writeFileSync(join(repo, `${staged}.txt`), "clean\n");
    git(repo, ["add", "-A"]);
    const commit = spawnSync("git", ["commit", "-q", "-m", "named"], { cwd: repo, env, encoding: "utf8" });
    expect(commit.status).not.toBe(0);
    expect(commit.stdout + commit.stderr).toContain(`${redacted(staged)}.txt:1:1`);
    expect(commit.stdout + commit.stderr).not.toContain(staged);
  });

  it("pre-push and pre-receive: a pushed file named with a key is blocked by the hook and rejected by the server", async () => {
    const server = join(createDir(), "server.git");
    git(createDir(), ["init", "-q", "--bare", "-b", "main", server]);
    expect((await runCli(["init", "--server"], { cwd: server })).code).toBe(0);
    const key = makeKey();
    const repo = createRepo({ committed: { [`.cache/api/${key}.json`]: "{\"models\":[]}\n" } });
    git(repo, ["remote", "add", "origin", server]);
    hook(repo, "pre-push", 'scan --pre-push "$@"');
    const blocked = spawnSync("git", ["push", "origin", "main"], { cwd: repo, env, encoding: "utf8" });
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain(`.cache/api/${redacted(key)}.json:1:1`);
    const rejected = spawnSync("git", ["push", "--no-verify", "origin", "main"], { cwd: repo, env, encoding: "utf8" });
    expect(rejected.status).not.toBe(0);
    const remote = (rejected.stdout + rejected.stderr).split("\n").filter((line) => line.startsWith("remote:")).join("\n");
    expect(remote).toContain(redacted(key));
    expect(remote).not.toContain(key);
    expect(spawnSync("git", ["rev-parse", "--verify", "-q", "main"], { cwd: server, env }).status).not.toBe(0);
  });
});
