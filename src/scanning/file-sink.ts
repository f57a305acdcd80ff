import { FileScanner, type FileOutcome } from "../engine/file-scanner.js";
import { containerOf, containerSink, scanZip, type FileSink, type RandomAccess, type SinkHooks } from "./containers/index.js";
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

/** Whether a file is an archive read from its directory (a source that can read at any offset uses scanArchive). */
export function isArchive(path: string): boolean {
  return containerOf(path) === "zip";
}

function openPlain(file: SourceFile, hooks: SinkHooks): FileSink {
  let scanner: FileScanner | null = null;
  return {
    push(chunk, final = false) {
      // A file that arrives whole and holds none of its rules' literals needs no engine: nothing to find.
      if (scanner === null && final && hooks.worthReading && !hooks.worthReading(file, chunk)) {
        hooks.done({ file, outcome: nothingFound(chunk.byteLength) });
        return;
      }
      scanner ??= new FileScanner(factsOf(file), hooks.plan);
      scanner.push(chunk, final);
      if (final) hooks.done({ file, outcome: scanner.end() });
    },
  };
}

function nothingFound(bytes: number): FileOutcome {
  return { findings: [], suppressed: [], bytes, collected: [], notes: [], fingerprints: [], keys: [], overCap: 0 };
}

export type { FileSink, ScannedFile, SinkHooks, RandomAccess } from "./containers/index.js";
