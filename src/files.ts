import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The few file helpers every layer that writes or checks files shares: reports, baselines,
 * hooks, `.gitignore` fixes.
 */

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Temp file and rename in the same folder: a crash leaves the old file or the new one, never
 * half of one, and no temp file is left behind. An existing file keeps its mode; a new one is
 * 0644, or 0755 when `executable` (a hook).
 */
export function writeFileAtomic(file: string, content: string, options: { executable?: boolean } = {}): void {
  mkdirSync(dirname(file), { recursive: true });
  const mode = existsSync(file) ? statSync(file).mode & 0o7777 : options.executable ? 0o755 : 0o644;
  const temporary = `${file}.lumenguard-${process.pid}.tmp`;
  try {
    writeFileSync(temporary, content, { mode });
    chmodSync(temporary, mode);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** A path as one POSIX shell word, for commands lumenguard prints for the user to run. */
export function shellQuote(path: string): string {
  return /^[\w./@+-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
