import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { hookScript } from "../src/install/install-git-hooks.js";
import { runCli } from "./helpers/cli.js";
import { lumenguard } from "./helpers/process.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * git runs hooks from whatever folder core.hooksPath names, and any config scope may name it: a
 * repository's own `.git/config` (a downloaded archive brings its own), the user's global config
 * (a `~/.githooks` every repository shares), `git -c`. `lumenguard init` writes hooks only in a
 * hooks folder inside the repository (its work tree or git directory, links resolved); for any
 * other it exits 2, names the folder and the config file that set it, prints the hook lines to
 * add by hand and the command that stops using the folder — and changes nothing at all.
 */

/** Every entry under `dir`: a link as its target, a file as its mode and bytes. */
function tree(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const stats = lstatSync(path);
      const key = relative(dir, path);
      if (stats.isSymbolicLink()) entries[key] = `link -> ${readlinkSync(path)}`;
      else if (stats.isDirectory()) {
        entries[key] = "dir";
        walk(path);
      } else entries[key] = `${(stats.mode & 0o777).toString(8)} ${readFileSync(path, "base64")}`;
    }
  };
  walk(dir);
  return entries;
}

const USER_PRE_COMMIT = '#!/bin/sh\necho "I am the pre-commit framework CLI"\n';

/** A folder outside every repository holding executables (a `~/bin`, a shared `~/.githooks`). */
function outsideFolder(): string {
  const dir = createDir({ "pre-commit": USER_PRE_COMMIT, "pre-push": "#!/bin/sh\necho user pre-push\n" });
  chmodSync(join(dir, "pre-commit"), 0o755);
  chmodSync(join(dir, "pre-push"), 0o755);
  return dir;
}

/** A repository with hooks in .git/hooks (createRepo points core.hooksPath elsewhere). */
function plainRepo(): string {
  const dir = createRepo({ committed: { "README.md": "hello\n" } });
  git(dir, ["config", "--unset", "core.hooksPath"]);
  return dir;
}

const init = (cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) => runCli(["init", ...args], { cwd, env });

/** Runs init and checks it is refused with nothing changed in `folders`. */
async function refused(cwd: string, args: string[], env: NodeJS.ProcessEnv, folders: string[]): Promise<string> {
  const before = folders.map(tree);
  const { code, stdout, stderr } = await init(cwd, args, env);
  expect(code, stderr).toBe(2);
  expect(stdout).toBe("");
  expect(folders.map(tree)).toEqual(before);
  return stderr;
}

