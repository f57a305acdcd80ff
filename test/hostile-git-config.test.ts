import { execFileSync } from "node:child_process";
import { chmodSync, lchownSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, processEnv } from "./helpers/repo.js";

/**
 * A folder lumenguard scans may carry its own `.git` — an unpacked archive, a shared checkout,
 * a pull request's repository — and git runs programs its `.git/config` names. Every setting
 * below points at a marker command that creates a file; after every lumenguard mode that could
 * reach it, no marker may exist, and the scan still finds the key it should.
 *
 * The settings known to run a command under the git commands lumenguard used before the
 * overrides (core.fsmonitor, gpg.program with log.showSignature, a promisor remote's ext:: or
 * ssh transport reached by a lazy fetch) fail on the old code; the others (pager, external
 * diff, textconv, filter drivers, hooks) are guards: no git command lumenguard runs may ever
 * start them.
 */

const NO_CI = { GITHUB_ACTIONS: undefined, GITLAB_CI: undefined, GITHUB_EVENT_PATH: undefined, GITHUB_EVENT_NAME: undefined, CI_COMMIT_SHA: undefined };

interface Hostile {
  repo: string;
  /** Markers created so far (names). */
  markers: () => string[];
  /** A shell command that creates the marker `name`. */
  mark: (name: string) => string;
  key: string;
}

/**
 * A repository whose last commit adds a key in `a.ts` and whose index adds another in `b.ts`
 * (staged before any hostile setting, so that the test's own git runs none), with a folder for
 * markers beside it.
 */
function hostileRepo(): Hostile {
  const outside = createDir();
  const key = makeKey();
  const repo = createRepo({ committed: { "README.md": "# app\n" } });
  writeFileSync(join(repo, "a.ts"), `k = "${key}"\n`);
  git(repo, ["add", "a.ts"]);
  git(repo, ["commit", "-q", "-m", "add a"]);
  writeFileSync(join(repo, "b.ts"), `k = "${makeKey()}"\n`);
  git(repo, ["add", "b.ts"]);
  // One script per marker, named by its path alone: some settings name a program, not a shell command.
  const mark = (name: string) => {
    const script = join(outside, `mark-${name}.sh`);
    writeFileSync(script, `#!/bin/sh\ntouch "${outside}/PWNED-${name}"\nexit 1\n`);
    chmodSync(script, 0o755);
    return script;
  };
  return {
    repo,
    key,
    mark,
    markers: () => readdirSync(outside).filter((name) => name.startsWith("PWNED-")),
  };
}

/** Every lumenguard mode that runs git in `repo`, each with the key it must still find. */
async function everyMode(repo: string): Promise<Array<{ mode: string; code: number; stderr: string }>> {
  const head = git(repo, ["rev-parse", "HEAD"]).trim();
  const base = git(repo, ["rev-parse", "HEAD~1"]).trim();
  const event = join(createDir(), "event.json");
  writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: base }, head: { sha: head } } }));
  const runs: Array<[string, string[], Record<string, string | undefined>, string?]> = [
    ["scan", ["scan"], NO_CI],
    ["scan --staged", ["scan", "--staged"], NO_CI],
    ["scan --history", ["scan", "--history"], NO_CI],
    ["scan --pre-push", ["scan", "--pre-push"], NO_CI, `refs/heads/main ${head} refs/heads/main ${"0".repeat(40)}\n`],
    ["ci (pull request)", ["ci"], { ...NO_CI, GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: event }],
    ["scan --fix --dry-run", ["scan", "--fix", "--dry-run"], NO_CI],
    ["init --dry-run", ["init", "--dry-run"], NO_CI],
  ];
  const outcomes = [];
  for (const [mode, argv, env, stdin] of runs) {
    const outcome = await runCli(argv, { cwd: repo, env, ...(stdin === undefined ? {} : { stdin }) });
    outcomes.push({ mode, code: outcome.code, stderr: outcome.stderr });
  }
  return outcomes;
}

/**
 * The scan modes still work: each finds its key (exit 1); init and --fix run (exit 0). init
 * refuses (exit 2, naming it) a core.hooksPath the repository's config points outside itself.
 */
