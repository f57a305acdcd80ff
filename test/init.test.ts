import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, withoutGitOverrides, writeFiles } from "./helpers/repo.js";

/**
 * `lumenguard init` on real temp repositories. The hooks it writes run a fake
 * lumenguard (LUMENGUARD_HOOK_COMMAND), which logs its arguments and stdin and exits with a
 * chosen code, so these tests do not depend on `scan --staged` / `--pre-push`.
 */

interface FakeLumenguard {
  env: NodeJS.ProcessEnv;
  log: () => string;
  failWith: (code: number) => void;
}

function fakeLumenguard(): FakeLumenguard {
  const dir = createDir();
  const log = join(dir, "calls.log");
  const exitFile = join(dir, "exit-code");
  writeFileSync(exitFile, "0");
  const script = join(dir, "fake-lumenguard.sh");
  writeFileSync(script, `#!/bin/sh\n{ echo "args: $*"; cat; } >> '${log}'\nexit "$(cat '${exitFile}')"\n`);
  return {
    env: { LUMENGUARD_HOOK_COMMAND: `sh '${script}'` },
    log: () => (existsSync(log) ? readFileSync(log, "utf8") : ""),
    failWith: (code) => writeFileSync(exitFile, String(code)),
  };
}

/** Every file under `dir` (mode and bytes), to prove what changed and what did not. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = `${(statSync(path).mode & 0o777).toString(8)} ${readFileSync(path, "base64")}`;
    }
  };
  walk(dir);
  return files;
}

function gitStatus(dir: string, args: string[]): number {
  const env = { ...withoutGitOverrides(process.env), GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@example.invalid" };
  return spawnSync("git", args, { cwd: dir, env, stdio: "ignore" }).status ?? 1;
}

/** A repository whose hooks live in .git/hooks (createRepo points core.hooksPath elsewhere). */
function plainRepo(): string {
  const dir = createRepo({ committed: { "README.md": "hello\n" } });
  git(dir, ["config", "--unset", "core.hooksPath"]);
  return dir;
}

const init = (cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) => runCli(["init", ...args], { cwd, env });
const isExecutable = (file: string) => (statSync(file).mode & 0o111) !== 0;

/** The line a hook runs lumenguard with: it searches installed copies and ends in the scan, never npx. */
function expectScanLine(line: string | undefined, args: string): void {
  expect(line).toContain("lumenguard_bin=;");
  expect(line).toContain("node_modules/.bin/lumenguard");
  expect(line).toContain(`"$lumenguard_bin" ${args}`);
  expect(line).not.toContain("npx");
}
/** The hook's scan statements as one line (a hook file has them one a line, a husky file on one line). */
const lineWith = (text: string, args: string) =>
  text.includes("\nlumenguard_bin=;") ? text.slice(text.indexOf("lumenguard_bin=;")).split("\n").join("; ") : text.split("\n").find((line) => line.includes(`"$lumenguard_bin" ${args}`));

