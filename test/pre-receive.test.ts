import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditLog } from "../src/server/audit-log.js";
import { runCli } from "./helpers/cli.js";
import { lastingDir, startGitDaemon, startSshd, sshdUnavailable, type GitServer } from "./helpers/git-servers.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, processEnv } from "./helpers/repo.js";

/**
 * Server-side push protection (`lumenguard scan --pre-receive`): a real bare repository with
 * the hook `lumenguard init --server` installs, and real `git push` from clones — over the
 * local transport, over `git daemon` and over ssh to 127.0.0.1.
 */
const env = processEnv();

interface Server {
  /** The folder holding the bare repository (what git daemon serves). */
  base: string;
  /** The bare repository. */
  path: string;
}

async function createServer(settings?: Record<string, unknown>, base = createDir()): Promise<Server> {
  const path = join(base, "server.git");
  git(base, ["init", "-q", "--bare", "-b", "main", path]);
  if (settings) writeFileSync(join(path, "lumenguard-server.json"), JSON.stringify(settings));
  const init = await runCli(["init", "--server"], { cwd: path });
  expect(init.code, init.stderr).toBe(0);
  return { base, path };
}

function commitFile(repo: string, path: string, content: string, message = `edit ${path}`): string {
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), content);
  git(repo, ["add", "--", path]);
  git(repo, ["commit", "-q", "-m", message]);
  return git(repo, ["rev-parse", "HEAD"]).trim();
}

/** A working repository whose origin is `url`: on the server's main when it has one, else with a first clean commit pushed. */
function workRepo(url: string, extraEnv: NodeJS.ProcessEnv = {}): string {
  const repo = createRepo();
  git(repo, ["remote", "add", "origin", url]);
  git(repo, ["fetch", "-q", "origin"], extraEnv);
  if (spawnSync("git", ["rev-parse", "--verify", "-q", "refs/remotes/origin/main"], { cwd: repo, env }).status === 0) {
    git(repo, ["reset", "-q", "--hard", "origin/main"]);
    return repo;
  }
  commitFile(repo, "README.md", "# app\n", "initial");
  const first = push(repo, ["origin", "main"], extraEnv);
  expect(first.status, first.stderr).toBe(0);
  return repo;
}

const push = (repo: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => spawnSync("git", ["push", ...args], { cwd: repo, env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 60_000 });

function pushAsync(repo: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn("git", ["push", ...args], { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("close", (status) => done({ status, output }));
  });
}

const serverHas = (server: Server, rev: string) => spawnSync("git", ["cat-file", "-e", rev], { cwd: server.path, env }).status === 0;
const auditLog = (server: Server) => (existsSync(join(server.path, "lumenguard-audit.log")) ? readFileSync(join(server.path, "lumenguard-audit.log"), "utf8") : "");
const auditEntries = (server: Server) =>
  auditLog(server)
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { decision: string; reason?: string; findings: Array<{ fingerprint: string; file: string }>; refs: string[] });

/** The transports every behaviour is checked over. */
const transports: Array<{ name: string; skip: string | null; start: (base: string) => Promise<GitServer | null> }> = [
  { name: "local transport", skip: null, start: async () => null },
  { name: "git daemon on 127.0.0.1", skip: null, start: (base) => startGitDaemon(base, env) },
  { name: "ssh to 127.0.0.1", skip: sshdUnavailable(), start: (base) => startSshd(base) },
];