function expectStillScanning(outcomes: Array<{ mode: string; code: number; stderr: string }>): void {
  for (const { mode, code, stderr } of outcomes) {
    if (mode.startsWith("init") && code === 2) {
      expect(stderr, mode).toContain("which is outside the repository");
      continue;
    }
    const expected = mode.startsWith("init") || mode.startsWith("scan --fix") ? [0, 1] : [1];
    expect(expected, `${mode}: ${stderr}`).toContain(code);
  }
}

describe("a scanned repository's own git config runs nothing", () => {
  it("core.fsmonitor (run by every git command that reads the index): never started", async () => {
    const hostile = hostileRepo();
    git(hostile.repo, ["config", "core.fsmonitor", `${hostile.mark("fsmonitor")}; false`]);
    const outcomes = await everyMode(hostile.repo);
    expect(hostile.markers()).toEqual([]);
    expectStillScanning(outcomes);
  });

  it("gpg.program with log.showSignature on a signed commit (run by git log): never started", async () => {
    const hostile = hostileRepo();
    // A commit with a gpgsig header, as `git commit -S` writes it.
    const signed = git(hostile.repo, ["cat-file", "commit", "HEAD"]).replace(/^(committer .*)$/m, "$1\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n x\n -----END PGP SIGNATURE-----");
    const sha = gitWithInput(hostile.repo, ["hash-object", "-t", "commit", "-w", "--stdin"], signed).trim();
    git(hostile.repo, ["update-ref", "refs/heads/main", sha]);
    git(hostile.repo, ["config", "log.showSignature", "true"]);
    git(hostile.repo, ["config", "gpg.program", hostile.mark("gpg")]);
    git(hostile.repo, ["config", "gpg.ssh.program", hostile.mark("gpg-ssh")]);
    git(hostile.repo, ["config", "gpg.x509.program", hostile.mark("gpg-x509")]);
    const outcomes = await everyMode(hostile.repo);
    expect(hostile.markers()).toEqual([]);
    expectStillScanning(outcomes);
  });

  for (const transport of ["ext", "ssh"] as const) {
    it(`a promisor remote over ${transport} (a lazy fetch of a missing object): never contacted, the missing object fails the gate`, async () => {
      const hostile = hostileRepo();
      const { repo } = hostile;
      git(repo, ["config", "core.repositoryformatversion", "1"]);
      git(repo, ["config", "extensions.partialClone", "evil"]);
      git(repo, ["config", "remote.evil.promisor", "true"]);
      if (transport === "ext") {
        git(repo, ["config", "protocol.ext.allow", "always"]);
        git(repo, ["config", "remote.evil.url", `ext::${hostile.mark("ext")}`]);
      } else {
        git(repo, ["config", "remote.evil.url", "ssh://example.invalid/repo.git"]);
        git(repo, ["config", "protocol.ssh.allow", "always"]);
        git(repo, ["config", "core.sshCommand", `${hostile.mark("ssh")}; false`]);
      }
      // A staged entry whose blob is not here: reading it would make git fetch it.
      git(repo, ["update-index", "--add", "--cacheinfo", `100644,${"1".repeat(40)},missing.ts`]);
      const staged = await runCli(["scan", "--staged"], { cwd: repo, env: NO_CI });
      expect(staged.code).toBe(3);
      expect(staged.stderr).toContain("missing.ts");
      git(repo, ["rm", "-q", "--cached", "missing.ts"]);

      // A pull request whose base has a config file whose blob is not here: ci reads the base's config.
      const base = git(repo, ["rev-parse", "HEAD"]).trim();
      writeFileSync(join(repo, "lumenguard.config.json"), "{}\n");
      git(repo, ["add", "lumenguard.config.json"]);
      git(repo, ["commit", "-q", "-m", "config"]);
      const configured = git(repo, ["rev-parse", "HEAD"]).trim();
      const blob = git(repo, ["rev-parse", "HEAD:lumenguard.config.json"]).trim();
      writeFileSync(join(repo, "c.ts"), `k = "${makeKey()}"\n`);
      git(repo, ["add", "c.ts"]);
      git(repo, ["commit", "-q", "-m", "pr"]);
      const head = git(repo, ["rev-parse", "HEAD"]).trim();
      void base;
      // Only the config blob goes (objects a test commits are loose).
      rmSync(join(repo, ".git/objects", blob.slice(0, 2), blob.slice(2)));
      const event = join(createDir(), "event.json");
      writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: configured }, head: { sha: head } } }));
      const review = await runCli(["ci"], { cwd: repo, env: { ...NO_CI, GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: event } });
      expect(review.code, review.stderr).not.toBe(0);
      expect(hostile.markers()).toEqual([]);
    });
  }

  it("pager, external diff, textconv, clean/smudge filters and hooks: never started by any mode", async () => {
    const hostile = hostileRepo();
    const { repo, mark } = hostile;
    writeFileSync(join(repo, ".gitattributes"), "* diff=evil filter=evil\n");
    git(repo, ["add", ".gitattributes"]);
    git(repo, ["commit", "-q", "-m", "attributes", "--", ".gitattributes"]);
    // The pull request range is the last commit: it adds a key too. b.ts stays staged, not committed.
    writeFileSync(join(repo, "d.ts"), `k = "${makeKey()}"\n`);
    git(repo, ["add", "d.ts"]);
    git(repo, ["commit", "-q", "-m", "add d", "--", "d.ts"]);
    const hooks = createDir();
    for (const hook of ["pre-commit", "post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc", "fsmonitor-watchman"]) {
      writeFileSync(join(hooks, hook), `#!/bin/sh\n${mark(`hook-${hook}`)}\n`);
      chmodSync(join(hooks, hook), 0o755);
    }
    const settings: Record<string, string> = {
      "core.pager": mark("pager"),
      "pager.log": mark("pager-log"),
      "pager.diff": mark("pager-diff"),
      "diff.external": mark("diff-external"),
      "diff.evil.command": mark("diff-command"),
      "diff.evil.textconv": mark("textconv"),
      "filter.evil.clean": mark("clean"),
      "filter.evil.smudge": mark("smudge"),
      "filter.evil.process": mark("process"),
      "core.hooksPath": hooks,
    };
    for (const [name, value] of Object.entries(settings)) git(repo, ["config", name, value]);
    const outcomes = await everyMode(repo);
    expect(hostile.markers()).toEqual([]);
    expectStillScanning(outcomes);
  });
});