describe("lumenguard init: plain git hooks", () => {
  it("writes executable pre-commit and pre-push hooks in .git/hooks and says what it did", async () => {
    const dir = plainRepo();
    const { code, stdout } = await init(dir);
    expect(code).toBe(0);
    for (const hook of ["pre-commit", "pre-push"]) expect(isExecutable(join(dir, ".git/hooks", hook))).toBe(true);
    expectScanLine(lineWith(readFileSync(join(dir, ".git/hooks/pre-commit"), "utf8"), "scan --staged"), "scan --staged");
    expectScanLine(lineWith(readFileSync(join(dir, ".git/hooks/pre-push"), "utf8"), 'scan --pre-push "$@"'), 'scan --pre-push "$@"');
    expect(stdout).toMatch(/created +\.git\/hooks\/pre-commit/);
    expect(stdout).toMatch(/created +\.git\/hooks\/pre-push/);
    expect(stdout).toMatch(/created +\.gitignore/);
    expect(stdout).toContain("Next:");
  });

  it("honours a relative core.hooksPath (relative to the root, even from a subfolder)", async () => {
    const dir = plainRepo();
    git(dir, ["config", "core.hooksPath", ".githooks"]);
    writeFiles(dir, { "sub/deeper/file.txt": "x\n" });
    expect((await init(join(dir, "sub/deeper"))).code).toBe(0);
    expect(isExecutable(join(dir, ".githooks/pre-commit"))).toBe(true);
    expect(existsSync(join(dir, ".git/hooks/pre-commit"))).toBe(false);
    expect(existsSync(join(dir, "sub/deeper/.githooks"))).toBe(false);
  });

  it("honours an absolute core.hooksPath inside the repository (work tree or git directory)", async () => {
    for (const inside of ["tools/hooks", ".git/shared-hooks"]) {
      const dir = plainRepo();
      const hooks = join(dir, inside);
      git(dir, ["config", "core.hooksPath", hooks]);
      expect((await init(dir)).code).toBe(0);
      expect(isExecutable(join(hooks, "pre-push"))).toBe(true);
      expect(isExecutable(join(hooks, "pre-commit"))).toBe(true);
      expect(existsSync(join(dir, ".git/hooks/pre-commit"))).toBe(false);
    }
    // A hooks folder outside the repository is refused: test/init-hooks-folder.test.ts.
  });

  it("a real commit runs the hook; a failing scan blocks the commit", async () => {
    const dir = plainRepo();
    const fake = fakeLumenguard();
    await init(dir, [], fake.env);
    writeFiles(dir, { "a.txt": "a\n" });
    git(dir, ["add", "a.txt"]);
    fake.failWith(1);
    expect(gitStatus(dir, ["commit", "-q", "-m", "blocked"])).not.toBe(0);
    expect(fake.log()).toContain("args: scan --staged");
    fake.failWith(0);
    expect(gitStatus(dir, ["commit", "-q", "-m", "allowed"])).toBe(0);
  });
});

