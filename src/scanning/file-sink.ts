import { FileScanner, type FileOutcome } from "../engine/file-scanner.js";
import type { EnginePlan } from "../engine/plan.js";
import type { FileFacts } from "../engine/rule.js";
import { containerOf, containerSink, MAX_NESTING, scanZip, sniff, SNIFF_BYTES, startsLikeZip, type FileSink, type Nesting, type RandomAccess, type SinkHooks } from "./containers/index.js";
import { FILE_SIZE_LIMIT, MEGABYTE } from "./limits.js";
import { factsOf, type SourceFile } from "./source-file.js";

/**
 * Where every file's bytes enter the engine, whatever source they come from: a plain file is
 * fed to the one FileScanner made for it here; a compressed file or archive — known by its
 * first bytes (containers/index.ts) — is decompressed or unpacked first, and each thing inside
 * is opened the same way, one level deeper, until {@link MAX_NESTING}.
 */
export function openSink(file: SourceFile, hooks: SinkHooks): FileSink {
  return openAt(file, hooks, { depth: 0, spent: { inflated: 0 } }, true);
}

/** An archive on disk, read at any offset instead of streamed: entries are found from its directory. */
export function scanArchive(file: SourceFile, archive: RandomAccess, hooks: SinkHooks): void {
  const nesting: Nesting = { depth: 0, spent: { inflated: 0 } };
  scanZip(file, archive, hooks, (inner) => openAt(inner, hooks, { depth: 1, spent: nesting.spent }, true), nesting.spent, (self) => openPlain(self, hooks));
}

/** Bytes scanned as the text they are, whatever the file's name says (a Git LFS pointer standing in for an archive). */
export function scanAsPlain(file: SourceFile, bytes: Uint8Array, hooks: SinkHooks): void {
  openPlain(file, hooks).push(bytes, true);
}

/**
 * Bytes held whole, scanned as the plain text they are — no container sniffing, no size limit,
 * no prefilter — for text that is not a file's content (a file's name, file-name-keys.ts).
 */
export function scanTextWhole(facts: FileFacts, bytes: Uint8Array, plan: EnginePlan): FileOutcome {
  const scanner = newScanner(facts, plan);
  scanner.push(bytes, true);
  return scanner.end();
}

/** Whether a file is an archive read from its directory by its name (a source that can read at any offset uses scanArchive). */
export function isArchive(path: string): boolean {
  return containerOf(path) === "zip";
}

/** Whether a file's first bytes are a zip's (a source that can read at any offset then uses scanArchive, whatever the name). */
export { startsLikeZip };

/** A sink that decides, from the file's first bytes, whether it is plain or a container, then passes every byte on. */
function openAt(file: SourceFile, hooks: SinkHooks, nesting: Nesting, byName: boolean): FileSink {
  let target: FileSink | null = null;
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  const decide = (head: Uint8Array): FileSink => {
    const found = sniff(file.path, head, byName);
    if (found === null) return openPlain(file, hooks);
    if ("unreadable" in found) {
      hooks.warn({ code: "archive", message: `${file.path}: compressed as ${found.unreadable}, which lumenguard cannot decompress; what it holds was not scanned (decompress it and scan the result)`, file: file.path });
      return openPlain(file, hooks);
    }
    if (nesting.depth >= MAX_NESTING) {
      hooks.warn({ code: "archive", message: `${file.path}: a ${found.kind} archive nested ${nesting.depth} deep in other archives (the limit); scanned as bytes, not opened`, file: file.path });
      return openPlain(file, hooks);
    }
    const inner: Nesting = { depth: nesting.depth + 1, spent: nesting.spent };
    return containerSink(found.kind, file, hooks, (member, named) => openAt(member, hooks, inner, named), nesting, (self) => openPlain(self, hooks));
  };
  return {
    get stopped() {
      return target?.stopped ?? false;
    },
    push(chunk, final = false) {
      if (target !== null) return target.push(chunk, final);
      // Almost always the first chunk decides: it is whole, or longer than a header.
      if (held.length === 0 && (final || chunk.length >= SNIFF_BYTES)) {
        target = decide(chunk);
        return target.push(chunk, final);
      }
      held.push(chunk.slice());
      heldBytes += chunk.length;
      if (!final && heldBytes < SNIFF_BYTES) return;
      const head = Buffer.concat(held);
      held = [];
      target = decide(head);
      target.push(head, final);
    },
  };
}

/**
 * Where a file's bytes meet the engine. A file longer than the scanned-bytes limit
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
      scanner ??= newScanner(factsOf(file), hooks.plan);
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

/** The one place a FileScanner is made. */
function newScanner(facts: FileFacts, plan: EnginePlan): FileScanner {
  return new FileScanner(facts, plan);
}

function nothingFound(bytes: number): FileOutcome {
  return { findings: [], suppressed: [], bytes, collected: [], notes: [], fingerprints: [], keys: [], overCap: 0 };
}

function formatMegabytes(bytes: number): string {
  return `${Number((bytes / MEGABYTE).toFixed(3))} MB`;
}

export type { FileSink, ScannedFile, SinkHooks, RandomAccess } from "./containers/index.js";
