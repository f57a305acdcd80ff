import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
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
 * not a regular file (FIFO, socket, device) — at the file itself or at a folder on its way.
 * Exit code 2; nothing has been written when it is thrown.
 */
export class UnsafeWriteTargetError extends UsageError {
  override name = "UnsafeWriteTargetError";
  constructor(
    readonly file: string,
    readonly kind: Exclude<PathKind, "missing" | "file">,
    /** True when `file` is a folder on the way to the file written, not the file itself. */
    readonly onTheWay = false,
  ) {
    super(onTheWay ? messages.refusedFolder(file, describeKind(kind)) : messages.refusedTarget(file, describeKind(kind)));
  }
}

/**
 * A path outside the folder a write is confined to (`within`): a file named by a repository's
 * own config, say, that leads out of the repository. Exit code 2; nothing has been written.
 */
export class OutsideWriteRootError extends UsageError {
  override name = "OutsideWriteRootError";
  constructor(
    readonly file: string,
    readonly within: string,
  ) {
    super(messages.refusedOutside(file, within));
  }
}

function describeKind(kind: Exclude<PathKind, "missing" | "file">): string {
  return kind === "symlink" ? "a symbolic link" : kind === "directory" ? "a directory" : "a special file";
}

/** Whether `file` is `within` itself or below it, by the names alone (no link is resolved). */
export function isWithin(file: string, within: string): boolean {
  const path = relative(within, file);
  return path === "" || (!path.startsWith(`..${sep}`) && path !== ".." && !isAbsolute(path));
}

/**
 * Throws unless `file` may be written as a regular file confined to `within`:
 * - `file` is below `within` (else OutsideWriteRootError);
 * - every folder between `within` and `file` is a real folder or does not exist yet — a link
 *   there (a committed `reports -> /home/me`) is refused with UnsafeWriteTargetError;
 * - `file` itself is a regular file or missing.
 * `within` itself is trusted as it is (a repository under a linked home folder is fine): it is
 * the repository, the git directory, or a folder the user named.
 */
