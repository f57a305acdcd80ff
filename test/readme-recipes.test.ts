import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyOfCheckout, npmInstall, packedLumenguard, run, sh } from "./helpers/installs.js";
import { makeKey } from "./helpers/keys.js";
import { root } from "./helpers/process.js";
import { readmeRecipes, recipe } from "./helpers/readme.js";
import { createDir, git, writeFiles } from "./helpers/repo.js";

/**
 * Every recipe in the README, run as written on real installs: lumenguard from the packed
 * tarball, husky, lint-staged and lefthook from npm, Debian's pre-commit. Each commits (and,
 * where the recipe covers it, pushes) a key through the hooks and checks it is stopped, and
 * that a clean commit goes through. The only substitutions are the placeholders a reader
 * replaces as well: the repository URL and the release tag.
 */
const RECIPES = [
  "init",
  "husky-pre-commit",
  "husky-pre-push",
  "lint-staged-config",
  "lint-staged-pre-commit",
  "lefthook",
  "pre-commit-config",
  "pre-commit-install",
  "git-pre-commit",
  "git-pre-push",
  "global-from-git",
  "install-from-git",
  "install-from-tarball",
];

/** Recipes run as written by the test file of their feature. */
const RUN_ELSEWHERE: Record<string, string> = {
  api: "test/install.test.ts",
  "eslint-config": "test/eslint-plugin.test.ts",
  "rotation-config": "test/key-rotation.test.ts",
  "shard-github-actions": "test/shard-recipes.test.ts",
  "shard-gitlab-ci": "test/shard-recipes.test.ts",
  // Type-checked as written in a project that installed the packed tarball without vite or webpack.
  "vite-config": "test/package-types.test.ts",
  "webpack-config": "test/package-types.test.ts",
};

it("the README's recipes are exactly the ones this file runs, and those RUN_ELSEWHERE names", () => {
  expect([...readmeRecipes().keys()].sort()).toEqual([...RECIPES, ...Object.keys(RUN_ELSEWHERE)].sort());
  for (const [name, file] of Object.entries(RUN_ELSEWHERE)) expect(readFileSync(join(root, file), "utf8"), `${file} runs the recipe ${name}`).toContain(`recipe("${name}")`);
});

/** A project with lumenguard (and `tools`) installed from npm, in a git repository with one commit and a bare remote. */
function project(tools: string[] = []): string {
  const dir = join(createDir(), "app");
  mkdirSync(dir);
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["config", "commit.gpgsign", "false"]);
  writeFiles(dir, { "package.json": '{ "name": "app", "private": true }\n', ".gitignore": "node_modules/\n", "README.md": "# app\n" });
  npmInstall(dir, ["-D", packedLumenguard(), ...tools], { CI: "true" });
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "--no-verify", "-m", "initial"]);
  const remote = createDir();
  git(remote, ["init", "-q", "--bare"]);
  git(dir, ["remote", "add", "origin", remote]);
  git(dir, ["push", "-q", "--no-verify", "origin", "main"]);
  return dir;
}

/** Writes a recipe block to a file, creating folders. */
function place(dir: string, path: string, text: string, executable = false): void {
  const file = join(dir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  if (executable) chmodSync(file, 0o755);
}

/** The PATH hooks get here: npm and npx trapped (a recipe must not need them), then the system. */
function hookEnv(): NodeJS.ProcessEnv {
  const traps = join(createDir(), "bin");
  mkdirSync(traps);
  for (const name of ["npm", "npx"]) place(traps, name, `#!/bin/sh\necho "${name} called by a hook: $*" >&2\nexit 99\n`, true);
  return { PATH: `${traps}:${process.env["PATH"] ?? "/usr/bin:/bin"}` };
}

interface Outcome {
  status: number | null;
  output: string;
}

function commitFiles(dir: string, files: Record<string, string>, env: NodeJS.ProcessEnv): Outcome {
  writeFiles(dir, files);
  git(dir, ["add", "--", ...Object.keys(files)]);
  const result = run("git", ["commit", "-m", `add ${Object.keys(files).join(" ")}`], dir, env, 120_000);
  return { status: result.status, output: result.stdout + result.stderr };
}

/** A clean 5-file commit goes through, a key is blocked with lumenguard's finding (never npm's words). */
function expectCommitGate(dir: string, env: NodeJS.ProcessEnv = hookEnv()): void {
  const clean = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`src/clean${n}.ts`, `export const n${n} = ${n};\n`]));
  const passed = commitFiles(dir, clean, env);
  expect(passed.status, passed.output).toBe(0);
  const key = makeKey();
  const blocked = commitFiles(dir, { "src/leak.ts": `export const key = "${key}";\n` }, env);
  expect(blocked.status, blocked.output).not.toBe(0);
  expect(blocked.output).toContain("lumenfall-key");
  expect(blocked.output).not.toContain(key);
  expect(blocked.output).not.toContain("called by a hook");
  git(dir, ["reset", "-q", "--hard", "HEAD"]);
}

