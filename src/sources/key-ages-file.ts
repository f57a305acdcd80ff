import { join } from "node:path";
import { assertWritableTarget, readRegularFile, writeFileAtomic } from "../files.js";

/**
 * The key-ages state file, `<git common dir>/lumenguard/key-ages.json`: when each Lumenfall key
 * was first seen in each env file of the repository, for the `key-rotation-due` rule. Inside the
 * git directory, so it is never committed and stays on this machine; shared by the linked
 * worktrees of one repository (the same key is as old in each). It holds SHA-256 fingerprints
 * (64 lowercase hex digits) and dates, never a key:
 *
 * ```json
 * { "version": 1, "files": { ".env": { "<fingerprint>": "2025-01-31" } } }
 * ```
 *
 * `files` is keyed by the env file's path from the repository root (`/`-separated); dates are
 * UTC calendar days, `YYYY-MM-DD`.
 */
export interface KeyAges {
  version: 1;
  files: Record<string, Record<string, string>>;
}

/** A state file lumenguard cannot use: it is left as it is, and the reason is shown. */
export class KeyAgesFileError extends Error {
  override name = "KeyAgesFileError";
}

/** Where a repository keeps its key ages (`gitCommonDir`: absolute, `git rev-parse --git-common-dir`). */
export function keyAgesPath(gitCommonDir: string): string {
  return join(gitCommonDir, "lumenguard", "key-ages.json");
}

/** The largest state file read: ~100 bytes a key, so room for a hundred thousand keys. */
export const MAX_KEY_AGES_BYTES = 16 << 20;

const FINGERPRINT = /^[0-9a-f]{64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The recorded ages; an empty record when the file does not exist yet. Never reads through a
 * link, at the file or at a folder between `gitCommonDir` and it, and never more than
 * {@link MAX_KEY_AGES_BYTES} (src/files.ts `readRegularFile`).
 * @throws KeyAgesFileError when the file is a link or not a regular file, is too large, or is
 *   not valid JSON of the shape above: nothing is written over it then, so no recorded date is lost.
 */
export function readKeyAges(file: string, gitCommonDir: string): KeyAges {
  let bytes: Buffer | null;
  try {
    assertWritableTarget(file, gitCommonDir);
    bytes = readRegularFile(file, MAX_KEY_AGES_BYTES, { noFollow: true });
  } catch (error) {
    throw new KeyAgesFileError((error as Error).message);
  }
  if (bytes === null) return { version: 1, files: {} };
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new KeyAgesFileError(`${file} is not valid JSON; it was left as it is (delete it to start counting key ages again)`);
  }
  const problem = shapeProblem(data);
  if (problem) throw new KeyAgesFileError(`${file}: ${problem}; it was left as it is (delete it to start counting key ages again)`);
  return data as KeyAges;
}

/** What is wrong with the file's data, or null when it has the shape of {@link KeyAges}. */
function shapeProblem(data: unknown): string | null {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "not a JSON object";
  const { version, files } = data as { version?: unknown; files?: unknown };
  if (version !== 1) return `unknown version ${JSON.stringify(version)} (this lumenguard reads version 1)`;
  if (typeof files !== "object" || files === null || Array.isArray(files)) return '"files" is not an object';
  for (const [path, keys] of Object.entries(files)) {
    if (typeof keys !== "object" || keys === null || Array.isArray(keys)) return `"files" entry ${JSON.stringify(path)} is not an object`;
    for (const [fingerprint, date] of Object.entries(keys)) {
      if (!FINGERPRINT.test(fingerprint)) return `"files" entry ${JSON.stringify(path)} holds something other than a SHA-256 fingerprint`;
      if (typeof date !== "string" || !DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) return `"files" entry ${JSON.stringify(path)} holds a date that is not YYYY-MM-DD`;
    }
  }
  return null;
}

/**
 * Writes the ages atomically (src/files.ts `writeFileAtomic`: a temp file with a random name,
 * then a rename; never through a link), files and fingerprints sorted so that the same ages
 * are the same bytes.
 * @throws UnsafeWriteTargetError when the file or a folder on its way is a link or not a regular file.
 */
export function writeKeyAges(file: string, ages: KeyAges, gitCommonDir: string): void {
  const files: KeyAges["files"] = {};
  for (const path of Object.keys(ages.files).sort()) {
    const keys = ages.files[path]!;
    files[path] = Object.fromEntries(Object.keys(keys).sort().map((fingerprint) => [fingerprint, keys[fingerprint]!]));
  }
  writeFileAtomic(file, `${JSON.stringify({ version: 1, files }, null, 2)}\n`, { within: gitCommonDir });
}