export function assertWritableTarget(file: string, within: string): void {
  if (!isWithin(dirname(file), within) || file === within) throw new OutsideWriteRootError(file, within);
  let folder = within;
  const path = relative(within, dirname(file));
  for (const part of path === "" ? [] : path.split(sep)) {
    folder = join(folder, part);
    const folderKind = pathKind(folder);
    if (folderKind === "missing") break;
    if (folderKind !== "directory") throw new UnsafeWriteTargetError(folder, folderKind === "file" ? "other" : folderKind, true);
  }
  const kind = pathKind(file);
  if (kind !== "missing" && kind !== "file") throw new UnsafeWriteTargetError(file, kind);
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
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new UnsafeWriteTargetError(file, "other");
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface WriteOptions {
  /**
   * The folder the write is confined to, trusted as it is: the file must be below it, and no
   * folder between the two may be a link (see assertWritableTarget). The repository's top for
   * files in the work tree, the git directory for hooks and state, the folder a user named on
   * the command line for a report (see writeRootFor).
   */
  within: string;
  /** A new file is 0755 instead of 0644 (a hook). An existing file always keeps its mode. */
  executable?: boolean;
}

/**
 * Writes `content` to `file` atomically and never through a link:
 *
 * 1. `file` must be a regular file or missing, below `within` with no link on the way
 *    (assertWritableTarget: UnsafeWriteTargetError or OutsideWriteRootError, exit 2);
 * 2. missing folders are made one at a time (mkdir never follows a link at its last component);
 * 3. the bytes go to a new temp file in the same folder, `.<name>.lumenguard-<24 hex>.tmp`,
 *    opened with O_CREAT | O_EXCL | O_NOFOLLOW (the `wx` flag, plus no-follow): a name chosen
 *    at random that must not exist yet, so a link planted at a predictable name cannot
 *    redirect the write;
 * 4. the folder the temp file landed in is checked to be the one meant (its real path is
 *    `within`'s real path plus the folders between), so a folder swapped for a link after the
 *    check is caught before anything replaces the file;
 * 5. its mode is set on the open descriptor (fchmod), never by path: the existing file's mode,
 *    else 0644 (0755 with `executable`), whatever the umask;
 * 6. rename() puts it in place; rename replaces the name itself and never follows a link.
 *
 * A crash leaves the old file or the new one, never half of one; on any error the temp file
 * is removed. `content` is written as given: a string as UTF-8, a Buffer byte for byte.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array, options: WriteOptions): void {
  const { within } = options;
  assertWritableTarget(file, within);
  const existing = pathKind(file) === "file" ? lstatSync(file).mode & 0o7777 : null;
  const mode = existing ?? (options.executable ? 0o755 : 0o644);
  makeFolders(dirname(file), within);
  const temporary = join(dirname(file), `.${basename(file)}.lumenguard-${randomHex(12)}.tmp`);
  const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let open = true;
  let renamed = false;
  try {
    if (realpathSync(dirname(temporary)) !== join(realpathSync(within), relative(within, dirname(file)))) throw new UnsafeWriteTargetError(dirname(file), "symlink", true);
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    if (!fstatSync(fd).isFile()) throw new UnsafeWriteTargetError(temporary, "other");
    fchmodSync(fd, mode);
    closeSync(fd);
    open = false;
    assertWritableTarget(file, within);
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

/** The folders from `within` down to `folder`, made where missing; one that turns out to be a link is refused. */
function makeFolders(folder: string, within: string): void {
  let at = within;
  const path = relative(within, folder);
  for (const part of path === "" ? [] : path.split(sep)) {
    at = join(at, part);
    try {
      mkdirSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const kind = pathKind(at);
    if (kind !== "directory") throw new UnsafeWriteTargetError(at, kind === "file" || kind === "missing" ? "other" : kind, true);
  }
}

/**
 * Appends `text` to `file` (created if missing, mode 0644), never through a link: opened with
 * O_APPEND | O_NOFOLLOW | O_NONBLOCK and written only when the descriptor is a regular file.
 * For files another program owns and lumenguard adds to (GitHub's `$GITHUB_STEP_SUMMARY`).
 * @throws UnsafeWriteTargetError when `file` is a link or not a regular file; the errors of open().
 */
export function appendToFile(file: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") throw new UnsafeWriteTargetError(file, "symlink");
    throw error;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UnsafeWriteTargetError(file, "other");
    const bytes = Buffer.from(text, "utf8");
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * The folder a file named on the command line (`--output`, `--report`, `baseline --output`)
 * is confined to: the outermost of `trusted` (the repository, the current directory, the
 * scanned folder) that holds it — so no folder between it and the file may be a link, however
 * the path was written — else the folder the file is named in, taken as the user named it
 * (a CI runner's temp folder may well be a link).
 */
export function writeRootFor(file: string, trusted: ReadonlyArray<string | null>): string {
  const holding = trusted.filter((folder): folder is string => folder !== null && isWithin(dirname(file), folder));
  holding.sort((a, b) => a.length - b.length);
  return holding[0] ?? dirname(file);
}

/** Why a file lumenguard reads whole was not read. */
export type ReadRefusal = "not-regular" | "too-large" | "unreadable";

/** A file lumenguard reads whole that it refused or could not read; `message` says why, without its content. */
export class FileReadError extends Error {
  override name = "FileReadError";
  constructor(
    readonly file: string,
    readonly reason: ReadRefusal,
    /** What is wrong, as a phrase after the file's name: "is not a regular file (a FIFO)". */
    readonly detail: string,
  ) {
    super(`${file} ${detail}`);
  }
}

/**
 * Reads a file lumenguard reads whole — a config, `package.json`, a baseline, a `.gitignore`,
 * the key-ages state, a server config — with a bound, whatever sits at the path: a link to
 * `/dev/zero`, a FIFO with no writer or a 4 GB file must not hang the scan or fill memory.
 *
 * The path is stat()ed first (a link is followed, unless `noFollow`) and must be a regular
 * file no larger than `limit` bytes; it is then opened with O_NONBLOCK (a FIFO swapped in
 * meanwhile cannot block) and its descriptor checked again, and at most `limit` + 1 bytes are
 * read, so a file that grows while it is read is refused too.
 * @returns the bytes, or null when nothing is at the path (or a dangling link).
 * @throws FileReadError when it is not a regular file, is larger than `limit`, or cannot be read.
 */
export function readRegularFile(file: string, limit: number, options: { noFollow?: boolean } = {}): Buffer | null {
  let stats;
  try {
    stats = options.noFollow ? lstatSync(file) : statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw new FileReadError(file, "unreadable", `cannot be read (${code ?? "unknown error"})`);
  }
  if (!stats.isFile()) throw new FileReadError(file, "not-regular", `is not a regular file (${describeStats(stats)})`);
  const tooLarge = () => new FileReadError(file, "too-large", `is larger than ${describeBytes(limit)}`);
  if (stats.size > limit) throw tooLarge();
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    throw new FileReadError(file, "unreadable", `cannot be read (${code === "ELOOP" ? "a symbolic link" : (code ?? "unknown error")})`);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw new FileReadError(file, "not-regular", `is not a regular file (${describeStats(opened)})`);
    // Read to the end, not to the stat()ed size (a file may grow meanwhile), but never past limit + 1 bytes.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(limit + 1 - total, Math.max(opened.size + 1 - total, 64 << 10)));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > limit) throw tooLarge();
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    throw new FileReadError(file, "unreadable", `cannot be read (${(error as NodeJS.ErrnoException).code ?? "unknown error"})`);
  } finally {
    closeSync(fd);
  }
}

function describeStats(stats: import("node:fs").Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "a special file";
}

/** A byte count as people read limits: `1 MiB`, `64 KiB`, `100 bytes`. */
export function describeBytes(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes / (1 << 10)} KiB`;
  return `${bytes} bytes`;
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
