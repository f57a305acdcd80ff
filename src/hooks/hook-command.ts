/**
 * What the installed hooks run, and the marks that make `lumenguard init` idempotent and
 * reversible: every line or file it adds carries one, and only marked things are ever changed
 * or removed again.
 */

export type HookName = "pre-commit" | "pre-push";
export const HOOK_NAMES: readonly HookName[] = ["pre-commit", "pre-push"];

/** Ends every line init adds to a file it shares with the user (husky hooks, lefthook.yml). */
export const LINE_MARK = "# lumenguard (added by lumenguard init)";

/** Heads a file init created whole; `--uninstall` deletes such a file once it holds nothing else. */
export const CREATED_MARK = "# lumenguard: file created by lumenguard init; lumenguard init --uninstall deletes it";

/**
 * `npx --no-install` finds a local devDependency (node_modules/.bin, also from a parent folder)
 * or a global install, and never downloads: a hook must not fetch and run unpinned code on
 * every commit, and when lumenguard is missing it fails, so the hook fails closed (README).
 * LUMENGUARD_HOOK_COMMAND replaces it when the hooks are written; it exists for tests.
 */
const DEFAULT_COMMAND = "npx --no-install lumenguard";

export function lumenguardCommand(env: NodeJS.ProcessEnv): string {
  const override = env["LUMENGUARD_HOOK_COMMAND"]?.trim();
  return override ? override : DEFAULT_COMMAND;
}

/** The scan a hook runs, as a POSIX shell command (husky files and plain git hooks). */
export function shellScanCommand(hook: HookName, command: string): string {
  // pre-push: git passes the remote name and URL as $1 $2 and the refs on stdin.
  return hook === "pre-commit" ? `${command} scan --staged` : `${command} scan --pre-push "$@"`;
}

export function isMarkedLine(text: string): boolean {
  return text.trimEnd().endsWith(LINE_MARK) || text.trimEnd() === CREATED_MARK;
}
