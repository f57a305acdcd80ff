import { existsSync, lstatSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CliIO } from "../cli/io.js";
import { shellQuote, writeFileAtomic } from "../files.js";
import { runGit } from "../git/run-git.js";
import { SERVER_CONFIG_NAME } from "./server-config.js";

/**
 * `lumenguard init --server [--server-config FILE] [--uninstall] [--dry-run]`, run in a
 * repository on a git server (usually bare): installs the pre-receive hook that runs
 * `lumenguard scan --pre-receive`, turns on `receive.advertisePushOptions` (so pushers can give
 * a bypass reason with `git push -o`), and writes a starter `lumenguard-server.json` when there
 * is none. Where the hooks folder has a `pre-receive.d/` (Gitea and Forgejo run every script in
 * it after their own hook), the hook goes there; otherwise it is `hooks/pre-receive`, and a
 * pre-receive hook already there keeps running first (moved to `pre-receive.before-lumenguard`
 * and fed the same standard input). Idempotent; `--uninstall` puts back what was there.
 */
export interface InitServerFlags {
  uninstall?: boolean;
  "dry-run"?: boolean;
  "server-config"?: string;
}

const MARKER = "# lumenguard: server-side push protection";
const CHAINED = "pre-receive.before-lumenguard";
/** Heap limit of one hook run, in MiB: a server runs many pushes at once (peak RSS measured in test/pre-receive.test.ts). */
export const HOOK_HEAP_MIB = 256;

export async function initServerCommand(paths: string[], flags: InitServerFlags, io: CliIO): Promise<number> {
  const say = (text: string) => io.stdout.write(`${text}\n`);
  if (paths.length > 0) {
    io.stderr.write(`lumenguard: init --server sets up the repository it runs in; it takes no paths (got "${paths[0]}").\n`);
    return 2;
  }
  const hooks = runGit(["rev-parse", "--path-format=absolute", "--git-path", "hooks"], io.cwd, io.env);
  if (hooks.status !== 0) {
    io.stderr.write(`lumenguard: init --server needs a git repository: ${hooks.stderr}\n`);
    return 3;
  }
  const hooksDir = hooks.stdout.toString("utf8").trim();
  const gitDir = runGit(["rev-parse", "--absolute-git-dir"], io.cwd, io.env).stdout.toString("utf8").trim();
  const dryRun = flags["dry-run"] ?? false;
  const plan = flags.uninstall ? planUninstall(hooksDir) : planInstall(hooksDir, gitDir, flags, io.env);
  for (const step of plan) {
    say(`  ${dryRun ? `would ${step.verb}` : step.verb.padEnd(9)} ${step.what}`);
    if (!dryRun) step.apply(io);
  }
  if (plan.length === 0) say(flags.uninstall ? "Nothing to remove: lumenguard's pre-receive hook is not installed here." : "Already set up: nothing to change.");
  if (dryRun) say("Dry run: nothing was changed.");
  else if (!flags.uninstall) say("Pushes to this repository are now scanned. Try one: a push of a commit holding a key is rejected with the key's identity and how to remove it.");
  return 0;
}

interface Step {
  verb: string;
  what: string;
  apply(io: CliIO): void;
}

