import { FileScanner, type FileOutcome } from "../engine/file-scanner.js";
import { containerOf, containerSink, scanZip, type FileSink, type RandomAccess, type SinkHooks } from "./containers/index.js";
import { FILE_SIZE_LIMIT, MEGABYTE } from "./limits.js";
import { factsOf, type SourceFile } from "./source-file.js";

/**
 * Where every file's bytes enter the engine, whatever source they come from: a plain file is
 * fed to the one FileScanner made for it here; a compressed file or archive is decompressed
 * first (containers/), and each thing inside gets its own scanner made here too.
 */
export function openSink(file: SourceFile, hooks: SinkHooks): FileSink {
  const kind = containerOf(file.path);
  return kind === null ? openPlain(file, hooks) : containerSink(kind, file, hooks, (inner) => openPlain(inner, hooks));
}

/** An archive on disk, read at any offset instead of streamed: entries are found from its directory. */
export function scanArchive(file: SourceFile, archive: RandomAccess, hooks: SinkHooks): void {
  scanZip(file, archive, hooks, (inner) => openPlain(inner, hooks));
}

/** Bytes scanned as the text they are, whatever the file's name says (a Git LFS pointer standing in for an archive). */
export function scanAsPlain(file: SourceFile, bytes: Uint8Array, hooks: SinkHooks): void {
  openPlain(file, hooks).push(bytes, true);
}

/** Whether a file is an archive read from its directory (a source that can read at any offset uses scanArchive). */
export function isArchive(path: string): boolean {
  return containerOf(path) === "zip";
}

/**
 * The one place a FileScanner is made. A file longer than the scanned-bytes limit
 * (`maxFileMegabytes`) is scanned up to it: what was found there is kept, the rest is skipped
 * and said (a {@link FILE_SIZE_LIMIT} warning, counted in `stats.skipped`).
 */
function openPlain(file: SourceFile, hooks: SinkHooks): FileSink {
  let scanner: FileScanner | null = null;
  const limit = hooks.limits.fileBytes;
  let taken = 0;
  let ended = false;
  return {
    get stopped() {
      return ended;
    },
    push(chunk, final = false) {
      if (ended) return;
      // A file that arrives whole, within the limit, and holds none of its rules' literals needs no engine: nothing to find.
      if (scanner === null && final && chunk.length <= limit && hooks.worthReading && !hooks.worthReading(file, chunk)) {
        ended = true;
        hooks.done({ file, outcome: nothingFound(chunk.byteLength) });
        return;
      }
      scanner ??= new FileScanner(factsOf(file), hooks.plan);
      let piece = chunk;
      if (taken + chunk.length > limit) {
        piece = chunk.subarray(0, Math.max(0, limit - taken));
        hooks.warn({ code: FILE_SIZE_LIMIT, message: `${file.path}: larger than ${formatMegabytes(limit)} (the file size limit); only its first ${formatMegabytes(limit)} were scanned, the rest was skipped`, file: file.path });
      }
      taken += piece.length;
      const last = final || piece !== chunk;
      scanner.push(piece, last);
      if (last) {
        ended = true;
        hooks.done({ file, outcome: scanner.end() });
      }
    },
  };
}

function nothingFound(bytes: number): FileOutcome {
  return { findings: [], suppressed: [], bytes, collected: [], notes: [], fingerprints: [], keys: [], overCap: 0 };
}

function formatMegabytes(bytes: number): string {
  return `${Number((bytes / MEGABYTE).toFixed(3))} MB`;
}

export type { FileSink, ScannedFile, SinkHooks, RandomAccess } from "./containers/index.js";
