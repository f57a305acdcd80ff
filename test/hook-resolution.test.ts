import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { packedLumenguard, npmInstall, pathWithoutNode, run, trapNpm } from "./helpers/installs.js";
import { makeKey } from "./helpers/keys.js";
import { root } from "./helpers/process.js";
import { createDir, git, writeFiles } from "./helpers/repo.js";

/**
 * Which lumenguard the installed hooks run, on real installs of the packed package: a package
 * folder of a larger repository, a fresh clone, node_modules removed, a global install, and
 * `node` missing from the PATH git gives hooks. Every commit runs with fake `npm` and `npx`
 * first on PATH that log and fail: a hook must never reach for them (or the registry).
 */
const husky = join(root, "node_modules/husky/bin.js");

interface Commit {
  status: number | null;
  output: string;
}

function commit(dir: string, message: string, env: NodeJS.ProcessEnv): Commit {
  const result = run("git", ["commit", "-q", "-m", message], dir, env);
  return { status: result.status, output: result.stdout + result.stderr };
}

/** A repository with one commit; `node_modules` ignored as every project does. */
function newRepo(parent: string, name = "r"): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["config", "commit.gpgsign", "false"]);
  writeFiles(dir, { "README.md": "x\n", ".gitignore": "node_modules/\n" });
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "initial"]);
  return dir;
}

/** The PATH for commits: npm and npx traps first, then the system (node is in /usr/bin here). */
function commitEnv(trapLog: string, extraPath = ""): NodeJS.ProcessEnv {
  return { PATH: [trapNpm(trapLog), extraPath, "/usr/bin", "/bin"].filter(Boolean).join(":"), HOME: createDir() };
}

function stageKey(dir: string, path: string): string {
  const key = makeKey();
  writeFiles(dir, { [path]: `export const k = "${key}";\n` });
  git(dir, ["add", "--", path]);
  return key;
}

function expectBlockedByFinding(result: Commit, key: string): void {
  expect(result.status).not.toBe(0);
  expect(result.output).toContain("lumenfall-key");
  expect(result.output).not.toContain(key);
}

function expectFailedClosed(result: Commit, install: string): void {
  expect(result.status).not.toBe(0);
  expect(result.output).toContain("lumenguard: the pre-commit hook cannot find lumenguard");
  expect(result.output).toContain(`Install it: ${install}.`);
  expect(result.output).toContain("git commit --no-verify");
  expect(result.output).not.toMatch(/npm (error|ERR)/);
}

