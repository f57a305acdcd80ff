import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync } from "node:fs";
import { isArchive, openSink, scanArchive, scanAsPlain, startsLikeZip, type FileSink, type SinkHooks } from "../scanning/file-sink.js";
import type { SourceFile } from "../scanning/source-file.js";
import { LFS_POINTER_MAX_BYTES, parseLfsPointer, type LfsPointer } from "../git/object-content.js";
import { commonDirOfFile, lfsNotScanned, lfsObjectPath, pushLfsObject } from "./lfs-content.js";
import { DIRECTORY, readFileInChunks, type ReadOutcome } from "./read-file.js";

/**
 * Reads one file on disk into the scanning loop: streamed in chunks, or — for an archive — read
 * at the offsets its directory gives, so a 200 MB app package is never held in memory.
 * Symlinks are followed only where `followSymlinks` says so (a file named outside git); otherwise
 * a symlink is scanned as its target text, what git records for it.
 */
export function scanDiskFile(file: SourceFile, hooks: SinkHooks, options: { followSymlinks?: boolean } = {}): ReadOutcome {
  if (isArchive(file.path)) {
    const read = scanDiskArchive(file, hooks, options);
    if (read.kind === "symlink") scanAsPlain(file, linkText(file.rawPath ?? file.absPath), hooks);
    return read;
  }
  let sink: FileSink | null = null;
  // The file's own bytes may be read again at any offset (a zip after an installer stub is opened
  // from disk, not held); an LFS object's content, scanned under the pointer's name, may not.
  const open = () => (sink ??= openSink(file, pointer === null ? { ...hooks, reopen: (again, size) => reopenFile(again, size, options) } : hooks));
  let pointer: { bytes: Buffer; pointer: LfsPointer } | null = null;
  // A zip under any name (`.docx`, `.whl`, a renamed file) is read at the offsets its directory gives, not held whole.
  let zip = false;
  let first = true;
  // A sink that takes no more (the file size limit) ends the read: the rest is never read.
  const read = readFileInChunks(
    file.rawPath ?? file.absPath,
    (chunk, final) => {
      if (first && !final && startsLikeZip(chunk)) {
        zip = true;
        return false;
      }
      // A file that arrives whole and small enough may be a Git LFS pointer: its content is scanned instead.
      const found = first && final && chunk.length <= LFS_POINTER_MAX_BYTES ? parseLfsPointer(chunk) : null;
      first = false;
      if (found !== null) {
        pointer = { bytes: Buffer.from(chunk), pointer: found };
        return false;
      }
      open().push(chunk, final);
      return !open().stopped;
    },
    options,
  );
  if (zip) return scanDiskArchive(file, hooks, options);
  if (pointer !== null) scanLfsContent(file, pointer, open, hooks);
  // A symlink is not followed: it is scanned as what git records for it, its target text (rules about the file's name apply too).
  if (read.kind === "symlink") open().push(linkText(file.rawPath ?? file.absPath), true);
  return read;
}

/**
 * A Git LFS pointer in the working tree (a checkout without `git lfs pull`, or without git-lfs
 * installed) stands for content that is pushed to the LFS server
 * (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md): that content is scanned from the
 * local LFS store of the repository holding the file, under the file's name, and so is the
 * pointer's own text (what git commits: a key on an extra line of it would pass otherwise). When
 * the store does not have the content, a warning names the file (a gate fails closed on it).
 */
function scanLfsContent(file: SourceFile, found: { bytes: Buffer; pointer: LfsPointer }, open: () => FileSink, hooks: SinkHooks): void {
  const outcome = pushLfsObject(commonDirOfFile(file.absPath), found.pointer, (chunk, final) => open().push(chunk, final));
  scanAsPlain(file, found.bytes, hooks);
  if (outcome !== "read") hooks.warn(lfsNotScanned(file.path, found.pointer));
}

