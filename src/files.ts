import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, sep } from "node:path";
import { messages } from "./cli/messages.js";
import { UsageError } from "./errors.js";

/**
 * The file helpers every layer that writes or checks files shares. Every file lumenguard
 * writes — hooks and `.gitignore` lines (`init`, `scan --fix`), reports (`--output`,
 * `--report`), baselines — goes through writeFileAtomic(), which never writes through a
 * symbolic link: a repository lumenguard scans may have been written by someone else, and a
 * link committed at the name lumenguard writes to could point anywhere on the machine.
 */

/** What a path names, without following a link at its last component. */
export type PathKind = "missing" | "file" | "directory" | "symlink" | "other";

export function pathKind(path: string): PathKind {
  let stats;
  try {
    stats = lstatSync(path);
  } catch {
    return "missing";
  }
  if (stats.isSymbolicLink()) return "symlink";
  if (stats.isFile()) return "file";
  if (stats.isDirectory()) return "directory";
  return "other";
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A path lumenguard will not write to: a symbolic link, a directory, or anything else that is
 * not a regular file (FIFO, socket, device). Exit code 2; nothing has been written when it is
 * thrown.
 */
export class UnsafeWriteTargetError extends UsageError {
  override name = "UnsafeWriteTargetError";
  constructor(
    readonly file: string,
    readonly kind: Exclude<PathKind, "missing" | "file">,
  ) {
    super(messages.refusedTarget(file, describeKind(kind)));
  }
}

function describeKind(kind: Exclude<PathKind, "missing" | "file">): string {
  return kind === "symlink" ? "a symbolic link" : kind === "directory" ? "a directory" : "a special file";
}

/**
 * Throws UnsafeWriteTargetError unless `file` is a regular file or does not exist yet. With
 * `within`, every folder between `within` and `file` must be a real folder too (or missing):
 * a committed `.husky` that is a link to somewhere outside the repository is refused the
 * same way. `within` itself may be anything (a repository under a linked home folder is fine).
 */
export function assertWritableTarget(file: string, within?: string): void {
  const kind = pathKind(file);
  if (kind !== "missing" && kind !== "file") throw new UnsafeWriteTargetError(file, kind);
  if (within === undefined) return;
  const path = relative(within, dirname(file));
  if (path === "" || path.startsWith("..")) return;
  let folder = within;
  for (const part of path.split(sep)) {
    folder = join(folder, part);
    const folderKind = pathKind(folder);
    if (folderKind === "missing") return;
    if (folderKind !== "directory") throw new UnsafeWriteTargetError(folder, folderKind === "file" ? "other" : folderKind);
  }
}

/**
 * The bytes of a regular file, or null when nothing is there. Never follows a link: a path
 * that is a link, a directory or a special file throws UnsafeWriteTargetError, because every
 * caller reads a file in order to write it back.
 */
export function readFileForUpdate(file: string): Buffer | null {
  const kind = pathKind(file);
  if (kind === "missing") return null;
  if (kind !== "file") throw new UnsafeWriteTargetError(file, kind);
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface WriteOptions {
  /** A new file is 0755 instead of 0644 (a hook). An existing file always keeps its mode. */
  executable?: boolean;
  /** Refuse links in the folders between this one and the file (see assertWritableTarget). */
  within?: string;
}

/**
 * Writes `content` to `file` atomically and never through a link:
 *
 * 1. `file` must be a regular file or missing (else UnsafeWriteTargetError, exit 2);
 * 2. the bytes go to a new temp file in the same folder, `.<name>.lumenguard-<24 hex>.tmp`,
 *    opened with O_CREAT | O_EXCL | O_NOFOLLOW (the `wx` flag, plus no-follow): a name chosen
 *    at random that must not exist yet, so a link planted at a predictable name cannot
 *    redirect the write;
 * 3. its mode is set on the open descriptor (fchmod), never by path: the existing file's mode,
 *    else 0644 (0755 with `executable`), whatever the umask;
 * 4. rename() puts it in place; rename replaces the name itself and never follows a link.
 *
 * A crash leaves the old file or the new one, never half of one; on any error the temp file
 * is removed. `content` is written as given: a string as UTF-8, a Buffer byte for byte.
 * Missing parent folders are created.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array, options: WriteOptions = {}): void {
  assertWritableTarget(file, options.within);
  const existing = pathKind(file) === "file" ? lstatSync(file).mode & 0o7777 : null;
  const mode = existing ?? (options.executable ? 0o755 : 0o644);
  mkdirSync(dirname(file), { recursive: true });
  const temporary = join(dirname(file), `.${basename(file)}.lumenguard-${randomHex(12)}.tmp`);
  const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let open = true;
  let renamed = false;
  try {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    if (!fstatSync(fd).isFile()) throw new UnsafeWriteTargetError(temporary, "other");
    fchmodSync(fd, mode);
    closeSync(fd);
    open = false;
    renameSync(temporary, file);
    renamed = true;
  } finally {
    if (open) closeSync(fd);
    if (!renamed) {
      try {
        unlinkSync(temporary);
      } catch {
        // never created, or already gone
      }
    }
  }
}

/** `bytes` random bytes as hex, from the system's CSPRNG (node:crypto, loaded only when a write happens). */
function randomHex(bytes: number): string {
  const { randomBytes } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return randomBytes(bytes).toString("hex");
}

/** A path as one POSIX shell word, for commands lumenguard prints for the user to run. */
export function shellQuote(path: string): string {
  return /^[\w./@+-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
