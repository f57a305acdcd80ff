import { join } from "node:path";
import { contentChange, readTextIfExists, type FileChange } from "./file-change.js";
import { dominantEol, insertLines, joinLines, splitLines, type Line } from "./byte-lines.js";

/**
 * `.env*` and `!.env.example` in the root .gitignore when missing (SPEC §8: keys belong in an
 * ignored .env). Append only: existing lines, their order and their line endings stay as they
 * are. `--uninstall` never takes these lines out: they protect the user whatever the hooks do.
 */
const IGNORE_ENV = ".env*";
const KEEP_EXAMPLE = "!.env.example";
const COMMENT = "# Local env files hold API keys: never commit them (added by lumenguard)";

export function planGitignore(root: string): FileChange {
  const file = join(root, ".gitignore");
  const current = readTextIfExists(file);
  const lines = splitLines(current ?? "");
  const missing = missingLines(lines.map((line) => line.text.trim()));
  if (missing.length === 0) return { action: "unchanged", file, note: `already ignores ${IGNORE_ENV} and keeps ${KEEP_EXAMPLE}` };
  const added = missing.includes(IGNORE_ENV) ? [COMMENT, ...missing] : missing;
  return contentChange(file, current, joinLines(withFinalEol(insertLines(lines, lines.length, added))), `added ${missing.join(", ")}`);
}

/**
 * What is missing, in the order to append it. `.env` with `.env.*` counts as `.env*`. The
 * negation only works below the pattern it undoes, so a `!.env.example` above it is not counted.
 */
function missingLines(texts: string[]): string[] {
  const coveredAt = envCoverageIndex(texts);
  if (coveredAt === -1) return [IGNORE_ENV, KEEP_EXAMPLE];
  const kept = texts.some((text, index) => index > coveredAt && (text === KEEP_EXAMPLE || text === "!/.env.example"));
  return kept ? [] : [KEEP_EXAMPLE];
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