/** `lfsObject`: the archive is a Git LFS pointer; read its content from the local LFS store instead. */
function scanDiskArchive(file: SourceFile, hooks: SinkHooks, options: { followSymlinks?: boolean }, lfsObject?: { commonDir: string; pointer: LfsPointer }): ReadOutcome {
  let fd: number;
  try {
    const path = lfsObject ? lfsObjectPath(lfsObject.commonDir, lfsObject.pointer.oid) : file.rawPath ? Buffer.from(file.rawPath.buffer, file.rawPath.byteOffset, file.rawPath.byteLength) : file.absPath;
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.followSymlinks && !lfsObject ? 0 : constants.O_NOFOLLOW));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    if (code === "ELOOP" && !options.followSymlinks) return { kind: "symlink" };
    return { kind: "skipped", reason: code === "EACCES" || code === "EPERM" ? "permission denied" : (code ?? "unreadable") };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { kind: "skipped", reason: DIRECTORY };
    if (!stat.isFile()) return { kind: "skipped", reason: "not a regular file (a FIFO or socket)" };
    const small = lfsObject === undefined && stat.size <= LFS_POINTER_MAX_BYTES ? readAt(fd, 0, stat.size, stat.size) : null;
    const pointer = small === null ? null : parseLfsPointer(small);
    if (small !== null && pointer !== null) return scanLfsArchive(file, { bytes: small, pointer }, hooks, options);
    scanArchive(file, { size: stat.size, read: (offset, length) => readAt(fd, offset, length, stat.size) }, hooks);
    return { kind: "read", bytes: stat.size };
  } finally {
    closeSync(fd);
  }
}

/** An archive kept in Git LFS: scanned from the local LFS store (else the file is named in a warning), and its pointer's own text too. */
function scanLfsArchive(file: SourceFile, found: { bytes: Buffer; pointer: LfsPointer }, hooks: SinkHooks, options: { followSymlinks?: boolean }): ReadOutcome {
  const commonDir = commonDirOfFile(file.absPath);
  const stored = commonDir === null ? null : scanDiskArchive(file, hooks, options, { commonDir, pointer: found.pointer });
  scanAsPlain(file, found.bytes, hooks);
  if (stored?.kind === "read") return stored;
  hooks.warn(lfsNotScanned(file.path, found.pointer));
  return { kind: "read", bytes: found.bytes.length };
}

/**
 * A symlink's target as bytes — what git stores as the link's blob ("120000: A symlink, the
 * content of the file will be the link target", https://git-scm.com/docs/git-fast-import#_filemodify)
 * — or nothing when it cannot be read.
 */
function linkText(path: string | Uint8Array): Buffer {
  try {
    return readlinkSync(typeof path === "string" ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength), { encoding: "buffer" });
  } catch {
    return Buffer.alloc(0);
  }
}

/**
 * `file` opened again for reading at offsets, when it is still a regular file of `size` bytes
 * (the file that was read, not one that replaced it since); never through a link unless the
 * scan follows them for this file.
 */
function reopenFile(file: SourceFile, size: number, options: { followSymlinks?: boolean }): { access: { size: number; read: (offset: number, length: number) => Buffer }; close(): void } | null {
  let fd: number;
  try {
    const path = file.rawPath ? Buffer.from(file.rawPath.buffer, file.rawPath.byteOffset, file.rawPath.byteLength) : file.absPath;
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.followSymlinks ? 0 : constants.O_NOFOLLOW));
  } catch {
    return null;
  }
  const stat = fstatSync(fd);
  if (!stat.isFile() || stat.size !== size) {
    closeSync(fd);
    return null;
  }
  return { access: { size, read: (offset, length) => readAt(fd, offset, length, size) }, close: () => closeSync(fd) };
}

/** Up to `length` bytes of `fd` at `offset` (fewer at the end of its `size` bytes), read whole. */
export function readAt(fd: number, offset: number, length: number, size = Infinity): Buffer {
  const wanted = Math.max(0, Math.min(length, size - offset));
  const buffer = Buffer.allocUnsafe(wanted);
  let filled = 0;
  while (filled < wanted) {
    const read = readSync(fd, buffer, filled, wanted - filled, offset + filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}

export { DIRECTORY, type ReadOutcome } from "./read-file.js";