describe("init never writes in a hooks folder outside the repository", () => {
  it("the attack as reported, with the real binary: the repository's own config names a bin folder; exit 2, the folder and .git/config named, nothing changed", () => {
    const bin = outsideFolder();
    const dir = plainRepo();
    git(dir, ["config", "core.hooksPath", bin]);
    const before = [tree(bin), tree(dir)];
    const run = lumenguard(["init"], dir);
    expect(run.status, run.stderr).toBe(2);
    expect([tree(bin), tree(dir)]).toEqual(before);
    // The user's pre-commit CLI still answers as itself.
    expect(spawnSync(join(bin, "pre-commit"), { encoding: "utf8" }).stdout).toBe("I am the pre-commit framework CLI\n");
    expect(run.stderr).toContain(`git runs this repository's hooks from ${bin}, which is outside the repository`);
    expect(run.stderr).toContain(`core.hooksPath is set in ${join(dir, ".git/config")} (local config)`);
    expect(run.stderr).toContain("Or stop using that folder in this repository: `git config --unset core.hooksPath`");
    expect(run.stderr).toMatch(/^ {2}pre-commit: .*"\$lumenguard_bin" scan --staged$/m);
    expect(run.stderr).toMatch(/^ {2}pre-push: .*"\$lumenguard_bin" scan --pre-push "\$@"$/m);
  });

  it("local scope: the printed hook line works when the user adds it; the printed command makes init work in .git/hooks", async () => {
    const bin = outsideFolder();
    const dir = plainRepo();
    git(dir, ["config", "core.hooksPath", bin]);
    const fake = createDir();
    const log = join(fake, "calls.log");
    const env = { LUMENGUARD_HOOK_COMMAND: `sh -c 'echo "$*" >> ${log}' lumenguard` };
    const stderr = await refused(dir, [], env, [bin, dir]);
    // What the message tells the user to do with that folder, done by hand, runs the scan.
    const line = /^ {2}pre-commit: (.*)$/m.exec(stderr)![1]!;
    writeFileSync(join(bin, "pre-commit"), `#!/bin/sh\n${line}\n`);
    writeFiles(dir, { "a.txt": "a\n" });
    git(dir, ["add", "a.txt"]);
    git(dir, ["commit", "-q", "-m", "a"]);
    expect(readFileSync(log, "utf8")).toBe("scan --staged\n");
    // The other way: stop using the folder in this repository, as printed.
    writeFileSync(join(bin, "pre-commit"), USER_PRE_COMMIT);
    const binBefore = tree(bin);
    git(dir, ["config", "--unset", "core.hooksPath"]);
    expect((await init(dir, [], env)).code).toBe(0);
    expect(existsSync(join(dir, ".git/hooks/pre-commit"))).toBe(true);
    expect(tree(bin)).toEqual(binBefore);
  });

  it("global scope (~/.githooks shared by every repository): exit 2 naming the global config; the printed per-repository setting makes init work", async () => {
    const home = createDir();
    const shared = join(home, ".githooks");
    mkdirSync(shared);
    writeFileSync(join(shared, "pre-commit"), USER_PRE_COMMIT, { mode: 0o755 });
    writeFileSync(join(home, ".gitconfig"), "[core]\n\thooksPath = ~/.githooks\n");
    const env = { HOME: home, GIT_CONFIG_GLOBAL: join(home, ".gitconfig"), GIT_CONFIG_NOSYSTEM: "1" };
    const dir = plainRepo();
    for (const args of [[], ["--git-hooks"], ["--dry-run"], ["--uninstall"], ["--uninstall", "--git-hooks"]]) {
      const stderr = await refused(dir, args, env, [home, dir]);
      expect(stderr).toContain(`hooks from ${shared}, which is outside the repository`);
      expect(stderr).toContain(`core.hooksPath is set in ${join(home, ".gitconfig")} (global config)`);
      expect(stderr).toContain(`git config core.hooksPath ${join(dir, ".git/hooks")}`);
    }
    git(dir, ["config", "core.hooksPath", join(dir, ".git/hooks")], env);
    const homeBefore = tree(home);
    expect((await init(dir, [], env)).code).toBe(0);
    expect(existsSync(join(dir, ".git/hooks/pre-commit"))).toBe(true);
    expect(tree(home)).toEqual(homeBefore);
  });

  it("a file the repository's config includes is named as the origin, and the fix is a local setting (--unset would not reach it)", async () => {
    const bin = outsideFolder();
    const dir = plainRepo();
    const included = join(createDir(), "included.gitconfig");
    writeFileSync(included, `[core]\n\thooksPath = ${bin}\n`);
    git(dir, ["config", "include.path", included]);
    const stderr = await refused(dir, [], {}, [bin, dir]);
    expect(stderr).toContain(`core.hooksPath is set in ${included} (local config)`);
    expect(stderr).toContain(`git config core.hooksPath ${join(dir, ".git/hooks")}`);
  });

  it("command-line scope (GIT_CONFIG_COUNT in the environment): exit 2 saying so", async () => {
    const bin = outsideFolder();
    const dir = plainRepo();
    const env = { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.hooksPath", GIT_CONFIG_VALUE_0: bin };
    const stderr = await refused(dir, [], env, [bin, dir]);
    expect(stderr).toContain("core.hooksPath is set on the command line");
    expect(stderr).toContain("Or make git use a hooks folder inside the repository");
  });

  it("a link inside the repository that leads out is judged by where it leads: core.hooksPath = .githooks -> outside, a dangling one, or .git/hooks itself a link", async () => {
    const bin = outsideFolder();
    const linked = plainRepo();
    symlinkSync(bin, join(linked, ".githooks"));
    git(linked, ["config", "core.hooksPath", ".githooks"]);
    const stderr = await refused(linked, [], {}, [bin, linked]);
    expect(stderr).toContain(`hooks from ${join(linked, ".githooks")} (through a symbolic link: ${realpathSync(bin)}), which is outside the repository`);

    const dangling = plainRepo();
    symlinkSync(join(bin, "not-yet"), join(dangling, ".githooks"));
    git(dangling, ["config", "core.hooksPath", ".githooks/deeper"]);
    expect(await refused(dangling, [], {}, [bin, dangling])).toContain(`(through a symbolic link: ${join(realpathSync(bin), "not-yet", "deeper")})`);
    expect(existsSync(join(bin, "not-yet"))).toBe(false);

    const gitHooksLink = plainRepo();
    const elsewhere = outsideFolder();
    const hooks = join(gitHooksLink, ".git/hooks");
    rmSync(hooks, { recursive: true, force: true });
    symlinkSync(elsewhere, hooks);
    const message = await refused(gitHooksLink, [], {}, [elsewhere, gitHooksLink]);
    expect(message).toContain("core.hooksPath is not set; the default hooks folder is a symbolic link that leads out of the repository");
  });

  it("husky: a core.hooksPath at a .husky/_ outside the repository is refused for install and uninstall", async () => {
    const outside = createDir({ ".husky/pre-commit": "npm test\n", ".husky/_/h": "x\n" });
    const dir = plainRepo();
    git(dir, ["config", "core.hooksPath", join(outside, ".husky/_")]);
    for (const args of [[], ["--husky"], ["--uninstall"], ["--uninstall", "--husky"]]) {
      expect(await refused(dir, args, {}, [outside, dir])).toContain(`hooks from ${join(outside, ".husky")}, which is outside the repository`);
    }
  });

  it("--uninstall leaves a hook of ours in an outside folder alone (exit 2, how to remove it by hand); --uninstall --lefthook still works", async () => {
    const bin = outsideFolder();
    const dir = plainRepo();
    // What an older lumenguard left there: its hook, and the user's kept beside it.
    writeFileSync(join(bin, "pre-commit.lumenguard-chained"), readFileSync(join(bin, "pre-commit")), { mode: 0o755 });
    writeFileSync(join(bin, "pre-commit"), hookScript("pre-commit", { kind: "command", command: "lumenguard" }, true), { mode: 0o755 });
    git(dir, ["config", "core.hooksPath", bin]);
    const stderr = await refused(dir, ["--uninstall"], {}, [bin, dir]);
    expect(stderr).toContain("init --uninstall changed nothing");
    expect(stderr).toContain("<name>.lumenguard-chained: rename it back");
    expect(stderr).toContain("`git config --unset core.hooksPath`");
    const lefthook = await init(dir, ["--uninstall", "--lefthook"]);
    expect(lefthook.code, lefthook.stderr).toBe(0);
  });

  it("a hooks folder inside the repository named through a link above it (macOS's /tmp) is still inside: git hooks and husky", async () => {
    const real = createDir();
    const link = join(createDir(), "link");
    symlinkSync(real, link);
    git(real, ["init", "-q", "-b", "main", "app"]);
    const dir = join(real, "app");
    git(dir, ["config", "core.hooksPath", join(link, "app/tools/hooks")]);
    const plain = await init(dir, [], { LUMENGUARD_HOOK_COMMAND: "lumenguard" });
    expect(plain.code, plain.stderr).toBe(0);
    expect(existsSync(join(dir, "tools/hooks/pre-commit"))).toBe(true);
    git(dir, ["config", "core.hooksPath", join(link, "app/.husky/_")]);
    const husky = await init(dir, ["--husky"], { LUMENGUARD_HOOK_COMMAND: "lumenguard" });
    expect(husky.code, husky.stderr).toBe(0);
    expect(readFileSync(join(dir, ".husky/pre-commit"), "utf8")).toContain("lumenguard scan --staged");
  });

  it("lefthook writes only lefthook.yml at the top of the work tree, so an outside core.hooksPath does not stop it", async () => {
    const bin = outsideFolder();
    const dir = plainRepo();
    writeFiles(dir, { "lefthook.yml": "pre-commit:\n  commands: {}\n" });
    git(dir, ["config", "core.hooksPath", bin]);
    const before = tree(bin);
    const { code, stderr } = await init(dir, [], { LUMENGUARD_HOOK_COMMAND: "lumenguard" });
    expect(code, stderr).toBe(0);
    expect(readFileSync(join(dir, "lefthook.yml"), "utf8")).toContain("lumenguard");
    expect(tree(bin)).toEqual(before);
  });
});

describe("init --server writes only into the bare repository's own hooks folder", () => {
  function bareRepo(): string {
    const base = createDir();
    const path = join(base, "r.git");
    git(base, ["init", "-q", "--bare", path]);
    return path;
  }
  const server = (cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) => runCli(["init", "--server", ...args], { cwd, env });

  /** Runs init --server and checks it is refused with nothing changed in `folders` (the repository's config included). */
  async function serverRefused(cwd: string, args: string[], env: NodeJS.ProcessEnv, folders: string[], code = 2): Promise<string> {
    const before = folders.map(tree);
    const run = await server(cwd, args, env);
    expect(run.code, run.stderr).toBe(code);
    expect(folders.map(tree)).toEqual(before);
    return run.stderr;
  }

  it("the repository's own core.hooksPath names a shared folder: exit 2 naming it and the config file, nothing changed; unset, init --server works", async () => {
    const shared = createDir({ "pre-receive": "#!/bin/sh\necho hosting service hook\n" });
    const repo = bareRepo();
    git(repo, ["config", "core.hooksPath", shared]);
    for (const args of [[], ["--uninstall"], ["--dry-run"]]) {
      const stderr = await serverRefused(repo, args, {}, [shared, repo]);
      expect(stderr).toContain(`hooks from ${shared}, which is outside the repository (${repo}); core.hooksPath is set in ${join(repo, "config")} (local config)`);
      expect(stderr).toContain("`git config --unset core.hooksPath`");
    }
    expect(await serverRefused(repo, [], { LUMENGUARD_HOOK_COMMAND: "lumenguard" }, [shared, repo])).toContain("\n  NODE_OPTIONS=--max-old-space-size=256 lumenguard scan --pre-receive\n");
    git(repo, ["config", "--unset", "core.hooksPath"]);
    const sharedBefore = tree(shared);
    expect((await server(repo)).code).toBe(0);
    expect(readFileSync(join(repo, "hooks/pre-receive"), "utf8")).toContain("scan --pre-receive");
    expect(tree(shared)).toEqual(sharedBefore);
  });

  it("a global core.hooksPath: exit 2 naming the global config and the per-repository setting that fixes it", async () => {
    const home = createDir({ "hooks/pre-receive": "#!/bin/sh\nexit 0\n", ".gitconfig": "[core]\n\thooksPath = ~/hooks\n" });
    const env = { HOME: home, GIT_CONFIG_GLOBAL: join(home, ".gitconfig"), GIT_CONFIG_NOSYSTEM: "1" };
    const repo = bareRepo();
    const stderr = await serverRefused(repo, [], env, [home, repo]);
    expect(stderr).toContain(`core.hooksPath is set in ${join(home, ".gitconfig")} (global config)`);
    expect(stderr).toContain(`\`git config core.hooksPath ${join(repo, "hooks")}\``);
    git(repo, ["config", "core.hooksPath", join(repo, "hooks")], env);
    const homeBefore = tree(home);
    expect((await server(repo, [], env)).code).toBe(0);
    expect(readFileSync(join(repo, "hooks/pre-receive"), "utf8")).toContain("scan --pre-receive");
    expect(tree(home)).toEqual(homeBefore);
  });

  it("a hooks folder that is a link out of the repository is refused; a pre-receive hook that is a link is moved aside by rename, never written through, and comes back", async () => {
    const outside = createDir({ "policy.sh": "#!/bin/sh\necho policy\n" });
    const linked = bareRepo();
    rmSync(join(linked, "hooks"), { recursive: true, force: true });
    symlinkSync(outside, join(linked, "hooks"));
    // git itself resolves the link here (rev-parse --path-format=absolute): the message names where it leads.
    expect(await serverRefused(linked, [], {}, [outside, linked])).toContain(`hooks from ${realpathSync(outside)}, which is outside the repository (${linked}); core.hooksPath is not set; the default hooks folder is a symbolic link`);

    const repo = bareRepo();
    symlinkSync(join(outside, "policy.sh"), join(repo, "hooks/pre-receive"));
    const outsideBefore = tree(outside);
    const install = await server(repo);
    expect(install.code, install.stderr).toBe(0);
    expect(readlinkSync(join(repo, "hooks/pre-receive.before-lumenguard"))).toBe(join(outside, "policy.sh"));
    expect(lstatSync(join(repo, "hooks/pre-receive")).isFile()).toBe(true);
    expect(tree(outside)).toEqual(outsideBefore);
    expect((await server(repo, ["--uninstall"])).code).toBe(0);
    expect(readlinkSync(join(repo, "hooks/pre-receive"))).toBe(join(outside, "policy.sh"));
    expect(existsSync(join(repo, "hooks/pre-receive.before-lumenguard"))).toBe(false);
    expect(tree(outside)).toEqual(outsideBefore);
  });

  it("the repository's own hooks folder named through a link above it is still its own", async () => {
    const real = createDir();
    const link = join(createDir(), "link");
    symlinkSync(real, link);
    git(real, ["init", "-q", "--bare", "r.git"]);
    const repo = join(real, "r.git");
    git(repo, ["config", "core.hooksPath", join(link, "r.git/hooks")]);
    const run = await server(repo);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(repo, "hooks/pre-receive"), "utf8")).toContain("scan --pre-receive");
  });

  it("a hook is never overwritten or put where it no longer runs: pre-receive.before-lumenguard taken, or another program's pre-receive.d/lumenguard, is exit 3 with nothing changed", async () => {
    const repo = bareRepo();
    writeFiles(repo, { "hooks/pre-receive": "#!/bin/sh\necho new policy\n", "hooks/pre-receive.before-lumenguard": "#!/bin/sh\necho old policy\n" });
    const stderr = await serverRefused(repo, [], {}, [repo], 3);
    expect(stderr).toContain(`init --server changed nothing: ${join(repo, "hooks/pre-receive.before-lumenguard")} is already there`);

    const dropIn = bareRepo();
    writeFiles(dropIn, { "hooks/pre-receive.d/lumenguard": "#!/bin/sh\necho another program\n" });
    expect(await serverRefused(dropIn, [], {}, [dropIn], 3)).toContain(`${join(dropIn, "hooks/pre-receive.d/lumenguard")} is not lumenguard's`);
  });
});