describe("hooks find the lumenguard init ran from, then PATH, and never npm", () => {
  it("init from a package folder of a larger repository (plain git hooks): blocks a key, passes a clean commit", () => {
    const repo = newRepo(createDir());
    const web = join(repo, "packages/web");
    writeFiles(web, { "package.json": '{ "name": "web", "private": true }\n' });
    npmInstall(web, ["-D", packedLumenguard()]);
    expect(run(join(web, "node_modules/.bin/lumenguard"), ["init"], web).status).toBe(0);
    const hook = readFileSync(join(repo, ".git/hooks/pre-commit"), "utf8");
    expect(hook).toContain("packages/web/node_modules/.bin/lumenguard");
    expect(hook).not.toContain("npx");

    const log = join(createDir(), "npm-calls.log");
    writeFiles(repo, { "ok.txt": "ok\n" });
    git(repo, ["add", "ok.txt"]);
    expect(commit(repo, "clean", commitEnv(log)).status).toBe(0);
    const key = stageKey(repo, "packages/web/a.js");
    expectBlockedByFinding(commit(repo, "leak", commitEnv(log)), key);
    expect(existsSync(log)).toBe(false);
  });

  it("husky files name the package's copy relative to the root; a fresh clone fails closed until npm install there", () => {
    const parent = createDir();
    const repo = newRepo(parent);
    expect(run(process.execPath, [husky], repo).status).toBe(0);
    const web = join(repo, "packages/web");
    writeFiles(web, { "package.json": '{ "name": "web", "private": true }\n' });
    npmInstall(web, ["-D", packedLumenguard()]);
    expect(run(join(web, "node_modules/.bin/lumenguard"), ["init"], web).status).toBe(0);
    const line = readFileSync(join(repo, ".husky/pre-commit"), "utf8");
    expect(line).toContain("for lumenguard_try in packages/web/node_modules/.bin/lumenguard node_modules/.bin/lumenguard ");
    expect(line).not.toContain(parent);
    git(repo, ["add", "-A"]);
    git(repo, ["commit", "-q", "--no-verify", "-m", "lumenguard hooks"]);

    // Another clone, another place: husky set up, node_modules not installed yet.
    git(parent, ["clone", "-q", repo, "clone"]);
    const clone = join(parent, "clone");
    git(clone, ["config", "commit.gpgsign", "false"]);
    expect(run(process.execPath, [husky], clone).status).toBe(0);
    const log = join(createDir(), "npm-calls.log");
    const key = stageKey(clone, "packages/web/a.js");
    expectFailedClosed(commit(clone, "leak", commitEnv(log)), "cd packages/web && npm install");
    npmInstall(join(clone, "packages/web"), []);
    expectBlockedByFinding(commit(clone, "leak", commitEnv(log)), key);
    expect(existsSync(log)).toBe(false);
  });

  it("node_modules removed: the commit is blocked at once with lumenguard's own message, never npm's", () => {
    const repo = newRepo(createDir());
    writeFiles(repo, { "package.json": '{ "name": "app", "private": true }\n' });
    npmInstall(repo, ["-D", packedLumenguard()]);
    expect(run(join(repo, "node_modules/.bin/lumenguard"), ["init"], repo).status).toBe(0);
    rmSync(join(repo, "node_modules"), { recursive: true });
    writeFiles(repo, { "ok.txt": "ok\n" });
    git(repo, ["add", "ok.txt"]);
    const log = join(createDir(), "npm-calls.log");
    const blocked = commit(repo, "ok", commitEnv(log));
    expectFailedClosed(blocked, "npm install");
    expect(blocked.output).toContain("node_modules/.bin/lumenguard, lumenguard on PATH");
    expect(existsSync(log)).toBe(false);
  });

  it("installed from a tarball without saving it in package.json: the hook names that tarball, never the registry's `lumenguard`", () => {
    const repo = newRepo(createDir());
    writeFiles(repo, { "package.json": '{ "name": "app", "private": true }\n' });
    const tarball = packedLumenguard();
    npmInstall(repo, ["--no-save", tarball]);
    expect(run(join(repo, "node_modules/.bin/lumenguard"), ["init"], repo).status).toBe(0);
    rmSync(join(repo, "node_modules"), { recursive: true });
    writeFiles(repo, { "ok.txt": "ok\n" });
    git(repo, ["add", "ok.txt"]);
    const log = join(createDir(), "npm-calls.log");
    const blocked = commit(repo, "ok", commitEnv(log));
    expect(blocked.status).not.toBe(0);
    expect(blocked.output).toContain("lumenguard: the pre-commit hook cannot find lumenguard");
    expect(blocked.output).toMatch(new RegExp(`Install it: npm install --save-dev '?[^ ]*${basename(tarball).replace(/\./g, "\\.")}'?\\. `));
    expect(blocked.output).not.toContain("npm install --save-dev lumenguard");
    expect(existsSync(log)).toBe(false);
  });

  it("a global install (npm -g): .git/hooks keep its absolute path; committed husky lines find it on PATH or fail closed", () => {
    const prefix = createDir();
    npmInstall(createDir(), ["-g", "--prefix", prefix, packedLumenguard()]);
    const globalBin = join(prefix, "bin/lumenguard");
    const log = join(createDir(), "npm-calls.log");

    const plain = newRepo(createDir());
    expect(run(globalBin, ["init"], plain).status).toBe(0);
    expect(readFileSync(join(plain, ".git/hooks/pre-commit"), "utf8")).toContain(join(prefix, "lib/node_modules/lumenguard/bin/lumenguard.js"));
    const key = stageKey(plain, "a.js");
    expectBlockedByFinding(commit(plain, "leak", commitEnv(log)), key);

    const withHusky = newRepo(createDir());
    expect(run(process.execPath, [husky], withHusky).status).toBe(0);
    expect(run(globalBin, ["init"], withHusky).status).toBe(0);
    expect(readFileSync(join(withHusky, ".husky/pre-commit"), "utf8")).not.toContain(prefix);
    const key2 = stageKey(withHusky, "a.js");
    expectBlockedByFinding(commit(withHusky, "leak", commitEnv(log, join(prefix, "bin"))), key2);
    const notFound = commit(withHusky, "leak", commitEnv(log));
    expectFailedClosed(notFound, "from lumenguard's git repository or a tarball packed from it, as its README (Install) shows; not `npm install lumenguard`: the npm registry's package of that name is not this one");
    // Never the registry's package of that name, which is not this one.
    expect(notFound.output).not.toContain("npm install --save-dev lumenguard");
    expect(existsSync(log)).toBe(false);
  });

  it.each(["git-hooks", "husky"])("node missing from the hook's PATH (%s): says so; ~/.config/husky/init.sh that sets PATH makes it run", (manager) => {
    const repo = newRepo(createDir());
    writeFiles(repo, { "package.json": '{ "name": "app", "private": true }\n' });
    npmInstall(repo, ["-D", packedLumenguard()]);
    if (manager === "husky") expect(run(process.execPath, [husky], repo).status).toBe(0);
    expect(run(join(repo, "node_modules/.bin/lumenguard"), ["init", `--${manager}`], repo).status).toBe(0);
    const key = stageKey(repo, "a.js");
    const home = createDir();
    const env = { PATH: pathWithoutNode(), HOME: home };
    const blocked = commit(repo, "leak", env);
    expect(blocked.status).not.toBe(0);
    expect(blocked.output).toContain("node is not on the PATH git gave this hook (PATH=");
    expect(blocked.output).toContain("~/.config/husky/init.sh");
    expect(blocked.output).toContain("git commit --no-verify");

    mkdirSync(join(home, ".config/husky"), { recursive: true });
    writeFileSync(join(home, ".config/husky/init.sh"), `export PATH="${join(process.execPath, "..")}:$PATH"\n`);
    expectBlockedByFinding(commit(repo, "leak", env), key);
  });
});