for (const transport of transports) {
  if (transport.skip) console.warn(`SKIPPED (visibly): pre-receive over ${transport.name}: ${transport.skip}`);
  // Each test pushes several times, each push starting a hook process: minutes on a loaded 2-core machine, never hours.
  describe.skipIf(transport.skip !== null)(`pre-receive over the ${transport.name}`, { timeout: 180_000 }, () => {
    let server: Server;
    let running: GitServer | null;
    let url: string;
    let clientEnv: NodeJS.ProcessEnv;
    let lasting: ReturnType<typeof lastingDir> | undefined;
    beforeAll(async () => {
      // Made here, not while the file is collected: a folder no test uses is never left behind.
      lasting = lastingDir();
      server = await createServer(undefined, lasting.dir);
      running = await transport.start(server.base);
      url = running ? running.url("server.git") : server.path;
      clientEnv = running?.env ?? {};
    });
    afterAll(async () => {
      await running?.stop();
      lasting?.remove();
    });

    it("rejects a push that adds a key, telling the pusher what to do, without the key; the server keeps nothing of it", () => {
      const key = makeKey();
      const repo = workRepo(url, clientEnv);
      const before = git(server.path, ["rev-parse", "main"]).trim();
      const leak = commitFile(repo, "src/config.ts", `export const a = 1;\nexport const key = "${key}";\n`, "add config");
      const rejected = push(repo, ["origin", "main"], clientEnv);
      const output = rejected.stdout + rejected.stderr;
      expect(rejected.status).not.toBe(0);
      expect(output).toContain("pre-receive hook declined");
      expect(output).toContain("remote: lumenguard: push rejected: a key in the commits of this push");
      expect(output).toContain(`src/config.ts:2:21 in commit ${leak.slice(0, 12)}`);
      expect(output).toContain(`key lmnfl_${key.slice(6, key.indexOf("."))}.…${key.slice(-4)}`);
      expect(output).toContain("https://lumenfall.ai/app/api_keys");
      expect(output).toContain("git rebase -i");
      expect(output).toContain("git commit --amend");
      expect(output).toMatch(/git push -o lumenguard\.allow=[0-9a-f]{12} -o lumenguard\.reason=/);
      expect(output).not.toContain(key);
      expect(output).not.toContain(key.slice(key.indexOf(".") + 1));
      expect(git(server.path, ["rev-parse", "main"]).trim()).toBe(before);
      // The pushed objects stayed in git's quarantine, which is dropped with the push.
      expect(serverHas(server, leak)).toBe(false);
      expect(auditEntries(server).at(-1)).toMatchObject({ decision: "rejected", refs: ["refs/heads/main"] });
      expect(auditLog(server)).not.toContain(key);
    });

    it("accepts a clean push, and a branch deletion and a tag on known commits (annotated or lightweight) cost nothing: 0 new commits", () => {
      const repo = workRepo(url, clientEnv);
      const clean = commitFile(repo, "src/ok.ts", "export const ok = true;\n");
      const accepted = push(repo, ["origin", "main"], clientEnv);
      expect(accepted.status, accepted.stderr).toBe(0);
      expect(accepted.stderr).toContain("remote: lumenguard: 1 new commit(s) scanned, no Lumenfall keys found.");
      expect(serverHas(server, clean)).toBe(true);
      expect(push(repo, ["origin", "main:refs/heads/topic"], clientEnv).stderr).toContain("0 new commit(s) scanned");
      git(repo, ["tag", "-a", "-m", "v1", "v1"]);
      const tagged = push(repo, ["origin", "v1"], clientEnv);
      expect(tagged.status, tagged.stderr).toBe(0);
      expect(tagged.stderr).toContain("remote: lumenguard: 0 new commit(s) scanned, no Lumenfall keys found.");
      expect(serverHas(server, "refs/tags/v1")).toBe(true);
      git(repo, ["tag", "v1-light"]);
      const light = push(repo, ["origin", "v1-light"], clientEnv);
      expect(light.status, light.stderr).toBe(0);
      expect(light.stderr).toContain("remote: lumenguard: 0 new commit(s) scanned, no Lumenfall keys found.");
      const deleted = push(repo, ["origin", ":topic"], clientEnv);
      expect(deleted.status).toBe(0);
      expect(deleted.stderr).toContain("0 new commit(s) scanned");
    });

    it("rejects a tag that brings a new commit holding a key", () => {
      const repo = workRepo(url, clientEnv);
      git(repo, ["checkout", "-q", "-b", "release"]);
      commitFile(repo, "release.ts", `k = "${makeKey()}"\n`);
      git(repo, ["tag", "-a", "-m", "release", "v2"]);
      const rejected = push(repo, ["origin", "v2"], clientEnv);
      expect(rejected.status).not.toBe(0);
      expect(rejected.stdout + rejected.stderr).toContain("release.ts:1:6");
    });

    it("a bypass with a reason is accepted and logged (fingerprints only, chained); without a reason it is not", () => {
      const key = makeKey();
      const repo = workRepo(url, clientEnv);
      git(repo, ["checkout", "-q", "-b", `fixture-${transport.name.length}`]);
      commitFile(repo, "test/fixture.ts", `k = "${key}"\n`);
      const rejected = push(repo, ["origin", "HEAD"], clientEnv);
      const prefix = /lumenguard\.allow=([0-9a-f]{12})/.exec(rejected.stdout + rejected.stderr)?.[1];
      expect(prefix).toBeDefined();
      const noReason = push(repo, ["-o", `lumenguard.allow=${prefix}`, "origin", "HEAD"], clientEnv);
      expect(noReason.status).not.toBe(0);
      expect(noReason.stdout + noReason.stderr).toContain("a bypass needs a reason");
      const tooShort = push(repo, ["-o", "lumenguard.allow=abc", "-o", "lumenguard.reason=fixture", "origin", "HEAD"], clientEnv);
      expect(tooShort.status).not.toBe(0);
      expect(tooShort.stdout + tooShort.stderr).toContain("is not a fingerprint prefix");
      const bypassed = push(repo, ["-o", `lumenguard.allow=${prefix}`, "-o", "lumenguard.reason=test fixture, not a real key", "origin", "HEAD"], clientEnv);
      expect(bypassed.status, bypassed.stdout + bypassed.stderr).toBe(0);
      expect(bypassed.stderr).toContain("let through by lumenguard.allow");
      const entry = auditEntries(server).at(-1)!;
      expect(entry).toMatchObject({ decision: "bypassed", reason: "test fixture, not a real key" });
      expect(entry.findings).toEqual([expect.objectContaining({ file: "test/fixture.ts", fingerprint: expect.stringMatching(new RegExp(`^${prefix}[0-9a-f]{52}$`)) })]);
      expect(auditLog(server)).not.toContain(key);
      expect(verifyAuditLog(auditLog(server))).toEqual({ entries: auditEntries(server).length, brokenAt: null });
    });

    it("a 500-commit push with one key in the middle is rejected, naming that commit", () => {
      const repo = workRepo(url, clientEnv);
      git(repo, ["checkout", "-q", "-b", `many-${transport.name.length}`]);
      const head = git(repo, ["rev-parse", "HEAD"]).trim();
      const key = makeKey();
      const stream = Array.from({ length: 500 }, (_, i) => {
        const from = i === 0 ? `from ${head}\n` : "";
        const content = i === 250 ? `k = "${key}"\n` : `n = ${i}\n`;
        const message = `c${i}`;
        return `commit refs/heads/many-${transport.name.length}\ncommitter T <t@example.invalid> ${1_700_000_000 + i} +0000\ndata ${message.length}\n${message}\n${from}M 100644 inline f${i}.txt\ndata ${Buffer.byteLength(content)}\n${content}\n`;
      }).join("");
      expect(spawnSync("git", ["fast-import", "--quiet"], { cwd: repo, input: stream, env }).status).toBe(0);
      git(repo, ["reset", "-q", "--hard"]);
      const middle = git(repo, ["rev-parse", "HEAD~249"]).trim();
      const rejected = push(repo, ["origin", "HEAD"], clientEnv);
      expect(rejected.status).not.toBe(0);
      expect(rejected.stdout + rejected.stderr).toContain(`f250.txt:1:6 in commit ${middle.slice(0, 12)}`);
      expect(rejected.stdout + rejected.stderr).not.toContain(key);
    }, 60_000);
  });
}

