import { lstatSync, readFileSync, renameSync, unlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CliIO } from "../cli/io.js";
import { messages } from "../cli/messages.js";
import { assertWritableTarget, isWithin, OutsideWriteRootError, pathKind, readFileForUpdate, shellQuote, UnsafeWriteTargetError, writeFileAtomic } from "../files.js";
import { runGit } from "../git/run-git.js";
import { describeOrigin, hooksFolderOutside, spelledFrom, stopUsingCommand } from "../install/hooks-folder.js";
import { printable } from "../reporters/printable.js";
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
 *
 * It writes only in this repository: the hooks folder must be inside its git directory (or its
 * work tree), links resolved — a core.hooksPath elsewhere, from any config scope, is exit 2
 * naming the folder and the config file, with the hook line to add by hand. Every target is
 * checked before anything is written (a link or a folder at a name it writes is exit 2; a hook
 * it would have to replace, exit 3), and a step that fails undoes the ones before it (exit 3).
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
    io.stderr.write(`lumenguard: init --server sets up the repository it runs in; it takes no paths (got "${printable(paths[0]!)}").\n`);
    return 2;
  }
  const hooks = runGit(["rev-parse", "--path-format=absolute", "--git-path", "hooks", "--absolute-git-dir"], io.cwd, io.env);
  if (hooks.status !== 0) {
    io.stderr.write(`lumenguard: init --server needs a git repository: ${printable(hooks.stderr)}\n`);
    return 3;
  }
  const [hooksDir = "", gitDir = ""] = hooks.stdout.toString("utf8").split("\n");
  // A bare repository has no work tree: its hooks belong in the git directory.
  const top = runGit(["rev-parse", "--show-toplevel"], io.cwd, io.env);
  const workTree = top.status === 0 ? top.stdout.toString("utf8").replace(/\r?\n$/, "") : null;
  const dryRun = flags["dry-run"] ?? false;
  const serverConfig = flags["server-config"] !== undefined ? resolve(io.cwd, flags["server-config"]) : undefined;
  // The hook goes only into this repository's own hooks folder: a core.hooksPath elsewhere (a
  // hosting service's shared hooks, a folder set globally) runs for other repositories too.
  const outside = hooksFolderOutside(hooksDir, [gitDir, workTree], gitDir, io.env);
  if (outside !== null) {
    const stop = stopUsingCommand(outside.origin, join(gitDir, "hooks"), join(gitDir, "config"));
    const line = `NODE_OPTIONS=--max-old-space-size=${HOOK_HEAP_MIB} ${hookCommand(io.env)} scan --pre-receive${serverConfigFlag(serverConfig)}`;
    io.stderr.write(`${messages.initServerHooksOutside({ folder: outside.folder, realFolder: outside.realFolder, origin: describeOrigin(outside.origin), root: workTree ?? gitDir, gitDir, stop }, flags.uninstall ?? false, line)}\n`);
    return 2;
  }
  const scope = { root: workTree ?? gitDir, gitDir };
  // Inside, but maybe named through a link above the repository: named from the repository's own path.
  const ownHooks = spelledFrom(hooksDir, [gitDir, scope.root]);
  let plan: Step[];
  try {
    plan = flags.uninstall ? planUninstall(ownHooks, scope) : planInstall(ownHooks, gitDir, serverConfig, scope, io.env);
  } catch (error) {
    if (error instanceof UnsafeWriteTargetError || error instanceof OutsideWriteRootError || error instanceof HookConflict) {
      io.stderr.write(`lumenguard: init --server changed nothing: ${printable(error.message)}\n`);
      return error instanceof HookConflict ? 3 : 2;
    }
    throw error;
  }
  for (const step of plan) say(`  ${dryRun ? `would ${step.verb}` : step.verb.padEnd(9)} ${printable(step.what)}`);
  if (!dryRun) {
    // All or nothing: a step that fails (a full disk, a permission) undoes the ones before it.
    const undo: Array<() => void> = [];
    try {
      for (const step of plan) undo.push(step.apply(io));
    } catch (error) {
      for (const back of undo.reverse()) {
        try {
          back();
        } catch {
          // Best effort: the first error is the one to report.
        }
      }
      io.stderr.write(`lumenguard: init --server could not finish, and put back what it had changed: ${printable((error as Error).message)}\n`);
      return error instanceof UnsafeWriteTargetError || error instanceof OutsideWriteRootError ? 2 : 3;
    }
  }
  if (plan.length === 0) say(flags.uninstall ? "Nothing to remove: lumenguard's pre-receive hook is not installed here." : "Already set up: nothing to change.");
  if (dryRun) say("Dry run: nothing was changed.");
  else if (!flags.uninstall) say("Pushes to this repository are now scanned. Try one: a push of a commit holding a key is rejected with the key's identity and how to remove it.");
  return 0;
}