/**
 * Files named like lumenguard's options, committed with a key: a hook that passes file names must
 * pass them as paths (after `--`), or `--fail-on=none` switches the gate off, `--version` and
 * `-h` end it early, and `--only-live` sends the key to the API.
 */
const OPTION_NAMES = ["--fail-on=none", "--version", "-h", "--only-live"];

function expectOptionNamedFilesScanned(dir: string, env: NodeJS.ProcessEnv = hookEnv()): void {
  const key = makeKey();
  const files = { ...Object.fromEntries(OPTION_NAMES.map((name) => [name, "nothing here\n"])), "src/app.py": `key = "${key}"\n` };
  const blocked = commitFiles(dir, files, env);
  expect(blocked.status, blocked.output).not.toBe(0);
  expect(blocked.output).toContain("lumenfall-key");
  expect(blocked.output).toContain("src/app.py");
  expect(blocked.output).not.toContain(key);
  git(dir, ["reset", "-q", "--hard", "HEAD"]);
  for (const name of OPTION_NAMES) rmSync(join(dir, name), { force: true });
}

/** A key committed past the hooks is stopped at push: nothing reaches the remote. */
function expectPushGate(dir: string, env: NodeJS.ProcessEnv = hookEnv()): void {
  writeFiles(dir, { "src/pushed.ts": `export const key = "${makeKey()}";\n` });
  git(dir, ["add", "src/pushed.ts"]);
  git(dir, ["commit", "-q", "--no-verify", "-m", "key past the commit hook"]);
  const push = run("git", ["push", "origin", "main"], dir, env, 120_000);
  expect(push.status, push.stdout + push.stderr).not.toBe(0);
  expect(push.stdout + push.stderr).toContain("key-in-history");
  expect(push.stdout + push.stderr).not.toContain("called by a hook");
  const remote = git(dir, ["remote", "get-url", "origin"]).trim();
  expect(git(remote, ["log", "--format=%s", "main"])).not.toContain("key past the commit hook");
}

const husky = (dir: string) => expect(run("node_modules/.bin/husky", [], dir).status).toBe(0);

