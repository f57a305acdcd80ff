import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { isArchive, openSink, scanArchive, startsLikeZip, type SinkHooks } from "../scanning/file-sink.js";
import type { SourceFile } from "../scanning/source-file.js";
import { DIRECTORY, readFileInChunks, type ReadOutcome } from "./read-file.js";

/**
 * Reads one file on disk into the scanning loop: streamed in chunks, or — for an archive — read
 * at the offsets its directory gives, so a 200 MB app package is never held in memory.
 * Symlinks are followed only for files the user named (`followSymlinks`).
 */
export function scanDiskFile(file: SourceFile, hooks: SinkHooks, options: { followSymlinks?: boolean } = {}): ReadOutcome {
  if (isArchive(file.path)) return scanDiskArchive(file, hooks, options);
  const sink = openSink(file, hooks);
  // A zip under any name (`.docx`, `.whl`, a renamed file) is read at the offsets its directory gives, not held whole.
  let zip = false;
  let first = true;
  // A sink that takes no more (the file size limit) ends the read: the rest is never read.
  const read = readFileInChunks(
    file.absPath,
    (chunk, final) => {
      if (first && !final && startsLikeZip(chunk)) {
        zip = true;
        return false;
      }
      first = false;
      sink.push(chunk, final);
      return !sink.stopped;
    },
    options,
  );
  if (zip) return scanDiskArchive(file, hooks, options);
  // A symlink's content is not followed, but rules about the file itself (an unignored .env) still apply.
  if (read.kind === "symlink") sink.push(new Uint8Array(0), true);
  return read;
}

function scanDiskArchive(file: SourceFile, hooks: SinkHooks, options: { followSymlinks?: boolean }): ReadOutcome {
  let fd: number;
  try {
    fd = openSync(file.absPath, constants.O_RDONLY | constants.O_NONBLOCK | (options.followSymlinks ? 0 : constants.O_NOFOLLOW));
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
    scanArchive(file, { size: stat.size, read: (offset, length) => readAt(fd, offset, length, stat.size) }, hooks);
    return { kind: "read", bytes: stat.size };
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, offset: number, length: number, size: number): Buffer {
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
