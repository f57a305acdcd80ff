import { printable } from "./printable.js";

/** GitHub Actions workflow-command levels (https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands). */
export type Command = "error" | "warning" | "notice";

/**
 * Workflow-command data, as actions/toolkit's `escapeData` (packages/core/src/command.ts):
 * `%`, CR and LF escaped, so a message cannot end its line and start a command of its own.
 */
export function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** Workflow-command property values, as toolkit's `escapeProperty`: as data, plus the `:` and `,` that delimit properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/**
 * What a `ci` run did not (or did) scan is said as an annotation too, so that a green step
 * whose history was not looked at shows it: `ci-no-range` and `ci-force-push` as warnings,
 * `ci-scope` as a notice. They come first and count against the per-step limits.
 */
const SCOPE_COMMANDS: Readonly<Record<string, Command>> = { "ci-no-range": "warning", "ci-force-push": "warning", "ci-scope": "notice" };

/** The warning codes said as scope annotations. */
export const SCOPE_CODES: ReadonlySet<string> = new Set(Object.keys(SCOPE_COMMANDS));

/** The scan-scope warnings of a result as annotations (`::warning title=lumenguard: scope::…`). */
export function scopeAnnotations(warnings: readonly { code: string; message: string }[]): { lines: string[]; used: Record<Command, number> } {
  const used: Record<Command, number> = { error: 0, warning: 0, notice: 0 };
  const lines: string[] = [];
  for (const warning of warnings) {
    const command = SCOPE_COMMANDS[warning.code];
    if (command === undefined) continue;
    used[command]++;
    lines.push(`::${command} title=${escapeProperty("lumenguard: what was scanned")}::${escapeData(printable(warning.message))}`);
  }
  return { lines, used };
}