describe("pre-receive settings: only the server's own", () => {
  it("bypass refused when the server forbids it, and recorded", async () => {
    const server = await createServer({ allowBypass: false });
    const repo = workRepo(server.path);
    commitFile(repo, "k.ts", `k = "${makeKey()}"\n`);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.stdout + rejected.stderr).toContain("This server does not allow pushing past its findings.");
    expect(rejected.stdout + rejected.stderr).not.toContain("lumenguard.allow=");
    const fingerprint = /fingerprint ([0-9a-f]{12})/.exec(rejected.stdout + rejected.stderr)![1]!;
    const refused = push(repo, ["-o", `lumenguard.allow=${fingerprint}`, "-o", "lumenguard.reason=please", "origin", "main"]);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain("this server does not allow bypasses");
    expect(auditEntries(server).map((entry) => entry.decision)).toEqual(["rejected", "bypass-refused"]);
  });

  it("a bypass that does not let the push through is a refused bypass: said first, counted right, audited as bypass-refused", async () => {
    const server = await createServer();
    const repo = workRepo(server.path);
    commitFile(repo, "k.ts", `k = "${makeKey()}"\n`);
    const probe = push(repo, ["origin", "main"]);
    const prefix = /lumenguard\.allow=([0-9a-f]{12})/.exec(probe.stdout + probe.stderr)![1]!;
    // The key named, the reason empty.
    const empty = push(repo, ["-o", `lumenguard.allow=${prefix}`, "-o", "lumenguard.reason=", "origin", "main"]);
    const emptyOutput = empty.stdout + empty.stderr;
    expect(empty.status).not.toBe(0);
    expect(emptyOutput).toContain("lumenguard: push rejected, bypass refused: a key in the commits of this push");
    expect(emptyOutput).toContain("lumenguard: bypass refused: a bypass needs a reason");
    expect(emptyOutput).toContain("[named by lumenguard.allow]");
    expect(emptyOutput).not.toContain("0 keys");
    // The way through is still shown: the same options, with a reason.
    expect(emptyOutput).toContain(`git push -o lumenguard.allow=${prefix} -o lumenguard.reason="<why>"`);
    // Two keys, a reason, only one named.
    commitFile(repo, "k2.ts", `k = "${makeKey()}"\n`);
    const partial = push(repo, ["-o", `lumenguard.allow=${prefix}`, "-o", "lumenguard.reason=fixture", "origin", "main"]);
    expect(partial.status).not.toBe(0);
    expect(partial.stdout + partial.stderr).toContain("push rejected, bypass refused: 2 keys in the commits of this push");
    expect(partial.stdout + partial.stderr).toContain("1 blocking finding(s) are not named by a lumenguard.allow");
    // A malformed prefix with a reason.
    const malformed = push(repo, ["-o", "lumenguard.allow=xyz", "-o", "lumenguard.reason=fixture", "origin", "main"]);
    expect(malformed.status).not.toBe(0);
    expect(malformed.stdout + malformed.stderr).toContain("bypass refused: lumenguard.allow=xyz is not a fingerprint prefix");
    expect(auditEntries(server).map((entry) => entry.decision)).toEqual(["rejected", "bypass-refused", "bypass-refused", "bypass-refused"]);
  });

  it("a tag on a blob holding a key, which no commit walk visits, is rejected too", async () => {
    const server = await createServer();
    const repo = workRepo(server.path);
    const blob = spawnSync("git", ["hash-object", "-w", "--stdin"], { cwd: repo, env, input: `k = "${makeKey()}"\n`, encoding: "utf8" }).stdout.trim();
    git(repo, ["tag", "notes", blob]);
    const rejected = push(repo, ["origin", "notes"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stdout + rejected.stderr).toContain("refs/tags/notes:1:6");
  });

  it("a bypass that cannot be recorded (the audit log is a symbolic link) is refused", async () => {
    const { symlinkSync } = await import("node:fs");
    const server = await createServer();
    const outside = join(createDir(), "outside.txt");
    writeFileSync(outside, "untouched\n");
    symlinkSync(outside, join(server.path, "lumenguard-audit.log"));
    const repo = workRepo(server.path);
    commitFile(repo, "k.ts", `k = "${makeKey()}"\n`);
    const probe = push(repo, ["origin", "main"]);
    const prefix = /lumenguard\.allow=([0-9a-f]{12})/.exec(probe.stdout + probe.stderr)![1]!;
    const refused = push(repo, ["-o", `lumenguard.allow=${prefix}`, "-o", "lumenguard.reason=fixture", "origin", "main"]);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain("could not be recorded in the audit log");
    expect(readFileSync(outside, "utf8")).toBe("untouched\n");
  });

  it("the pushed repository's own lumenguard.config.json (ignore everything, failOn none) and baseline are never read, committed or not", async () => {
    const server = await createServer();
    const repo = workRepo(server.path);
    writeFileSync(join(repo, "lumenguard.config.json"), '{ "ignore": ["**"], "failOn": "none" }\n');
    commitFile(repo, "k.ts", `k = "${makeKey()}"\n`);
    expect(push(repo, ["origin", "main"]).status).not.toBe(0);
    // Committed with the key: a config naming a baseline that accepts it.
    writeFileSync(join(repo, "lumenguard.config.json"), '{ "baseline": ".lumenguard-baseline.json" }\n');
    const baseline = await runCli(["baseline"], { cwd: repo });
    expect(baseline.code, baseline.stderr).toBe(0);
    expect(readFileSync(join(repo, ".lumenguard-baseline.json"), "utf8")).toContain("k.ts");
    expect((await runCli(["scan", "--history"], { cwd: repo })).code).toBe(0);
    git(repo, ["add", "lumenguard.config.json", ".lumenguard-baseline.json"]);
    git(repo, ["commit", "-q", "-m", "accept the fixture"]);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stdout + rejected.stderr).toContain("k.ts:1:6");
  });

  it("a lumenguard-allow comment the pusher wrote is not honoured unless the server says so: rejected, marked, the way through shown", async () => {
    const server = await createServer();
    const repo = workRepo(server.path);
    const key = makeKey();
    // Every place a comment can stand: the key's line, the line before (a comment alone), another comment syntax.
    commitFile(repo, "src/a.ts", `const k = "${key}"; // lumenguard-allow: test fixture\n`);
    commitFile(repo, "src/b.ts", `// lumenguard-allow: test fixture\nconst k = "${makeKey()}";\n`);
    commitFile(repo, "tools/c.py", `K = "${makeKey()}"  # lumenguard-allow\n`);
    const rejected = push(repo, ["origin", "main"]);
    const output = rejected.stdout + rejected.stderr;
    expect(rejected.status).not.toBe(0);
    expect(output).toContain("push rejected: 3 keys in the commits of this push");
    expect(output.match(/\[lumenguard-allow comment not honoured\]/g)).toHaveLength(3);
    expect(output).toContain("A lumenguard-allow comment in a pushed file does not let a finding through on this server");
    expect(output).toMatch(/git push -o lumenguard\.allow=[0-9a-f]{12} -o lumenguard\.allow=[0-9a-f]{12} -o lumenguard\.allow=[0-9a-f]{12} -o lumenguard\.reason=/);
    expect(output).not.toContain(key);
    expect(auditEntries(server).at(-1)).toMatchObject({ decision: "rejected" });
    expect(auditEntries(server).at(-1)!.findings).toHaveLength(3);
    // With bypasses forbidden too: still rejected, and recorded.
    const strict = await createServer({ allowBypass: false });
    const other = workRepo(strict.path);
    commitFile(other, "cfg.js", `const k = "${makeKey()}"; // lumenguard-allow: nothing to see\n`);
    const refused = push(other, ["origin", "main"]);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain("[lumenguard-allow comment not honoured]");
    expect(refused.stdout + refused.stderr).toContain("This server does not allow pushing past its findings.");
    expect(auditEntries(strict).map((entry) => entry.decision)).toEqual(["rejected"]);
  });

  it('"inlineAllow": true honours the comments, recording each finding (fingerprint, file, commit, reason) in the audit log; a key without one is still rejected', async () => {
    const server = await createServer({ inlineAllow: true });
    const repo = workRepo(server.path);
    const key = makeKey();
    const allowed = commitFile(repo, "test/fixture.ts", `const k = "${key}"; // lumenguard-allow: revoked test key\n`);
    const accepted = push(repo, ["origin", "main"]);
    expect(accepted.status, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain("1 finding(s) let through by lumenguard-allow comments");
    const entry = auditEntries(server).at(-1)! as unknown as { decision: string; findings: Array<{ fingerprint: string; file: string; commit: string; reason: string }> };
    expect(entry.decision).toBe("inline-allowed");
    expect(entry.findings).toEqual([expect.objectContaining({ file: "test/fixture.ts", commit: allowed, reason: "revoked test key" })]);
    expect(entry.findings[0]!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(auditLog(server)).not.toContain(key);
    expect(verifyAuditLog(auditLog(server)).brokenAt).toBeNull();
    commitFile(repo, "src/live.ts", `const k = "${makeKey()}";\n`);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stdout + rejected.stderr).toContain("src/live.ts:1:12");
    expect(rejected.stdout + rejected.stderr).not.toContain("lumenguard-allow comment not honoured");
  });

  it('"inlineAllow": true, but the audit log cannot be written (a symbolic link): the comment is not honoured, the push is rejected saying why', async () => {
    const { symlinkSync } = await import("node:fs");
    const server = await createServer({ inlineAllow: true });
    const outside = join(createDir(), "outside.txt");
    writeFileSync(outside, "untouched\n");
    symlinkSync(outside, join(server.path, "lumenguard-audit.log"));
    const repo = workRepo(server.path);
    commitFile(repo, "test/fixture.ts", `const k = "${makeKey()}"; // lumenguard-allow: fixture\n`);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stdout + rejected.stderr).toContain("the lumenguard-allow comments could not be recorded in the audit log");
    expect(rejected.stdout + rejected.stderr).toContain("test/fixture.ts:1:12");
    expect(readFileSync(outside, "utf8")).toBe("untouched\n");
  });

  it("inlineAllow is checked by the server settings schema: a string is refused, naming the field", async () => {
    const server = await createServer({ inlineAllow: "yes" });
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    git(repo, ["remote", "add", "origin", server.path]);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stderr).toContain("inlineAllow");
    expect(rejected.stderr).toContain("misconfigured");
  });

  it("commits reachable only from refs the server made without its hook (refs/merge-requests, refs/pull, refs/keep-around) are scanned when a branch moves onto them", async () => {
    for (const hostRef of ["refs/merge-requests/1/head", "refs/pull/7/head", "refs/keep-around/abc"]) {
      const server = await createServer();
      const repo = workRepo(server.path);
      // A contributor's fork: a bare repository without the hook.
      const fork = join(createDir(), "fork.git");
      git(server.base, ["clone", "-q", "--bare", server.path, fork]);
      git(repo, ["remote", "add", "fork", fork]);
      git(repo, ["checkout", "-q", "-b", "feature"]);
      const key = makeKey();
      const leak = commitFile(repo, "config.js", `k = "${key}"\n`, "feature");
      expect(push(repo, ["fork", "feature"]).status).toBe(0);
      // The hosting server fetches the change into the project and names it, running no hook (as Gitaly does).
      git(server.path, ["fetch", "-q", fork, "feature"]);
      git(server.path, ["update-ref", hostRef, leak]);
      // A maintainer fast-forwards main onto it and pushes through the hook.
      const maintainer = workRepo(server.path);
      git(maintainer, ["fetch", "-q", "origin", hostRef]);
      git(maintainer, ["merge", "-q", "--ff-only", "FETCH_HEAD"]);
      const rejected = push(maintainer, ["origin", "main"]);
      const output = rejected.stdout + rejected.stderr;
      expect(rejected.status, `${hostRef}: ${output}`).not.toBe(0);
      expect(output).toContain(`config.js:1:6 in commit ${leak.slice(0, 12)}`);
      expect(output).not.toContain(key);
      expect(git(server.path, ["rev-parse", "main"]).trim()).not.toBe(leak);
    }
  }, 120_000);

  it("acceptedRefs: the refs whose commits count as accepted are the server's setting, checked (git --glob patterns under refs/)", async () => {
    const server = await createServer({ acceptedRefs: ["refs/heads/*", "refs/tags/*", "refs/merge-requests/*"] });
    const contributor = workRepo(server.path);
    const leak = commitFile(contributor, "config.js", `k = "${makeKey()}"\n`, "feature");
    const fork = join(createDir(), "fork.git");
    git(server.base, ["init", "-q", "--bare", fork]);
    git(contributor, ["push", "-q", fork, "HEAD:refs/heads/feature"]);
    git(server.path, ["fetch", "-q", fork, "feature"]);
    git(server.path, ["update-ref", "refs/merge-requests/1/head", leak]);
    const maintainer = workRepo(server.path);
    git(maintainer, ["fetch", "-q", "origin", "refs/merge-requests/1/head"]);
    git(maintainer, ["merge", "-q", "--ff-only", "FETCH_HEAD"]);
    // The admin said merge request refs are accepted: nothing new to scan.
    const accepted = push(maintainer, ["origin", "main"]);
    expect(accepted.status, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain("0 new commit(s) scanned");
    for (const bad of ["--all", "heads/*", "refs/heads/../x", "refs/heads/a b"]) {
      writeFileSync(join(server.path, "lumenguard-server.json"), JSON.stringify({ acceptedRefs: ["refs/heads/*", bad] }));
      const rejected = push(maintainer, ["origin", "HEAD:refs/heads/other"]);
      expect(rejected.status, bad).not.toBe(0);
      expect(rejected.stderr).toContain("misconfigured");
      expect(rejected.stderr).toContain("acceptedRefs");
    }
  }, 120_000);

  describe("Git LFS files (their content is kept outside the bare repository)", () => {
    /** Commits `path` as an LFS pointer to `content`; returns the LFS object id. */
    const commitLfs = async (repo: string, path: string, content: string): Promise<string> => {
      const { createHash } = await import("node:crypto");
      const oid = createHash("sha256").update(content).digest("hex");
      writeFileSync(join(repo, ".gitattributes"), `${path} filter=lfs diff=lfs merge=lfs -text\n`);
      git(repo, ["add", ".gitattributes"]);
      commitFile(repo, path, `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${Buffer.byteLength(content)}\n`, `add ${path} (LFS)`);
      return oid;
    };
    /** Puts content where a hosting server keeps LFS objects: `<oid[0:2]>/<oid[2:4]>/<oid[4:]>` (Gitea, GitLab), or with the whole oid (git-lfs). */
    const store = (folder: string, oid: string, content: string, whole = false) => {
      mkdirSync(join(folder, oid.slice(0, 2), oid.slice(2, 4)), { recursive: true });
      writeFileSync(join(folder, oid.slice(0, 2), oid.slice(2, 4), whole ? oid : oid.slice(4)), content);
    };
    // The LFS content went to the LFS server over its own API before the push: git-lfs's client hook is not what is tested (--no-verify).
    const pushLfs = (repo: string) => push(repo, ["--no-verify", "origin", "main"]);

    it("by default a push whose LFS content the server cannot read is rejected (fail closed), naming the file and the setting", async () => {
      const server = await createServer();
      const repo = workRepo(server.path);
      await commitLfs(repo, "models/model.bin", "weights\n");
      const rejected = pushLfs(repo);
      expect(rejected.status).not.toBe(0);
      expect(rejected.stderr).toContain("models/model.bin: a Git LFS pointer");
      expect(rejected.stderr).toContain(`"lfs": { "objects": "<folder>" } in lumenguard-server.json`);
      expect(rejected.stderr).toContain(`"lfs": "pointer-only"`);
      expect(rejected.stderr).not.toContain("git lfs pull");
    });

    it('"lfs": { "objects" } reads the content from the server\'s store (Gitea/GitLab layout, or git-lfs\'s): a key in it is rejected, clean content accepted', async () => {
      const base = createDir();
      const lfsStore = join(base, "lfs");
      const server = await createServer({ lfs: { objects: "../lfs" } }, base);
      const repo = workRepo(server.path);
      const key = makeKey();
      const leaky = `API_KEY=${key}\n`;
      store(lfsStore, await commitLfs(repo, "data/dump.txt", leaky), leaky);
      const rejected = pushLfs(repo);
      expect(rejected.status).not.toBe(0);
      expect(rejected.stdout + rejected.stderr).toContain("data/dump.txt:1:9");
      expect(rejected.stdout + rejected.stderr).not.toContain(key);
      git(repo, ["reset", "-q", "--hard", "origin/main"]);
      const clean = "just weights\n";
      store(lfsStore, await commitLfs(repo, "models/a.bin", clean), clean);
      const other = "more weights\n";
      store(lfsStore, await commitLfs(repo, "models/b.bin", other), other, true);
      const accepted = pushLfs(repo);
      expect(accepted.status, accepted.stderr).toBe(0);
      expect(accepted.stderr).toContain("2 new commit(s) scanned, no Lumenfall keys found");
    });

    it('"lfs": "pointer-only" scans the pointer and accepts, recording each LFS file in the audit log; other keys in the push still block', async () => {
      const server = await createServer({ lfs: "pointer-only" });
      const repo = workRepo(server.path);
      await commitLfs(repo, "models/model.bin", `k=${makeKey()}\n`);
      const accepted = pushLfs(repo);
      expect(accepted.status, accepted.stderr).toBe(0);
      expect(accepted.stderr).toContain('models/model.bin: a Git LFS pointer; its content (');
      expect(accepted.stderr).toContain('"lfs": "pointer-only"');
      expect(auditEntries(server).at(-1)).toMatchObject({ decision: "lfs-pointer-only", findings: [{ ruleId: "lfs-pointer-only", file: "models/model.bin" }] });
      await commitLfs(repo, "models/other.bin", "x\n");
      commitFile(repo, "src/k.ts", `k = "${makeKey()}"\n`);
      const rejected = pushLfs(repo);
      expect(rejected.status).not.toBe(0);
      expect(rejected.stdout + rejected.stderr).toContain("src/k.ts:1:6");
      expect(auditEntries(server).at(-1)!.decision).toBe("rejected");
    });

    it("the lfs setting is checked by the schema", async () => {
      const server = await createServer({ lfs: "skip" });
      const repo = createRepo({ committed: { "a.ts": "x\n" } });
      git(repo, ["remote", "add", "origin", server.path]);
      const rejected = push(repo, ["origin", "main"]);
      expect(rejected.status).not.toBe(0);
      expect(rejected.stderr).toContain("misconfigured");
      expect(rejected.stderr).toContain("lfs");
    });
  });

  it("a key the server already has in a file (let in with a bypass) does not block later edits of that file: said, not blocked; a new key there still blocks", async () => {
    const server = await createServer();
    const repo = workRepo(server.path);
    const key = makeKey();
    commitFile(repo, "s.js", `k = "${key}";\n`);
    const probe = push(repo, ["origin", "main"]);
    const prefix = /lumenguard\.allow=([0-9a-f]{12})/.exec(probe.stdout + probe.stderr)![1]!;
    expect(push(repo, ["-o", `lumenguard.allow=${prefix}`, "-o", "lumenguard.reason=revoked fixture", "origin", "main"]).status).toBe(0);
    const edit = commitFile(repo, "s.js", `k = "${key}";\n// unrelated edit\n`);
    const accepted = push(repo, ["origin", "main"]);
    expect(accepted.status, accepted.stdout + accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain("already in those files on this server (this push does not add them)");
    expect(accepted.stderr).toContain(`s.js: key lmnfl_${key.slice(6, key.indexOf("."))}.…${key.slice(-4)}`);
    expect(accepted.stderr).toContain("1 new commit(s) scanned, no new Lumenfall keys found (1 already there, above)");
    expect(accepted.stderr).not.toContain(key);
    expect(git(server.path, ["rev-parse", "main"]).trim()).toBe(edit);
    expect(auditEntries(server).map((entry) => entry.decision)).toEqual(["rejected", "bypassed"]);
    // Another key in that file, and the known key in another file, are new to the server.
    commitFile(repo, "s.js", `k = "${key}";\nk2 = "${makeKey()}";\n`);
    commitFile(repo, "t.js", `k = "${key}";\n`);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stdout + rejected.stderr).toContain("push rejected: 2 keys in the commits of this push");
    expect(rejected.stdout + rejected.stderr).toContain("s.js:2:7");
    expect(rejected.stdout + rejected.stderr).toContain("t.js:1:6");
  });

  it("a server lumenguard config (the `config` setting) is read: its ignore globs apply", async () => {
    const server = await createServer();
    writeFileSync(join(server.path, "lumenguard.config.json"), '{ "ignore": ["fixtures/**"] }\n');
    writeFileSync(join(server.path, "lumenguard-server.json"), '{ "config": "lumenguard.config.json" }\n');
    const repo = workRepo(server.path);
    commitFile(repo, "fixtures/k.ts", `k = "${makeKey()}"\n`);
    expect(push(repo, ["origin", "main"]).status).toBe(0);
  });

  it("a broken server config rejects every push (fail closed), naming the field", async () => {
    const server = await createServer();
    writeFileSync(join(server.path, "lumenguard-server.json"), '{ "onTimeout": "shrug" }\n');
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    git(repo, ["remote", "add", "origin", server.path]);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stderr).toContain('"onTimeout" must be one of "reject", "accept"');
  });

  it("the time budget: spent, the push is rejected by default, or accepted and recorded when the server says so", async () => {
    const closed = await createServer({ budgetSeconds: 0.001 });
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    git(repo, ["remote", "add", "origin", closed.path]);
    const rejected = push(repo, ["origin", "main"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stderr).toContain("ran out of its 0.001 s budget");
    expect(auditEntries(closed).map((entry) => entry.decision)).toEqual(["timeout-rejected"]);
    const open = await createServer({ budgetSeconds: 0.001, onTimeout: "accept" });
    const other = createRepo({ committed: { "a.ts": "x\n" } });
    git(other, ["remote", "add", "origin", open.path]);
    const accepted = push(other, ["origin", "main"]);
    expect(accepted.status).toBe(0);
    expect(accepted.stderr).toContain("not fully scanned within 0.001 s");
    expect(auditEntries(open).map((entry) => entry.decision)).toEqual(["timeout-accepted"]);
  });

  it("concurrent pushes: each is judged on its own commits, and every bypass lands in one unbroken chain", async () => {
    const server = await createServer();
    const clients = Array.from({ length: 4 }, () => workRepo(server.path));
    const prefixes: string[] = [];
    clients.forEach((repo, index) => {
      git(repo, ["fetch", "-q", "origin"]);
      git(repo, ["checkout", "-q", "-b", `c${index}`, "origin/main"]);
      commitFile(repo, `c${index}.ts`, `k = "${makeKey()}"\n`);
      const probe = push(repo, ["origin", `c${index}`]);
      prefixes.push(/lumenguard\.allow=([0-9a-f]{12})/.exec(probe.stdout + probe.stderr)![1]!);
    });
    const leaky = workRepo(server.path);
    git(leaky, ["fetch", "-q", "origin"]);
    git(leaky, ["checkout", "-q", "-b", "leaky", "origin/main"]);
    commitFile(leaky, "leak.ts", `k = "${makeKey()}"\n`);
    const results = await Promise.all([
      ...clients.map((repo, index) => pushAsync(repo, ["-o", `lumenguard.allow=${prefixes[index]}`, "-o", `lumenguard.reason=fixture ${index}`, "origin", `c${index}`])),
      pushAsync(leaky, ["origin", "leaky"]),
    ]);
    expect(results.map((result) => result.status === 0)).toEqual([true, true, true, true, false]);
    const entries = auditEntries(server);
    expect(entries.filter((entry) => entry.decision === "bypassed").map((entry) => entry.reason).sort()).toEqual(["fixture 0", "fixture 1", "fixture 2", "fixture 3"]);
    expect(verifyAuditLog(auditLog(server))).toEqual({ entries: entries.length, brokenAt: null });
    for (let index = 0; index < 4; index++) expect(git(server.path, ["rev-parse", `c${index}`]).trim()).toBe(git(clients[index]!, ["rev-parse", "HEAD"]).trim());
  }, 60_000);
});