describe("lumenguard init: an existing hook is chained, never lost", () => {
  const userPreCommit = '#!/bin/sh\necho "user hook ran" > user-pre-commit-ran\n';
  const userPrePush = "#!/bin/sh\ncat > user-pre-push-stdin\n";

  function repoWithUserHooks(): string {
    const dir = plainRepo();
    writeFiles(dir, { ".git/hooks/pre-commit": userPreCommit, ".git/hooks/pre-push": userPrePush });
    chmodSync(join(dir, ".git/hooks/pre-commit"), 0o755);
    chmodSync(join(dir, ".git/hooks/pre-push"), 0o750);
    return dir;
  }

  it("keeps the user's pre-commit hook, runs it after lumenguard, and restores it byte-identical", async () => {
    const dir = repoWithUserHooks();
    const before = snapshot(join(dir, ".git/hooks"));
    const fake = fakeLumenguard();
    const { stdout } = await init(dir, [], fake.env);
    expect(stdout).toMatch(/chained +\.git\/hooks\/pre-commit/);
    expect(readFileSync(join(dir, ".git/hooks/pre-commit.lumenguard-chained"), "utf8")).toBe(userPreCommit);

    writeFiles(dir, { "a.txt": "a\n" });
    git(dir, ["add", "a.txt"]);
    expect(gitStatus(dir, ["commit", "-q", "-m", "with both hooks"])).toBe(0);
    expect(fake.log()).toContain("args: scan --staged");
    expect(readFileSync(join(dir, "user-pre-commit-ran"), "utf8")).toBe("user hook ran\n");

    expect((await init(dir, ["--uninstall"])).code).toBe(0);
    expect(snapshot(join(dir, ".git/hooks"))).toEqual(before);
  });

  it("does not run the user's hook when lumenguard blocks the commit", async () => {
    const dir = repoWithUserHooks();
    const fake = fakeLumenguard();
    await init(dir, [], fake.env);
    writeFiles(dir, { "a.txt": "a\n" });
    git(dir, ["add", "a.txt"]);
    fake.failWith(1);
    expect(gitStatus(dir, ["commit", "-q", "-m", "blocked"])).not.toBe(0);
    expect(existsSync(join(dir, "user-pre-commit-ran"))).toBe(false);
  });

  it("pre-push: lumenguard and the user's hook both get git's arguments and the refs on stdin", async () => {
    const dir = repoWithUserHooks();
    const remote = createDir();
    git(remote, ["init", "-q", "--bare"]);
    git(dir, ["remote", "add", "origin", remote]);
    const fake = fakeLumenguard();
    await init(dir, [], fake.env);
    expect(gitStatus(dir, ["push", "-q", "origin", "main"])).toBe(0);
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    expect(fake.log()).toContain(`args: scan --pre-push origin ${remote}\nrefs/heads/main ${head} refs/heads/main `);
    expect(readFileSync(join(dir, "user-pre-push-stdin"), "utf8")).toMatch(new RegExp(`^refs/heads/main ${head} refs/heads/main 0{40}\n$`));
  });

  it("a second init changes nothing, and neither does a second uninstall", async () => {
    const dir = repoWithUserHooks();
    await init(dir);
    const installed = snapshot(dir);
    const again = await init(dir);
    expect(again.stdout).not.toMatch(/^ +(created|updated|chained|deleted|restored) /m);
    expect(snapshot(dir)).toEqual(installed);

    await init(dir, ["--uninstall"]);
    const removed = snapshot(dir);
    const second = await init(dir, ["--uninstall"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Nothing to remove");
    expect(snapshot(dir)).toEqual(removed);
  });

  it("refuses, changing nothing, when the chained name is already taken by something else", async () => {
    const dir = repoWithUserHooks();
    writeFiles(dir, { ".git/hooks/pre-commit.lumenguard-chained": "#!/bin/sh\n" });
    const before = snapshot(dir);
    const { code, stderr } = await init(dir);
    expect(code).toBe(3);
    expect(stderr).toContain("nothing was changed");
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("lumenguard init: husky", () => {
  function huskyRepo(preCommit: string): string {
    const dir = createRepo({ committed: { ".husky/pre-commit": preCommit, "package.json": '{ "devDependencies": { "husky": "9.1.7" } }\n' } });
    git(dir, ["config", "core.hooksPath", ".husky/_"]);
    return dir;
  }

  it.each([
    ["with a final newline", "npx lint-staged\n"],
    ["without a final newline", "npx lint-staged"],
  ])("appends one marked line (%s), once, and --uninstall gives the file back byte for byte", async (_, original) => {
    const dir = huskyRepo(original);
    const first = await init(dir);
    expect(first.stdout).toContain("husky hooks");
    const preCommit = readFileSync(join(dir, ".husky/pre-commit"), "utf8");
    const lines = preCommit.split("\n");
    expect(lines[0]).toBe("npx lint-staged");
    expectScanLine(lines[1], "scan --staged");
    expect(lines[1]?.endsWith(" # lumenguard (added by lumenguard init)")).toBe(true);
    expect(lines.slice(2)).toEqual(original.endsWith("\n") ? [""] : []);
    expectScanLine(lineWith(readFileSync(join(dir, ".husky/pre-push"), "utf8"), 'scan --pre-push "$@"'), 'scan --pre-push "$@"');

    const installed = snapshot(dir);
    await init(dir);
    expect(snapshot(dir)).toEqual(installed);

    await init(dir, ["--uninstall"]);
    expect(readFileSync(join(dir, ".husky/pre-commit"), "utf8")).toBe(original);
    expect(existsSync(join(dir, ".husky/pre-push"))).toBe(false);
  });

  it("is detected from package.json alone, and tells how to activate husky", async () => {
    const dir = createRepo({ committed: { "package.json": '{ "devDependencies": { "husky": "9.1.7" } }\n' } });
    git(dir, ["config", "--unset", "core.hooksPath"]);
    const { stderr } = await init(dir);
    expect(existsSync(join(dir, ".husky/pre-commit"))).toBe(true);
    expect(stderr).toContain("git will not run these hooks in this checkout: core.hooksPath is not set");
    expect(stderr).toContain("Run `npx husky`");
  });
});

describe("lumenguard init: .gitignore", () => {
  const TEMPLATES = ["!.env.example", "!.env.sample", "!.env.template", "!.env.dist"];

  it("appends .env* and a negation for every env template, keeping CRLF, and never twice", async () => {
    const dir = createRepo({ committed: { ".gitignore": "node_modules/\r\ndist/\r\n" } });
    await init(dir, ["--git-hooks"]);
    const once = readFileSync(join(dir, ".gitignore"), "utf8");
    expect(once).toBe(["node_modules/", "dist/", "# Local env files hold API keys: never commit them (added by lumenguard)", ".env*", ...TEMPLATES, ""].join("\r\n"));
    await init(dir, ["--git-hooks"]);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe(once);
  });

  it("adds only what is missing, and a final newline only because it appends", async () => {
    const dir = createRepo({ committed: { ".gitignore": "dist/\n.env*" } });
    await init(dir);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe(["dist/", ".env*", ...TEMPLATES, ""].join("\n"));
  });

  it("git ignores every env file and keeps every env template afterwards", async () => {
    const names = [".env", ".env.local", "apps/web/.env.production", ".env.example", ".env.sample", ".env.template", ".env.dist", "apps/web/.env.example"];
    const dir = createRepo({ committed: { "README.md": "x\n" } });
    writeFiles(dir, Object.fromEntries(names.map((name) => [name, "A=1\n"])));
    await init(dir, ["--git-hooks"]);
    const ignored = spawnSync("git", ["check-ignore", "--", ...names], { cwd: dir, encoding: "utf8" }).stdout.trim().split("\n");
    expect(ignored).toEqual([".env", ".env.local", "apps/web/.env.production"]);
  });

  it("counts .env with .env.* as covered, and keeps the lines on --uninstall", async () => {
    const content = `.env\n.env.*\n${TEMPLATES.join("\n")}\n`;
    const dir = createRepo({ committed: { ".gitignore": content } });
    expect((await init(dir)).stdout).toMatch(/unchanged +\.gitignore/);
    const fresh = createRepo();
    await init(fresh);
    await init(fresh, ["--uninstall"]);
    expect(readFileSync(join(fresh, ".gitignore"), "utf8")).toContain(`.env*\n${TEMPLATES.join("\n")}\n`);
  });
});

describe("lumenguard init: --dry-run, errors", () => {
  it("--dry-run prints the plan and changes nothing", async () => {
    const dir = createRepo({ committed: { ".husky/pre-commit": "npx lint-staged\n" } });
    const before = snapshot(dir);
    const { code, stdout } = await init(dir, ["--dry-run"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/would update +\.husky\/pre-commit/);
    expect(stdout).toMatch(/would create +\.husky\/pre-push/);
    expect(stdout).toContain("nothing was changed");
    expect(snapshot(dir)).toEqual(before);
  });

  it("--uninstall --dry-run changes nothing either", async () => {
    const dir = plainRepo();
    await init(dir);
    const before = snapshot(dir);
    expect((await init(dir, ["--uninstall", "--dry-run"])).stdout).toMatch(/would delete +\.git\/hooks\/pre-commit/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("exits 3 outside a git repository", async () => {
    const dir = createDir();
    const { code, stderr } = await init(dir);
    expect(code).toBe(3);
    expect(stderr).toContain("init needs a git repository");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("exits 2 for two hook managers at once, or a path", async () => {
    const dir = plainRepo();
    expect((await init(dir, ["--husky", "--lefthook"])).code).toBe(2);
    expect((await init(dir, ["src"])).code).toBe(2);
  });
});

describe("lumenguard init: husky pre-push beside other commands that read git's ref lines", () => {
  const husky = join(import.meta.dirname, "../node_modules/husky/bin.js");
  const bin = join(import.meta.dirname, "../bin/lumenguard.js");
  const real = { LUMENGUARD_HOOK_COMMAND: `'${process.execPath}' '${bin}'` };
  const hasLfs = spawnSync("git", ["lfs", "version"], { encoding: "utf8" }).status === 0;
  if (!hasLfs) console.warn("SKIPPED (visibly): git-lfs is not installed (apt-get install git-lfs); the real `git lfs pre-push` case below needs it");
  const pushEnv = () => ({ ...withoutGitOverrides(process.env), GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@example.invalid" });
  const push = (dir: string, args: string[]) => spawnSync("git", ["push", ...args], { cwd: dir, env: pushEnv(), encoding: "utf8" });

  /** A husky 9 repository pushed once to a bare remote, with `.husky/pre-push` holding `prePush`. */
  function huskyWithRemote(prePush: string) {
    const dir = createRepo({ committed: { ".husky/pre-push": prePush, "package.json": '{ "devDependencies": { "husky": "9.1.7" } }\n', ".gitignore": "node_modules\n" } });
    expect(spawnSync(process.execPath, [husky], { cwd: dir, env: withoutGitOverrides(process.env) }).status).toBe(0);
    const remote = join(createDir(), "srv.git");
    git(dir, ["init", "-q", "--bare", "-b", "main", remote]);
    git(dir, ["remote", "add", "origin", remote]);
    git(dir, ["push", "-q", "--no-verify", "origin", "main"]);
    return { dir, remote };
  }
  const commitKey = (dir: string) => {
    writeFiles(dir, { "s.js": `k = "${makeKey()}"\n` });
    git(dir, ["add", "s.js"]);
    git(dir, ["commit", "-q", "--no-verify", "-m", "key"]);
  };
  const remoteHasRef = (remote: string, ref: string) => spawnSync("git", ["rev-parse", "--verify", "-q", ref], { cwd: remote }).status === 0;

  it("init puts lumenguard's line before a command that reads stdin, and the commands after it still get git's lines", async () => {
    const saw = join(createDir(), "saw");
    const { dir, remote } = huskyWithRemote(`#!/usr/bin/env sh\n# team hook\ncat > '${saw}'\n`);
    expect((await init(dir, ["--husky"], real)).code).toBe(0);
    const lines = readFileSync(join(dir, ".husky/pre-push"), "utf8").split("\n");
    expect(lines[0]).toBe("#!/usr/bin/env sh");
    expect(lines[1]).toBe("# team hook");
    expect(lines[2]).toContain("scan --pre-push");
    expect(lines[3]).toBe(`cat > '${saw}'`);
    commitKey(dir);
    const blocked = push(dir, ["origin", "main"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("s.js:1:6");
    git(dir, ["reset", "-q", "--hard", "HEAD~1"]);
    writeFiles(dir, { "c.js": "clean\n" });
    git(dir, ["add", "c.js"]);
    git(dir, ["commit", "-q", "--no-verify", "-m", "clean"]);
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    const passed = push(dir, ["origin", "main"]);
    expect(passed.status, passed.stderr).toBe(0);
    // The command after lumenguard's line read the same ref line git wrote.
    expect(readFileSync(saw, "utf8")).toMatch(new RegExp(`^refs/heads/main ${head} refs/heads/main [0-9a-f]{40}\n$`));
    expect(git(remote, ["rev-parse", "main"]).trim()).toBe(head);
    // An older init's line after the reader is moved first; --uninstall gives the file back.
    const original = `#!/usr/bin/env sh\n# team hook\ncat > '${saw}'\n`;
    const old = `${original}node_modules/.bin/lumenguard scan --pre-push "$@" # lumenguard (added by lumenguard init)\n`;
    writeFileSync(join(dir, ".husky/pre-push"), old);
    expect((await init(dir, ["--husky"], real)).code).toBe(0);
    expect(readFileSync(join(dir, ".husky/pre-push"), "utf8").split("\n")[2]).toContain("lumenguard_refs=$(mktemp)");
    expect((await init(dir, ["--husky", "--uninstall"], real)).code).toBe(0);
    expect(readFileSync(join(dir, ".husky/pre-push"), "utf8")).toBe(original);
  });

  it("husky 4–8 files (shebang, husky.sh line): lumenguard's line goes after them and before the first command", async () => {
    const original = '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n\ngit lfs pre-push "$@"\nnpm test\n';
    const dir = createRepo({ committed: { ".husky/pre-push": original, "package.json": '{ "devDependencies": { "husky": "8.0.3" } }\n' } });
    expect((await init(dir, ["--husky"], real)).code).toBe(0);
    const lines = readFileSync(join(dir, ".husky/pre-push"), "utf8").split("\n");
    expect(lines.slice(0, 3)).toEqual(["#!/usr/bin/env sh", '. "$(dirname -- "$0")/_/husky.sh"', ""]);
    expect(lines[3]).toContain("scan --pre-push");
    expect(lines.slice(4)).toEqual(['git lfs pre-push "$@"', "npm test", ""]);
    await init(dir, ["--husky", "--uninstall"], real);
    expect(readFileSync(join(dir, ".husky/pre-push"), "utf8")).toBe(original);
  });

  it.skipIf(!hasLfs)("with the real `git lfs pre-push \"$@\"` line (git-lfs's advice for husky) already there, a pushed key is blocked", async () => {
    const { dir, remote } = huskyWithRemote('git lfs pre-push "$@"\n');
    git(dir, ["lfs", "install", "--local", "--skip-repo"]);
    expect((await init(dir, ["--husky"], real)).code).toBe(0);
    expect(readFileSync(join(dir, ".husky/pre-push"), "utf8").split("\n")[1]).toBe('git lfs pre-push "$@"');
    commitKey(dir);
    const blocked = push(dir, ["origin", "main"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toContain("s.js:1:6");
    expect(git(remote, ["rev-parse", "main"]).trim()).not.toBe(git(dir, ["rev-parse", "HEAD"]).trim());
  });

  it("a hook whose stdin another command read first (empty stdin while main is ahead) fails closed naming the fix; an up-to-date push and a deletion still pass", () => {
    const { dir, remote } = huskyWithRemote(`cat >/dev/null\n'${process.execPath}' '${bin}' scan --pre-push "$@"\n`);
    // Up to date: git runs the hook with empty stdin, and there is nothing to push.
    const upToDate = push(dir, ["origin", "main"]);
    expect(upToDate.status, upToDate.stderr).toBe(0);
    expect(upToDate.stderr).toContain("Everything up-to-date");
    git(dir, ["push", "-q", "--no-verify", "origin", "main:refs/heads/old"]);
    expect(push(dir, ["origin", ":old"]).status).toBe(0);
    commitKey(dir);
    const blocked = push(dir, ["origin", "main"]);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toContain("git gave the pre-push hook no ref lines");
    expect(blocked.stderr).toMatch(/HEAD has 1 commit \S+srv\.git does not have/);
    expect(blocked.stderr).toContain("put lumenguard's line first");
    expect(remoteHasRef(remote, "refs/heads/main") && git(remote, ["rev-parse", "main"]).trim() === git(dir, ["rev-parse", "HEAD"]).trim()).toBe(false);
    // A branch other than HEAD with commits the remote lacks counts too.
    git(dir, ["checkout", "-q", "-b", "side", "HEAD~1"]);
    git(dir, ["branch", "-f", "main", "side"]);
    git(dir, ["checkout", "-q", "-b", "keyed"]);
    commitKey(dir);
    git(dir, ["checkout", "-q", "main"]);
    const other = push(dir, ["origin", "keyed"]);
    expect(other.status).not.toBe(0);
    expect(other.stderr).toContain("refs/heads/keyed has 1 commit");
    expect(remoteHasRef(remote, "refs/heads/keyed")).toBe(false);
  });
});

describe("lumenguard init: pre-merge-commit, which git runs instead of pre-commit for a merge", () => {
  const husky = join(import.meta.dirname, "../node_modules/husky/bin.js");
  const bin = join(import.meta.dirname, "../bin/lumenguard.js");
  const real = { LUMENGUARD_HOOK_COMMAND: `'${process.execPath}' '${bin}'` };
  const mergeEnv = () => ({ ...withoutGitOverrides(process.env), GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@example.invalid" });
  const merge = (dir: string, branch: string) => spawnSync("git", ["merge", "--no-ff", "-m", `merge ${branch}`, branch], { cwd: dir, env: mergeEnv(), encoding: "utf8" });

  /** `side` adds a key (committed before any hook existed), `clean` adds a clean file. */
  function branches(dir: string): void {
    git(dir, ["checkout", "-q", "-b", "side"]);
    writeFiles(dir, { "s.js": `k = "${makeKey()}"\n` });
    git(dir, ["add", "s.js"]);
    git(dir, ["commit", "-q", "--no-verify", "-m", "key"]);
    git(dir, ["checkout", "-q", "-b", "clean", "main"]);
    writeFiles(dir, { "c.js": "clean\n" });
    git(dir, ["add", "c.js"]);
    git(dir, ["commit", "-q", "--no-verify", "-m", "clean"]);
    git(dir, ["checkout", "-q", "main"]);
  }

  function expectMergeGate(dir: string): void {
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    const blocked = merge(dir, "side");
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain("s.js:1:6");
    expect(git(dir, ["rev-parse", "HEAD"]).trim()).toBe(head);
    git(dir, ["merge", "--abort"]);
    const passed = merge(dir, "clean");
    expect(passed.status, passed.stdout + passed.stderr).toBe(0);
    expect(git(dir, ["log", "-1", "--format=%s"]).trim()).toBe("merge clean");
  }

  it("plain git hooks: a merge that brings a key in is stopped; a clean merge is recorded; --uninstall removes the hook", async () => {
    const dir = plainRepo();
    git(dir, ["branch", "-M", "main"]);
    branches(dir);
    const installed = await init(dir, ["--git-hooks"], real);
    expect(installed.stdout).toMatch(/created +\.git\/hooks\/pre-merge-commit/);
    expect(isExecutable(join(dir, ".git/hooks/pre-merge-commit"))).toBe(true);
    expectMergeGate(dir);
    await init(dir, ["--uninstall"], real);
    expect(existsSync(join(dir, ".git/hooks/pre-merge-commit"))).toBe(false);
  });

  it("a pre-merge-commit hook of the user's is kept and run after lumenguard", async () => {
    const dir = plainRepo();
    git(dir, ["branch", "-M", "main"]);
    branches(dir);
    const ran = join(createDir(), "ran");
    writeFileSync(join(dir, ".git/hooks/pre-merge-commit"), `#!/bin/sh\necho yes > '${ran}'\n`);
    chmodSync(join(dir, ".git/hooks/pre-merge-commit"), 0o755);
    expect((await init(dir, ["--git-hooks"], real)).code).toBe(0);
    expectMergeGate(dir);
    expect(readFileSync(ran, "utf8")).toBe("yes\n");
    await init(dir, ["--uninstall"], real);
    expect(readFileSync(join(dir, ".git/hooks/pre-merge-commit"), "utf8")).toBe(`#!/bin/sh\necho yes > '${ran}'\n`);
  });

  it("husky: .husky/pre-merge-commit stops the merge too, and --uninstall removes it", async () => {
    const dir = createRepo({ committed: { "package.json": '{ "devDependencies": { "husky": "9.1.7" } }\n' } });
    git(dir, ["branch", "-M", "main"]);
    expect(spawnSync(process.execPath, [husky], { cwd: dir, env: withoutGitOverrides(process.env) }).status).toBe(0);
    branches(dir);
    const installed = await init(dir, ["--husky"], real);
    expect(installed.stdout).toMatch(/created +\.husky\/pre-merge-commit/);
    expect(installed.stderr).toBe("");
    expectMergeGate(dir);
    await init(dir, ["--uninstall"], real);
    expect(existsSync(join(dir, ".husky/pre-merge-commit"))).toBe(false);
  });
});

describe("lumenguard init: git must actually run the hooks", () => {
  const husky = join(import.meta.dirname, "../node_modules/husky/bin.js");

  it("husky in a linked worktree: says .husky/_ is missing there and what to run; after `husky` the hook runs", async () => {
    const main = createRepo({ committed: { ".husky/pre-commit": "# team hooks\n", "package.json": '{ "devDependencies": { "husky": "9.1.7" } }\n' } });
    expect(spawnSync(process.execPath, [husky], { cwd: main, env: withoutGitOverrides(process.env) }).status).toBe(0);
    const worktree = join(createDir(), "feature");
    git(main, ["worktree", "add", "-q", "-b", "feature", worktree]);
    expect(existsSync(join(worktree, ".husky/_"))).toBe(false);
    const fake = fakeLumenguard();

    const first = await init(worktree, [], fake.env);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("git will not run these hooks in this checkout: core.hooksPath is .husky/_, and .husky/_ does not exist in this checkout");
    expect(first.stderr).toContain("Run `npx husky` in this checkout.");
    // A second init changes no file, and still says so: "unchanged" is not "active".
    const second = await init(worktree, [], fake.env);
    expect(second.stdout).toMatch(/unchanged +\.husky\/pre-commit/);
    expect(second.stderr).toContain("git will not run these hooks");

    expect(spawnSync(process.execPath, [husky], { cwd: worktree, env: withoutGitOverrides(process.env) }).status).toBe(0);
    expect((await init(worktree, [], fake.env)).stderr).toBe("");
    writeFiles(worktree, { "a.txt": "a\n" });
    git(worktree, ["add", "a.txt"]);
    fake.failWith(1);
    expect(gitStatus(worktree, ["commit", "-q", "-m", "blocked"])).not.toBe(0);
    expect(fake.log()).toContain("args: scan --staged");
  });

  it("plain git hooks: a hook left without its executable bit is named with the chmod to run", async () => {
    const dir = plainRepo();
    await init(dir);
    chmodSync(join(dir, ".git/hooks/pre-push"), 0o644);
    const again = await init(dir);
    expect(again.stderr).toContain(".git/hooks/pre-push is missing or not executable");
    expect(again.stderr).toContain("chmod +x .git/hooks/pre-push");
  });

  it("lefthook: says to run lefthook install until lefthook's hooks are in place", async () => {
    const dir = createRepo({ committed: { "lefthook.yml": "pre-commit:\n  commands: {}\n" } });
    git(dir, ["config", "--unset", "core.hooksPath"]);
    expect((await init(dir)).stderr).toContain("Run `npx lefthook install`.");
  });
});

describe("lumenguard init: output into a closed pipe", () => {
  it("`init --dry-run | head -1` with the real binary exits quietly, 5 times out of 5", () => {
    const dir = plainRepo();
    const bin = join(import.meta.dirname, "../bin/lumenguard.js");
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = spawnSync("/bin/sh", ["-c", `'${process.execPath}' '${bin}' init --dry-run | head -1`], { cwd: dir, env: withoutGitOverrides(process.env), encoding: "utf8" });
      expect(result.stdout).toMatch(/^lumenguard init --dry-run: git hooks in .*\n$/);
      expect(result.stderr).toBe("");
    }
  });
});
