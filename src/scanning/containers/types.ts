import type { EnginePlan } from "../../engine/plan.js";
import type { FileOutcome } from "../../engine/file-scanner.js";
import type { Warning } from "../../types.js";
import type { ScanLimits } from "../limits.js";
import type { SourceFile } from "../source-file.js";
import type { RandomAccess } from "./zip-directory.js";

/** A file the engine has read to the end, with what it found. */
export interface ScannedFile {
  file: SourceFile;
  outcome: FileOutcome;
}

/** Where a file's bytes go: `push` each chunk in order; the last one says `final`. */
export interface FileSink {
  push(chunk: Uint8Array, final?: boolean): void;
  /**
   * True once the sink takes no more bytes (the file reached the scanned-bytes limit): a source
   * or a decompressor may stop producing them. Later pushes are ignored.
   */
  readonly stopped?: boolean;
}

/** What a sink reports to the scanning loop. */
export interface SinkHooks {
  plan: EnginePlan;
  limits: ScanLimits;
  /** A file (or an archive entry) has been read to the end. */
  done(scanned: ScannedFile): void;
  warn(warning: Warning): void;
  /** Work that finishes later (an asynchronous decompression); the loop waits for it. */
  defer(work: Promise<void>): void;
  /**
   * For a file whose bytes arrive whole: whether the engine must read it at all (scanning/prefilter.ts
   * `worthReadingCheck`). Without it, every file is read.
   */
  worthReading?: (file: SourceFile, bytes: Uint8Array) => boolean;
  /**
   * For a file read from disk: its bytes again at any offset, when it is still the regular file
   * of `size` bytes that was read (else null); `close` when done. A source that cannot read its
   * files again (history blobs, stdin, emitted chunks) leaves it out, and what needs it holds the
   * bytes instead, within the limits.
   */
  reopen?: (file: SourceFile, size: number) => { access: RandomAccess; close(): void } | null;
}

/** Opens a sink that scans the bytes as they are (no container handling): the one way scanners are made. */
export type OpenPlain = (file: SourceFile) => FileSink;