describe("the audit log", () => {
  it("an edited entry breaks the chain at the next one", async () => {
    const { appendAuditEntry } = await import("../src/server/audit-log.js");
    const file = join(createDir(), "audit.log");
    for (const reason of ["one", "two", "three"]) {
      await appendAuditEntry(file, { time: "2025-01-01T00:00:00.000Z", decision: "bypassed", repository: "/srv/r.git", pusher: "ann", refs: ["refs/heads/main"], reason, findings: [] });
    }
    const text = readFileSync(file, "utf8");
    expect(verifyAuditLog(text)).toEqual({ entries: 3, brokenAt: null });
    expect(verifyAuditLog(text.replace('"reason":"two"', '"reason":"TWO"'))).toEqual({ entries: 3, brokenAt: 3 });
    expect(verifyAuditLog(text.split("\n").filter((line) => !line.includes('"two"')).join("\n"))).toEqual({ entries: 2, brokenAt: 2 });
  });

  it("is never written through a symbolic link, and never holds a key", async () => {
    const { appendAuditEntry } = await import("../src/server/audit-log.js");
    const { symlinkSync } = await import("node:fs");
    const dir = createDir();
    const outside = join(dir, "outside.txt");
    writeFileSync(outside, "untouched\n");
    symlinkSync(outside, join(dir, "audit.log"));
    await expect(appendAuditEntry(join(dir, "audit.log"), { time: "t", decision: "rejected", repository: "r", pusher: null, refs: [], findings: [] })).rejects.toThrow(/symbolic link/);
    expect(readFileSync(outside, "utf8")).toBe("untouched\n");
    const key = makeKey();
    const file = join(dir, "real.log");
    await appendAuditEntry(file, { time: "t", decision: "bypassed", repository: "r", pusher: `evil ${key}`, refs: [`refs/heads/${key}`], reason: `see ${key}`, findings: [{ fingerprint: "f", ruleId: "key-in-history", file: `${key}.ts` }] });
    expect(readFileSync(file, "utf8")).not.toContain(key);
  });
});

