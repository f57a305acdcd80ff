import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/**
 * Reads a file in chunks into one reused buffer, handing each chunk to `onChunk` before the
 * next read overwrites it. A file smaller than a chunk costs one open, one read, one close —
 * no fstat: the listed paths are regular files, symlinks (refused by O_NOFOLLOW) or folders
 * (a read fails with EISDIR).
 * Opened with O_NONBLOCK so that a FIFO or device in the list can never block the scan (only
 * regular files are read), and with O_NOFOLLOW for listed files: git records a symlink as a
 * link, and following it could lead out of the repository or round a loop.
 */
export const CHUNK_BYTES = 1 << 20;
const chunk = Buffer.allocUnsafe(CHUNK_BYTES);

export type ReadOutcome =
  | { kind: "read"; bytes: number }
  | { kind: "skipped"; reason: string }
  | { kind: "missing" }
  | { kind: "symlink" };

export function readFileInChunks(
  /** A path, or its bytes (a name that is not valid UTF-8). */
  path: string | Uint8Array,
  /** Returns `false` when it wants no more of the file (the rest is not read). */
  onChunk: (bytes: Buffer, final: boolean) => void | boolean,
  options: { followSymlinks?: boolean } = {},
): ReadOutcome {
  let fd: number;
  try {
    const noFollow = options.followSymlinks ? 0 : constants.O_NOFOLLOW;
    fd = openSync(typeof path === "string" ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength), constants.O_RDONLY | constants.O_NONBLOCK | noFollow);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    if (code === "ELOOP" && !options.followSymlinks) return { kind: "symlink" };
    return { kind: "skipped", reason: describeError(code) };
  }
  try {
    let total = 0;
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      // Nothing at all: an empty file, or a FIFO without a writer (O_NONBLOCK reads it as the
      // end). Only this rare case pays for an fstat, so a FIFO is skipped and said, not counted as read.
      if (read === 0 && total === 0 && !fstatSync(fd).isFile()) return { kind: "skipped", reason: describeError("EAGAIN") };
      total += read;
      // A short read is the end of a regular file; the scanner is told it is the last chunk.
      const final = read < CHUNK_BYTES;
      const more = onChunk(chunk.subarray(0, read), final);
      if (final || more === false) return { kind: "read", bytes: total };
    }
  } catch (error) {
    return { kind: "skipped", reason: describeError((error as NodeJS.ErrnoException).code) };
  } finally {
    closeSync(fd);
  }
}

export const DIRECTORY = "a directory";

function describeError(code: string | undefined): string {
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return DIRECTORY;
    case "EAGAIN":
    case "ENXIO":
      return "not a regular file (a FIFO or socket)";
    case "ELOOP":
      return "a symlink loop";
    default:
      return code ?? "unreadable";
  }
}