describe("README recipes, run as written", () => {
  it("init: the install-and-init commands", () => {
    // Installed from the packed tarball (project()), as the install-from-tarball recipe installs it.
    const dir = project();
    const result = sh(recipe("init"), dir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/created +\.git\/hooks\/pre-commit[\s\S]*unchanged +\.git\/hooks\/pre-commit[\s\S]*deleted +\.git\/hooks\/pre-commit/);
    // The last line took the hooks out again: run init once more and use them.
    expect(run("node_modules/.bin/lumenguard", ["init"], dir).status).toBe(0);
    expectCommitGate(dir);
    expectPushGate(dir);
  });

  it("husky: .husky/pre-commit and .husky/pre-push", () => {
    const dir = project(["husky@9.1.7"]);
    husky(dir);
    place(dir, ".husky/pre-commit", recipe("husky-pre-commit"));
    place(dir, ".husky/pre-push", recipe("husky-pre-push"));
    expectCommitGate(dir);
    expectPushGate(dir);
  });

  it("lint-staged: the package.json key and .husky/pre-commit", () => {
    const dir = project(["husky@9.1.7", "lint-staged@16.3.4"]);
    husky(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ ...pkg, ...(JSON.parse(recipe("lint-staged-config")) as object) }, null, 2)}\n`);
    place(dir, ".husky/pre-commit", recipe("lint-staged-pre-commit"));
    // Committed, so that the gates' `git reset --hard` keeps lint-staged's configuration.
    git(dir, ["add", "package.json", ".husky/pre-commit"]);
    git(dir, ["commit", "-q", "--no-verify", "-m", "lint-staged"]);
    expectCommitGate(dir);
    expectOptionNamedFilesScanned(dir);
  });

  it("lefthook: lefthook.yml, then npx lefthook install", () => {
    const dir = project(["lefthook@2.2.1"]);
    place(dir, "lefthook.yml", recipe("lefthook"));
    const install = sh("npx lefthook install", dir);
    expect(install.status, install.stderr).toBe(0);
    expectCommitGate(dir);
    expectPushGate(dir);
  });

  it("plain git hooks: .git/hooks/pre-commit and .git/hooks/pre-push", () => {
    const dir = project();
    place(dir, ".git/hooks/pre-commit", recipe("git-pre-commit"), true);
    place(dir, ".git/hooks/pre-push", recipe("git-pre-push"), true);
    expectCommitGate(dir);
    expectPushGate(dir);
  });
});

/**
 * This repository as a hook repository and an install source: a git repository holding exactly
 * the files of this checkout (so uncommitted work is what gets tested), reached by file:// URL.
 */
function sourceRepository(): { url: string; sha: string } {
  // Not createDir(): that is emptied after each test, and this one serves all of them.
  const dir = join(mkdtempSync(join(tmpdir(), "lumenguard-source-")), "lumenguard");
  afterAll(() => rmSync(dirname(dir), { recursive: true, force: true }));
  mkdirSync(dir);
  copyOfCheckout(dir);
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "--no-verify", "-m", "lumenguard as tested"]);
  git(dir, ["tag", "v0.1.0"]);
  return { url: `file://${dir}`, sha: git(dir, ["rev-parse", "HEAD"]).trim() };
}

const preCommit = spawnSync("pre-commit", ["--version"], { encoding: "utf8" });
const preCommitVersion = preCommit.status === 0 ? preCommit.stdout.trim().replace(/^pre-commit /, "") : null;

describe("README recipes from the git source", () => {
  let source: { url: string; sha: string };
  beforeAll(() => {
    source = sourceRepository();
  });

  it.skipIf(preCommitVersion === null)(
    `pre-commit framework (${preCommitVersion ?? "SKIPPED: pre-commit is not installed; .ci/run installs Debian's"}): rev install, commit, --all-files and push`,
    () => {
      const dir = project();
      const legacyStages = preCommitVersion !== null && /^3\.[01]\./.test(preCommitVersion);
      // The reader's substitutions: the repository URL and the rev; pre-commit before 3.2 spells the stage `push` (README).
      let config = recipe("pre-commit-config").replace("https://github.com/OWNER/lumenguard", source.url).replace("v0.1.0", source.sha);
      if (legacyStages) config = config.replace("stages: [pre-push]", "stages: [push]");
      place(dir, ".pre-commit-config.yaml", config);
      const env = { ...hookEnv(), PRE_COMMIT_HOME: createDir(), PATH: `${process.env["PATH"]}` };
      const install = sh(recipe("pre-commit-install"), dir, env);
      expect(install.status, install.stderr).toBe(0);
      const built = sh("pre-commit install-hooks", dir, env, 540_000);
      expect(built.status, built.stdout + built.stderr).toBe(0);
      expect(built.stdout + built.stderr).not.toContain("deprecated");
      expectCommitGate(dir, env);
      expectOptionNamedFilesScanned(dir, env);

      // A key committed past the hooks, beside files named like options: `pre-commit run --all-files`
      // (pre-commit.ci) finds it through lumenguard-files, the option-named files read as files.
      writeFiles(dir, { "src/old.ts": `export const key = "${makeKey()}";\n`, ...Object.fromEntries(OPTION_NAMES.map((name) => [name, "x\n"])) });
      git(dir, ["add", "--", "src/old.ts", ...OPTION_NAMES]);
      git(dir, ["commit", "-q", "--no-verify", "-m", "key past the commit hook"]);
      const all = sh("pre-commit run --all-files", dir, env, 120_000);
      expect(all.status, all.stdout).not.toBe(0);
      expect(all.stdout).toContain("lumenfall-key");
      expect(all.stdout).toContain("src/old.ts");

      const push = run("git", ["push", "origin", "main"], dir, env, 120_000);
      expect(push.status, push.stdout + push.stderr).not.toBe(0);
      expect(push.stdout + push.stderr).toContain("key-in-history");

      // A push that changes no file (a key only in a commit message) still runs the pushed-commits
      // hook: the manifest says always_run, else the framework shows "(no files to check) Skipped".
      git(dir, ["reset", "-q", "--hard", "HEAD~1"]);
      git(dir, ["commit", "-q", "--no-verify", "--allow-empty", "-m", `debug with ${makeKey()}`]);
      const message = run("git", ["push", "origin", "HEAD:refs/heads/msg"], dir, env, 120_000);
      expect(message.status, message.stdout + message.stderr).not.toBe(0);
      expect(message.stdout + message.stderr).toContain("<commit message>");
    },
    600_000,
  );

  it("global install from git: npm pack of the git source, then npm install -g of the tarball (a prefix in a temp folder)", () => {
    const prefix = createDir();
    const script = recipe("global-from-git").replace("https://github.com/OWNER/lumenguard.git#v0.1.0", `${source.url}#${source.sha}`);
    const result = sh(script, createDir(), { npm_config_prefix: prefix, npm_config_audit: "false", npm_config_fund: "false" }, 540_000);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const version = run(join(prefix, "bin/lumenguard"), ["--version"], createDir());
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  }, 600_000);

  /** npm's warnings and errors in an install's output (npm writes them to stderr as `npm warn …` / `npm error …`). */
  const npmComplaints = (output: string) => output.split("\n").filter((line) => /^npm (warn|error|WARN|ERR)/.test(line));

  it("install-from-git: a project install from the git source builds lumenguard (npm runs the TypeScript build in its temp clone), without warnings", () => {
    const dir = createDir({ "package.json": '{ "name": "p", "private": true }\n' });
    // The one substitution: the repository URL (a copy of this checkout, tagged v0.1.0).
    const script = recipe("install-from-git").replaceAll("https://github.com/OWNER/lumenguard.git", source.url);
    const result = sh(script, dir, { npm_config_audit: "false", npm_config_fund: "false", npm_config_prefer_offline: "true" }, 540_000);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(npmComplaints(result.stderr), result.stderr).toEqual([]);
    expect(existsSync(join(dir, "node_modules/lumenguard/lib/cli.cjs"))).toBe(true);
    expect(run(join(dir, "node_modules/.bin/lumenguard"), ["--version"], dir).status).toBe(0);
  }, 600_000);

  it("install-from-tarball: clone, npm ci and npm pack, then npm install of the tarball: no warnings, and the bin scans", () => {
    const parent = createDir();
    const dir = join(parent, "app");
    mkdirSync(dir);
    writeFiles(dir, { "package.json": '{ "name": "app", "private": true }\n', "src/leak.js": `const key = "${makeKey()}";\n` });
    // The one substitution: the repository URL (a copy of this checkout, tagged v0.1.0).
    const script = recipe("install-from-tarball").replace("https://github.com/OWNER/lumenguard.git", source.url);
    const result = sh(script, dir, { npm_config_audit: "false", npm_config_fund: "false", npm_config_prefer_offline: "true" }, 540_000);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(npmComplaints(result.stderr), result.stderr).toEqual([]);
    const scanned = run(join(dir, "node_modules/.bin/lumenguard"), ["scan", "src"], dir);
    expect(scanned.status, scanned.stdout + scanned.stderr).toBe(1);
    expect(scanned.stdout).toContain("lumenfall-key");
  }, 600_000);
});
