// Measures the README's hook recipes: the wall time of `git commit` of a 5-file change through
// each, median of N commits, all in one run on this machine, beside `git commit --no-verify`
// (git's own cost) and the old `npx lumenguard` hook for contrast. The projects are set up as
// test/readme-recipes.test.ts sets them up: lumenguard from `npm pack` of this checkout (run
// `npm run build` first), husky, lint-staged and lefthook from npm, pre-commit from the system.
//   usage: node scripts/hook-timings.js [commits per recipe, default 15]
// Prints a Markdown table for the README.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const commits = Number(process.argv[2] ?? 15);
const work = mkdtempSync(join(tmpdir(), "lumenguard-hook-timings-"));
const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid", CI: "true", NO_COLOR: "1" };
for (const name of Object.keys(env)) if (name.startsWith("GIT_DIR") || name === "GIT_INDEX_FILE" || name === "GIT_WORK_TREE") delete env[name];

const recipes = new Map();
for (const match of readFileSync(join(root, "README.md"), "utf8").matchAll(/<!-- recipe: ([\w-]+) -->\n```[a-z]*\n([\s\S]*?)```/g)) recipes.set(match[1], match[2]);

const sh = (command, cwd, extra = {}) => execFileSync("/bin/sh", ["-c", command], { cwd, env: { ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
const tarball = join(work, sh(`npm pack --ignore-scripts --silent --pack-destination '${work}'`, root).trim().split("\n").pop());

function project(name, tools = []) {
  const dir = join(work, name);
  mkdirSync(dir);
  sh("git init -q -b main && git config commit.gpgsign false", dir);
  writeFileSync(join(dir, "package.json"), '{ "name": "app", "private": true }\n');
  writeFileSync(join(dir, ".gitignore"), "node_modules/\n");
  sh(`npm install -D --prefer-offline --no-audit --no-fund --loglevel=error '${tarball}' ${tools.join(" ")}`, dir);
  sh("git add -A && git commit -q --no-verify -m initial", dir);
  return dir;
}

function place(dir, path, text, executable = false) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
  if (executable) chmodSync(join(dir, path), 0o755);
}

/** One `git commit` of 5 changed files in `dir`: wall time in seconds. */
function commitOnce(dir, args, round) {
  for (let file = 1; file <= 5; file++) writeFileSync(join(dir, `src${file}.ts`), `export const round${round} = ${file};\n`);
  sh("git add -A", dir);
  const started = process.hrtime.bigint();
  const result = spawnSync("git", ["commit", "-q", ...args, "-m", `round ${round}`], { cwd: dir, env, stdio: "ignore" });
  if (result.status !== 0) throw new Error(`${dir}: commit failed`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

// Set up first, measure after, round-robin: every recipe sees the same load on a shared machine.
const targets = [];
const measure = (label, dir, args = []) => targets.push({ label, dir, args, times: [] });

const bare = project("no-hook");
measure("`git commit --no-verify` (no hook)", bare, ["--no-verify"]);
const plain = project("plain");
place(plain, ".git/hooks/pre-commit", recipes.get("git-pre-commit"), true);
measure("plain git hook (recipe)", plain);

const initDir = project("init");
sh("node_modules/.bin/lumenguard init", initDir);
measure("`lumenguard init` (git hooks)", initDir);

const husky = project("husky", ["husky@9.1.7"]);
sh("node_modules/.bin/husky", husky);
place(husky, ".husky/pre-commit", recipes.get("husky-pre-commit"));
measure("husky (recipe)", husky);

const lintStaged = project("lint-staged", ["husky@9.1.7", "lint-staged@16.3.4"]);
sh("node_modules/.bin/husky", lintStaged);
const pkg = JSON.parse(readFileSync(join(lintStaged, "package.json"), "utf8"));
writeFileSync(join(lintStaged, "package.json"), JSON.stringify({ ...pkg, ...JSON.parse(recipes.get("lint-staged-config")) }, null, 2));
place(lintStaged, ".husky/pre-commit", recipes.get("lint-staged-pre-commit"));
sh("git add -A && git commit -q --no-verify -m config", lintStaged);
measure("lint-staged with husky (recipe)", lintStaged);

const lefthook = project("lefthook", ["lefthook@2.2.1"]);
place(lefthook, "lefthook.yml", recipes.get("lefthook"));
sh("npx lefthook install", lefthook);
measure("lefthook (recipe)", lefthook);

if (spawnSync("pre-commit", ["--version"]).status === 0) {
  const source = join(work, "source");
  mkdirSync(source);
  for (const file of sh("git ls-files --cached --others --exclude-standard", root).split("\n").filter(Boolean)) {
    try {
      cpSync(join(root, file), join(source, file));
    } catch {
      // listed but deleted in the work tree
    }
  }
  sh("git init -q -b main && git add -A && git commit -q --no-verify -m source", source);
  const sha = sh("git rev-parse HEAD", source).trim();
  const framework = project("pre-commit");
  const config = recipes.get("pre-commit-config").replace("https://github.com/OWNER/lumenguard", `file://${source}`).replace("v0.1.0", sha).replace("stages: [pre-push]", "stages: [push]");
  place(framework, ".pre-commit-config.yaml", config);
  const home = { PRE_COMMIT_HOME: join(work, "pre-commit-home") };
  sh(recipes.get("pre-commit-install"), framework, home);
  sh("pre-commit install-hooks", framework, home);
  sh("git add -A && git commit -q --no-verify -m config", framework);
  Object.assign(env, home);
  measure(`pre-commit framework ${spawnSync("pre-commit", ["--version"], { encoding: "utf8" }).stdout.trim().replace("pre-commit ", "")} (recipe, lumenguard-files)`, framework);
}

const npx = project("npx");
place(npx, ".git/hooks/pre-commit", "#!/bin/sh\nexec npx --no-install lumenguard scan --staged\n", true);
measure("for contrast: a hook running `npx --no-install lumenguard`", npx);

const median = (times) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
const node = [];
for (let round = 0; round < commits; round++) {
  for (const target of targets) target.times.push(commitOnce(target.dir, target.args, round));
  const started = process.hrtime.bigint();
  spawnSync(process.execPath, ["-e", "0"]);
  node.push(Number(process.hrtime.bigint() - started) / 1e9);
}
const rows = targets.map((target) => [target.label, median(target.times)]);
rows.push(["for reference: `node -e 0`", median(node)]);

console.log(`| per commit (5 files), median of ${commits} | seconds |`);
console.log("|---|---|");
for (const [label, seconds] of rows) console.log(`| ${label} | ${seconds.toFixed(3)} |`);
rmSync(work, { recursive: true, force: true });