describe("lumenguard init --server", () => {
  it("is idempotent, keeps an existing pre-receive hook running first, and --uninstall puts it back", async () => {
    const base = createDir();
    const path = join(base, "r.git");
    git(base, ["init", "-q", "--bare", path]);
    writeFileSync(join(path, "hooks/pre-receive"), "#!/bin/sh\necho 'remote policy ran'\nexit 0\n", { mode: 0o755 });
    const first = await runCli(["init", "--server"], { cwd: path });
    expect(first.stdout).toContain("move");
    expect(readFileSync(join(path, "hooks/pre-receive.before-lumenguard"), "utf8")).toContain("remote policy ran");
    expect(git(path, ["config", "receive.advertisePushOptions"]).trim()).toBe("true");
    const again = await runCli(["init", "--server"], { cwd: path });
    expect(again.stdout).toContain("Already set up");
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    git(repo, ["remote", "add", "origin", path]);
    const pushed = push(repo, ["origin", "main"]);
    expect(pushed.stderr).toContain("remote policy ran");
    expect(pushed.stderr).toContain("no Lumenfall keys found");
    const removed = await runCli(["init", "--server", "--uninstall"], { cwd: path });
    expect(removed.code).toBe(0);
    expect(readFileSync(join(path, "hooks/pre-receive"), "utf8")).toContain("remote policy ran");
    expect(existsSync(join(path, "hooks/pre-receive.before-lumenguard"))).toBe(false);
  });

  it("where hooks/pre-receive.d/ exists (Gitea, Forgejo), the hook goes there", async () => {
    const base = createDir();
    const path = join(base, "r.git");
    git(base, ["init", "-q", "--bare", path]);
    mkdirSync(join(path, "hooks/pre-receive.d"));
    const dry = await runCli(["init", "--server", "--dry-run"], { cwd: path });
    expect(dry.stdout).toContain(`would create ${join(path, "hooks/pre-receive.d/lumenguard")}`);
    expect(existsSync(join(path, "hooks/pre-receive.d/lumenguard"))).toBe(false);
    await runCli(["init", "--server"], { cwd: path });
    expect(readFileSync(join(path, "hooks/pre-receive.d/lumenguard"), "utf8")).toContain("scan --pre-receive");
    expect(existsSync(join(path, "hooks/pre-receive"))).toBe(false);
  });
});