/** A hook at a name init --server needs that it will not move or replace (exit 3, as init's conflicts). */
class HookConflict extends Error {
  constructor(file: string, why: string) {
    super(`${file} ${why}`);
  }
}

interface Step {
  verb: string;
  what: string;
  /** Makes the change and returns how to take it back. */
  apply(io: CliIO): () => void;
}

/** The repository's work tree top (its git directory when bare) and its git directory: no file init --server writes is elsewhere. */
interface Scope {
  root: string;
  gitDir: string;
}

/** The folder a write to `file` is confined to (no link may be on the way from it): the git directory, else the work tree. */
function within(file: string, scope: Scope): string {
  if (isWithin(file, scope.gitDir)) return scope.gitDir;
  if (isWithin(file, scope.root)) return scope.root;
  throw new OutsideWriteRootError(file, scope.gitDir);
}

/** The hook at `file`: missing, ours (its text), or someone else's — a regular file or a link, moved aside by a rename that never follows it. Anything else is refused. */
function existingHook(file: string): { state: "missing" } | { state: "ours"; text: string } | { state: "theirs" } {
  const kind = pathKind(file);
  if (kind === "missing") return { state: "missing" };
  if (kind === "symlink") return { state: "theirs" };
  if (kind !== "file") throw new UnsafeWriteTargetError(file, kind);
  const text = readFileForUpdate(file)?.toString("utf8") ?? "";
  return text.includes(MARKER) ? { state: "ours", text } : { state: "theirs" };
}

