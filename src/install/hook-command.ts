import { shellQuote } from "../files.js";
import { messages } from "../cli/messages.js";

/**
 * What the installed hooks run, and the marks that make `lumenguard init` idempotent and
 * reversible: every line or file it adds carries one, and only marked things are ever changed
 * or removed again.
 */

/**
 * The hooks init installs. `pre-merge-commit` runs where `pre-commit` does not: `git merge`
 * records a merge without conflicts (also `git pull`'s merge) through pre-merge-commit alone
 * (https://git-scm.com/docs/githooks#_pre_merge_commit), so a merge that brings a key in is
 * checked at commit time as well; it scans the index like pre-commit.
 */
export type HookName = "pre-commit" | "pre-merge-commit" | "pre-push";
export const HOOK_NAMES: readonly HookName[] = ["pre-commit", "pre-merge-commit", "pre-push"];


/** Ends every line init adds to a file it shares with the user (husky hooks, lefthook.yml). */
export const LINE_MARK = "# lumenguard (added by lumenguard init)";

/** Heads a file init created whole; `--uninstall` deletes such a file once it holds nothing else. */
export const CREATED_MARK = "# lumenguard: file created by lumenguard init; lumenguard init --uninstall deletes it";

/** The standard local install, relative to the top of the work tree (where git runs hooks). */
export const ROOT_BIN = "node_modules/.bin/lumenguard";

/**
 * How a hook finds lumenguard.
 *
 * - `search`: the hook tries, in order, each path of `candidates` (relative to the top of the
 *   work tree, where git, husky and lefthook run hooks; absolute only in hooks that are not
 *   committed), then `lumenguard` on PATH. It never runs npx or anything else that could reach
 *   the network. When none is executable it fails closed at once (exit 3) with a message that
 *   names what is missing, `install` (the command that installs it) and the one-time bypass;
 *   when `node` is not on the PATH git gave the hook (GUI clients, nvm), it says that instead.
 * - `command`: a fixed command line, from LUMENGUARD_HOOK_COMMAND (lumenguard's own tests).
 */
export type HookResolution = { kind: "search"; candidates: string[]; install: string } | { kind: "command"; command: string };

/** LUMENGUARD_HOOK_COMMAND replaces the search in the hooks init writes; it exists for tests. */
export function commandOverride(env: NodeJS.ProcessEnv): HookResolution | null {
  const override = env["LUMENGUARD_HOOK_COMMAND"]?.trim();
  return override ? { kind: "command", command: override } : null;
}

/** The arguments of the scan each hook runs; pre-push gets git's remote name and URL as $1 $2 and the refs on stdin; pre-commit and pre-merge-commit scan the index. */
export function scanArguments(hook: HookName): string {
  return hook === "pre-push" ? 'scan --pre-push "$@"' : "scan --staged";
}

/**
 * The scan a hook runs, as one POSIX shell command line (a husky file line, a lefthook `run:`,
 * a plain git hook). Its exit status is the scan's, or 3 when lumenguard cannot be run.
 */
export function shellScanCommand(hook: HookName, resolution: HookResolution): string {
  return shellScanLines(hook, resolution).join("; ");
}

/** The same as shellScanCommand(), one statement a line, for a hook file of its own. */
export function shellScanLines(hook: HookName, resolution: HookResolution): string[] {
  const args = scanArguments(hook);
  if (resolution.kind === "command") return [`${resolution.command} ${args}`];
  const candidates = [...new Set([...resolution.candidates, ROOT_BIN])];
  const looked = [...candidates, "lumenguard on PATH"].join(", ");
  const missing = shellQuote(messages.hookMissing(hook, looked, resolution.install));
  const noNode = messages.hookNoNode(hook);
  return [
    `lumenguard_bin=; for lumenguard_try in ${candidates.map(shellQuote).join(" ")} "$(command -v lumenguard)"; do if [ -x "$lumenguard_try" ]; then lumenguard_bin=$lumenguard_try; break; fi; done`,
    `if [ -z "$lumenguard_bin" ]; then echo ${missing} >&2; exit 3; fi`,
    // The message shows the PATH the hook was given: that is what a GUI client or nvm got wrong.
    `if ! command -v node >/dev/null 2>&1; then echo ${shellQuote(noNode.before)}"$PATH"${shellQuote(noNode.after)} >&2; exit 3; fi`,
    `"$lumenguard_bin" ${args}`,
  ];
}

/**
 * husky's convention for the PATH of hooks: `~/.config/husky/init.sh` (under XDG_CONFIG_HOME
 * when set) is sourced before every hook, https://typicode.github.io/husky/how-to.html.
 * husky does that itself; plain git hooks and lefthook commands written by init do it too, so
 * one file fixes the PATH for all of them.
 */
export const SOURCE_HUSKY_INIT = 'lumenguard_rc="${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh"; if [ -f "$lumenguard_rc" ]; then . "$lumenguard_rc"; fi';

export function isMarkedLine(text: string): boolean {
  return text.trimEnd().endsWith(LINE_MARK) || text.trimEnd() === CREATED_MARK;
}