describe("replace refs change nothing that is scanned", () => {
  // refs/replace/<X> makes git show another object in place of X. A scan that honoured it would
  // read a clean look-alike while git pushes (and the server stores) the real commit.
  it("a pushed refs/replace/<X> does not hide commit X from the server's hook; a local one hides it from neither --history nor --pre-push", async () => {
    const server = await createServer();
    const repo = workRepo(server.path);
    const base = git(repo, ["rev-parse", "HEAD"]).trim();
    const key = makeKey();
    const leaking = commitFile(repo, "app.js", `const k = "${key}";\n`, "add app");
    const lookAlike = git(repo, ["commit-tree", `${base}^{tree}`, "-p", base, "-m", "add app"]).trim();
    git(repo, ["replace", leaking, lookAlike]);
    // The client side first: both gates read the stored commit.
    const history = await runCli(["scan", "--history", "--format", "json"], { cwd: repo });
    expect(history.code, history.stderr).toBe(1);
    expect(history.stdout).toContain('"app.js"');
    const prePush = await runCli(["scan", "--pre-push", "origin", server.path], { cwd: repo, stdin: `refs/heads/main ${leaking} refs/heads/main ${base}\n` });
    expect(prePush.code, prePush.stderr).toBe(1);
    // The server: the replace ref is pushed first, then the commit it stands in for.
    expect(push(repo, ["origin", `refs/replace/${leaking}`]).status).toBe(0);
    const rejected = push(repo, ["--no-verify", "origin", "main"], { GIT_NO_REPLACE_OBJECTS: "1" });
    expect(rejected.status).not.toBe(0);
    expect(rejected.stderr).toContain("app.js");
    expect(rejected.stderr).not.toContain(key);
    expect(serverHas(server, leaking)).toBe(false);
  }, 120_000);
});