/** Checks every target before anything is written: init --server applies everything or nothing. */
function planInstall(hooksDir: string, gitDir: string, serverConfig: string | undefined, scope: Scope, env: NodeJS.ProcessEnv): Step[] {
  const steps: Step[] = [];
  const dropIn = join(hooksDir, "pre-receive.d");
  const hookFile = isFolder(dropIn) ? join(dropIn, "lumenguard") : join(hooksDir, "pre-receive");
  const chained = join(hooksDir, CHAINED);
  const hookWithin = within(hookFile, scope);
  const existing = existingHook(hookFile);
  // A hook of someone else's may be a link (it is renamed, never followed); the folders on the way may not.
  if (existing.state !== "theirs") assertWritableTarget(hookFile, hookWithin);
  const script = hookScript(hookCommand(env), serverConfig, hookFile === join(hooksDir, "pre-receive"));
  if (existing.state === "theirs") {
    // In pre-receive.d every executable runs, none is chained: another program's file at lumenguard's name stays where it is.
    if (hookFile !== join(hooksDir, "pre-receive")) throw new HookConflict(hookFile, "is not lumenguard's; give it another name in pre-receive.d (every executable there runs) and run the command again");
    assertWritableTarget(chained, within(chained, scope));
    if (pathKind(chained) !== "missing") throw new HookConflict(chained, `is already there, so ${hookFile} (not lumenguard's) cannot be kept under that name; combine the two, or remove one, and run the command again`);
    steps.push({
      verb: "move",
      what: `${hookFile} → ${chained} (it keeps running first)`,
      apply: () => {
        renameSync(hookFile, chained);
        return () => renameSync(chained, hookFile);
      },
    });
  }
  if (existing.state !== "ours" || existing.text !== script) {
    const before = existing.state === "ours" ? existing.text : null;
    steps.push({
      verb: existing.state === "ours" ? "update" : "create",
      what: hookFile,
      apply: () => {
        writeFileAtomic(hookFile, script, { executable: true, within: hookWithin });
        return () => (before === null ? unlinkSync(hookFile) : writeFileAtomic(hookFile, before, { executable: true, within: hookWithin }));
      },
    });
  }
  const advertised = runGit(["config", "--bool", "--get", "receive.advertisePushOptions"], gitDir, env).stdout.toString("utf8").trim();
  if (advertised !== "true") {
    steps.push({
      verb: "set",
      what: "receive.advertisePushOptions = true (pushers can give a bypass reason with git push -o)",
      apply: (io) => {
        const set = runGit(["config", "receive.advertisePushOptions", "true"], gitDir, io.env);
        if (set.status !== 0) throw new Error(`git config receive.advertisePushOptions true failed: ${set.stderr}`);
        return () => void runGit(advertised === "" ? ["config", "--unset", "receive.advertisePushOptions"] : ["config", "receive.advertisePushOptions", advertised], gitDir, io.env);
      },
    });
  }
  const configFile = join(gitDir, SERVER_CONFIG_NAME);
  // Something already at that name (a file, a link an administrator made) is left as it is.
  if (serverConfig === undefined && pathKind(configFile) === "missing") {
    assertWritableTarget(configFile, gitDir);
    const starter = `${JSON.stringify({ allowBypass: true, budgetSeconds: 60, onTimeout: "reject" }, null, 2)}\n`;
    steps.push({
      verb: "create",
      what: `${configFile} (bypass allowed and logged, 60 s budget, fail closed)`,
      apply: () => {
        writeFileAtomic(configFile, starter, { within: gitDir });
        return () => unlinkSync(configFile);
      },
    });
  }
  return steps;
}

function planUninstall(hooksDir: string, scope: Scope): Step[] {
  const steps: Step[] = [];
  for (const hookFile of [join(hooksDir, "pre-receive.d", "lumenguard"), join(hooksDir, "pre-receive")]) {
    if (pathKind(hookFile) !== "file") continue;
    assertWritableTarget(hookFile, within(hookFile, scope));
    const ours = existingHook(hookFile);
    if (ours.state !== "ours") continue;
    steps.push({
      verb: "remove",
      what: hookFile,
      apply: () => {
        unlinkSync(hookFile);
        return () => writeFileAtomic(hookFile, ours.text, { executable: true, within: within(hookFile, scope) });
      },
    });
  }
  const chained = join(hooksDir, CHAINED);
  const hookFile = join(hooksDir, "pre-receive");
  if (pathKind(chained) !== "missing" && steps.length > 0) {
    // The kept hook goes back to its name only when lumenguard's pre-receive is the one being removed (or the name is free).
    const free = pathKind(hookFile) === "missing" || steps.some((step) => step.what === hookFile);
    if (free) {
      assertWritableTarget(hookFile, within(hookFile, scope));
      steps.push({
        verb: "restore",
        what: `${hookFile} (the hook that ran before lumenguard's)`,
        apply: () => {
          renameSync(chained, hookFile);
          return () => renameSync(hookFile, chained);
        },
      });
    }
  }
  return steps;
}

function serverConfigFlag(serverConfig: string | undefined): string {
  return serverConfig === undefined ? "" : ` --server-config ${shellQuote(serverConfig)}`;
}

/**
 * The hook: standard input read once and handed to the chained hook (if any) and to
 * lumenguard; the heap is capped so that one push cannot take the server's memory.
 */
export function hookScript(command: string, serverConfig: string | undefined, chain: boolean): string {
  const flag = serverConfigFlag(serverConfig);
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