describe("a repository git refuses (owned by another user)", () => {
  const root = process.getuid?.() === 0;
  it.skipIf(!root)("every git mode is exit 3 naming git's safe.directory check and the command that trusts the folder", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": `k = "${key}"\n` } });
    writeFileSync(join(repo, "b.ts"), `k = "${makeKey()}"\n`);
    git(repo, ["add", "b.ts"]);
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    // nobody (65534) owns it; the test runs as root, which git does not exempt.
    for (const entry of [repo, ...walk(repo)]) chownNobody(entry);
    const event = join(createDir(), "event.json");
    writeFileSync(event, JSON.stringify({ before: "0".repeat(40), after: head, ref: "refs/heads/main" }));
    const runs: Array<[string, string[], Record<string, string | undefined>]> = [
      ["scan", ["scan"], NO_CI],
      ["--staged", ["scan", "--staged"], NO_CI],
      ["--history", ["scan", "--history"], NO_CI],
      ["ci", ["ci"], { ...NO_CI, GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_EVENT_PATH: event, GITHUB_SHA: head }],
    ];
    for (const [mode, argv, env] of runs) {
      const { code, stderr } = await runCli(argv, { cwd: repo, env: { ...env, HOME: createDir() } });
      expect(code, `${mode}: ${stderr}`).toBe(3);
      expect(stderr, mode).toContain("owned by another user");
      expect(stderr, mode).toContain(`git config --global --add safe.directory ${repo}`);
      // Not git's usage text, not a wrong cause.
      expect(stderr, mode).not.toContain("usage: git");
      expect(stderr, mode).not.toContain("not in this checkout");
    }
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).map((entry) => join(entry.parentPath, entry.name));
}

function chownNobody(path: string): void {
  lchownSync(path, 65534, 65534);
}

function gitWithInput(dir: string, args: string[], input: string): string {
  return execFileSync("git", args, { cwd: dir, env: processEnv(), input, encoding: "utf8" });
}
