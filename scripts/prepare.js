// npm's "prepare" script: builds lib/ from the TypeScript sources, then sets up this
// repository's own git hooks (husky) when it is a development checkout. npm runs it after
// `npm install` / `npm ci` in a checkout, before `npm pack`, and when it installs lumenguard
// from its git source (`npm install -g git+https://…`, the pre-commit framework's `rev:`).
//
// Installing from git, npm first installs the dev dependencies in a temp clone (pacote's
// `npm install --include=dev`), but under `npm install -g` the parent's global setting leaks
// into that install and they land nowhere, so the build fails with `tsc: not found`. When the
// build tools are missing, this script installs them locally (no save, no scripts) first.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));

function resolves(name) {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

// Settings of the outer install that are wrong for the npm commands run here, in this folder:
// where it installs to, what it leaves out, and the install-script approvals that npm refuses
// in a project-scoped command (--allow-scripts, given for a global install from git).
const OUTER_ONLY = /^npm_config_(global|location|prefix|omit|include|production|only|allow_scripts.*|dangerously_allow_all_scripts|strict_allow_scripts)$/i;
const localEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OUTER_ONLY.test(name)));

/** npm as npm itself was started for this script (npm_execpath), else the one on PATH. */
function npm(args, env = localEnv) {
  const execPath = process.env.npm_execpath;
  const [command, prefix] = execPath ? [process.execPath, [execPath]] : ["npm", []];
  const result = spawnSync(command, [...prefix, ...args], { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!resolves("typescript") || !resolves("esbuild") || !resolves("rolldown")) {
  npm(["install", "--no-save", "--no-package-lock", "--include=dev", "--ignore-scripts", "--no-audit", "--no-fund"]);
}
npm(["run", "build"]);

// This repository's own pre-commit and pre-push hooks, in a development checkout only.
if (resolves("husky")) spawnSync(process.execPath, [require.resolve("husky/bin.js")], { cwd: root, stdio: "inherit" });