function planInstall(hooksDir: string, gitDir: string, flags: InitServerFlags, env: NodeJS.ProcessEnv): Step[] {
  const steps: Step[] = [];
  const dropIn = join(hooksDir, "pre-receive.d");
  const hookFile = isFolder(dropIn) ? join(dropIn, "lumenguard") : join(hooksDir, "pre-receive");
  const chained = join(hooksDir, CHAINED);
  const existing = readIfFile(hookFile);
  const serverConfig = flags["server-config"] !== undefined ? resolve(flags["server-config"]) : undefined;
  const script = hookScript(hookCommand(env), serverConfig, hookFile === join(hooksDir, "pre-receive"));
  if (existing !== null && !existing.includes(MARKER)) {
    steps.push({ verb: "move", what: `${hookFile} → ${chained} (it keeps running first)`, apply: () => renameSync(hookFile, chained) });
  }
  if (existing !== script) steps.push({ verb: existing === null || !existing.includes(MARKER) ? "create" : "update", what: hookFile, apply: () => writeFileAtomic(hookFile, script, { executable: true, within: hooksDir }) });
  const advertised = runGit(["config", "--bool", "--get", "receive.advertisePushOptions"], gitDir, env).stdout.toString("utf8").trim();
  if (advertised !== "true") {
    steps.push({
      verb: "set",
      what: "receive.advertisePushOptions = true (pushers can give a bypass reason with git push -o)",
      apply: (io) => void runGit(["config", "receive.advertisePushOptions", "true"], gitDir, io.env),
    });
  }
  const configFile = join(gitDir, SERVER_CONFIG_NAME);
  if (serverConfig === undefined && !existsSync(configFile)) {
    const starter = `${JSON.stringify({ allowBypass: true, budgetSeconds: 60, onTimeout: "reject" }, null, 2)}\n`;
    steps.push({ verb: "create", what: `${configFile} (bypass allowed and logged, 60 s budget, fail closed)`, apply: () => writeFileAtomic(configFile, starter, { within: gitDir }) });
  }
  return steps;
}

function planUninstall(hooksDir: string): Step[] {
  const steps: Step[] = [];
  for (const hookFile of [join(hooksDir, "pre-receive.d", "lumenguard"), join(hooksDir, "pre-receive")]) {
    if (!(readIfFile(hookFile) ?? "").includes(MARKER)) continue;
    steps.push({ verb: "remove", what: hookFile, apply: () => rmSync(hookFile, { force: true }) });
  }
  const chained = join(hooksDir, CHAINED);
  if (existsSync(chained) && steps.length > 0) steps.push({ verb: "restore", what: `${join(hooksDir, "pre-receive")} (the hook that ran before lumenguard's)`, apply: () => renameSync(chained, join(hooksDir, "pre-receive")) });
  return steps;
}

/**
 * The hook: standard input read once and handed to the chained hook (if any) and to
 * lumenguard; the heap is capped so that one push cannot take the server's memory.
 */
export function hookScript(command: string, serverConfig: string | undefined, chain: boolean): string {
  const flag = serverConfig === undefined ? "" : ` --server-config ${shellQuote(serverConfig)}`;
  const lines = [
    "#!/bin/sh",
    MARKER,
    "# (lumenguard init --server; remove it with lumenguard init --server --uninstall)",
    "input=$(cat)",
  ];
  if (chain) lines.push(`if [ -x "$(dirname "$0")/${CHAINED}" ]; then`, `  printf '%s\\n' "$input" | "$(dirname "$0")/${CHAINED}" "$@" || exit $?`, "fi");
  lines.push(`NODE_OPTIONS="--max-old-space-size=${HOOK_HEAP_MIB}"`, "export NODE_OPTIONS", `printf '%s\\n' "$input" | ${command} scan --pre-receive${flag}`, "");
  return lines.join("\n");
}

/** How the hook starts lumenguard: LUMENGUARD_HOOK_COMMAND, else this Node and this installation's bin, by absolute path. */
function hookCommand(env: NodeJS.ProcessEnv): string {
  const override = env["LUMENGUARD_HOOK_COMMAND"]?.trim();
  if (override) return override;
  return `${shellQuote(process.execPath)} ${shellQuote(binPath())}`;
}

/** bin/lumenguard.js of the package this module is part of (a chunk of the CLI bundle in lib/, lib/src/server/ or src/server/). */
function binPath(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const pkg = readIfFile(join(dir, "package.json"));
    if (pkg !== null && /"name":\s*"lumenguard"/.test(pkg)) return join(dir, "bin", "lumenguard.js");
  }
  return "lumenguard";
}

function readIfFile(path: string): string | null {
  try {
    return lstatSync(path).isFile() ? readFileSync(path, "utf8") : null;
  } catch {
    return null;
  }
}

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
