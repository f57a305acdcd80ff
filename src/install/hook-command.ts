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
 * Git runs hooks from the top of the work tree, so a local devDependency is
 * `node_modules/.bin/lumenguard`: run it directly, since npx costs ~0.5 s on every commit.
 * Otherwise `npx --no-install` finds an install in a parent folder or a global one and never
 * downloads — a hook must not fetch and run unpinned code — and when lumenguard is missing it
 * fails, so the hook fails closed (README). LUMENGUARD_HOOK_COMMAND replaces both when the
 * hooks are written; it exists for tests.
 */
const LOCAL_BIN = "node_modules/.bin/lumenguard";
const FALLBACK = "npx --no-install lumenguard";

export function lumenguardCommand(env: NodeJS.ProcessEnv): string | null {
  const override = env["LUMENGUARD_HOOK_COMMAND"]?.trim();
  return override ? override : null;
}

/** The scan a hook runs, as one POSIX shell command line (husky files, lefthook, git hooks). */
export function shellScanCommand(hook: HookName, command: string | null): string {
  // pre-push: git passes the remote name and URL as $1 $2 and the refs on stdin.
  const args = hook === "pre-commit" ? "scan --staged" : 'scan --pre-push "$@"';
  if (command !== null) return `${command} ${args}`;
  return `if [ -x ${LOCAL_BIN} ]; then ${LOCAL_BIN} ${args}; else ${FALLBACK} ${args}; fi`;
}

export function isMarkedLine(text: string): boolean {
  return text.trimEnd().endsWith(LINE_MARK) || text.trimEnd() === CREATED_MARK;
}
