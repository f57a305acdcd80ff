import { join } from "node:path";
import { contentChange, readBytesAsText, type FileChange } from "./file-change.js";
import { dominantEol, insertLines, joinLines, splitLines, type Line } from "./byte-lines.js";

/**
 * The root `.gitignore` lines that keep env files out of git while keeping their committed
 * templates in: `.env*`, then a negation for each template name the dotenv rules exempt
 * (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`). Used by `init` and
 * `scan --fix`. Append only: existing lines, their order, their bytes and their line endings
 * stay as they are. `init --uninstall` never takes these lines out: they protect the user
 * whatever the hooks do.
 */
export const IGNORE_ENV = ".env*";
export const ENV_TEMPLATES = [".env.example", ".env.sample", ".env.template", ".env.dist"] as const;
const COMMENT = "# Local env files hold API keys: never commit them (added by lumenguard)";

/** The change to `<root>/.gitignore` (unchanged when every line is there). Throws UnsafeWriteTargetError for a link or a folder. */
export function planGitignore(root: string): FileChange {
  const file = join(root, ".gitignore");
  const current = readBytesAsText(file);
  const lines = splitLines(current ?? "");
  const missing = missingLines(lines.map((line) => line.text.trim()));
  if (missing.length === 0) return { action: "unchanged", file, note: `already ignores ${IGNORE_ENV} and keeps the env templates` };
  const added = missing.includes(IGNORE_ENV) ? [COMMENT, ...missing] : missing;
  return contentChange(file, current, joinLines(withFinalEol(insertLines(lines, lines.length, added))), `added ${missing.join(", ")}`);
}

/**
 * What is missing, in the order to append it. `.env` with `.env.*` counts as `.env*`. A
 * negation only works below the pattern it undoes, so one above it is not counted.
 */
function missingLines(texts: string[]): string[] {
  const coveredAt = envCoverageIndex(texts);
  const negations = ENV_TEMPLATES.map((name) => `!${name}`);
  if (coveredAt === -1) return [IGNORE_ENV, ...negations];
  return negations.filter((negation) => !texts.some((text, index) => index > coveredAt && (text === negation || text === `!/${negation.slice(1)}`)));
}

function envCoverageIndex(texts: string[]): number {
  const at = (...patterns: string[]) => Math.max(...patterns.map((pattern) => texts.lastIndexOf(pattern)));
  const star = at(".env*", "/.env*", "**/.env*");
  const plain = at(".env", "/.env", "**/.env");
  const dotted = at(".env.*", "/.env.*", "**/.env.*");
  const pair = plain !== -1 && dotted !== -1 ? Math.max(plain, dotted) : -1;
  return Math.max(star, pair);
}

/** The user's last line gets a terminator only because we append after it; ours end with one. */
function withFinalEol(lines: Line[]): Line[] {
  const last = lines[lines.length - 1];
  if (last && last.eol === "") last.eol = dominantEol(lines);
  return lines;
}
