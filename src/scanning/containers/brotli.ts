import { createRequire } from "node:module";
import type { SourceFile } from "../source-file.js";
import { InflateBudget } from "./budget.js";
import type { FileSink, OpenPlain, SinkHooks } from "./types.js";
import { unscannedWarning, type Remedy } from "./unscanned.js";

/**
 * A brotli file (`.br`, precompressed web assets), decompressed synchronously as it streams in,
 * under the same budget as gzip — so a source that reads a file and then looks at what was found
 * (the staged source compares the index with the disk) sees the findings at once, as for any
 * other file.
 *
 * Brotli can turn a few bytes of input into megabytes, so no slice of input bounds what it
 * inflates to: the output is taken {@link OUTPUT_PIECE} bytes at a time instead, each piece
 * scanned and counted against the budget before the decoder makes the next, and decoding stops
 * once a budget is spent (a warning naming the file; what inflated up to there is scanned). This
 * is the loop Node's own `brotliDecompressSync` runs (`processChunkSync` in
 * https://github.com/nodejs/node/blob/main/lib/zlib.js, the same in Node 20, 22 and 24: the
 * decoder handle's `writeSync` into a fixed output buffer, its `_writeState` saying how much
 * input and output space is left) without its collecting every piece into one buffer, which
 * `maxOutputLength` can only refuse whole. Brotli has no magic number: bytes that fail to decode
 * before producing anything are scanned as they are.
 *
 * Until the decoder first produces output, the input is held (so that it can be scanned as it is
 * if decoding fails). A brotli stream can go on for ever without output — metadata meta-blocks,
 * up to 16 MiB each, are skipped by the decoder (https://www.rfc-editor.org/rfc/rfc7932#section-9.2)
 * — so what is held is bounded too, by the limits' `bufferedBytes` (64 MiB by default): past it,
 * decoding stops with a warning naming the file, and the file is scanned as the bytes it is
 * (what was held, then the rest as it streams), as a stream that decodes to nothing is.
 */
const SLICE = 4 << 10;
const EMPTY = new Uint8Array(0);
/** Output is made and scanned this much at a time. */
const OUTPUT_PIECE = 64 << 10;

/** The parts of Node's brotli decoder its own synchronous decompression uses (lib/zlib.js). */
interface SyncDecoder {
  _handle: { writeSync(flush: number, input: Buffer, inOff: number, inLen: number, output: Buffer, outOff: number, outLen: number): void } | null;
  /** After writeSync: [output space left, input bytes left]. */
  _writeState: Uint32Array;
  /** Set (synchronously, by the handle's error callback) when decoding failed. */
  destroyed: boolean;
  on(event: "error", listener: (error: Error) => void): unknown;
  close(): void;
}

type Zlib = typeof import("node:zlib");

class BrotliSink implements FileSink {
  private inner: FileSink | null = null;
  private decoder: SyncDecoder | null = null;
  private state: "start" | "brotli" | "plain" | "done" = "start";
  /** Input held until the decoder first produces output: it is scanned as it is if decoding fails. */
  private held: Buffer[] = [];
  /** Bytes in `held`; never more than the limits' `bufferedBytes`. */
  private heldBytes = 0;
  private readonly budget: InflateBudget;

  constructor(
    private readonly file: SourceFile,
    private readonly hooks: SinkHooks,
    private readonly openPlain: OpenPlain,
    spent?: { inflated: number },
    /** The file's own bytes are scanned beside this sink (file-sink.ts RawScan): bytes that are not brotli are not scanned twice. */
    private readonly rawScanned = false,
  ) {
    this.budget = new InflateBudget(hooks.limits, spent);
  }

  get stopped(): boolean {
    return this.inner?.stopped ?? false;
  }

  push(chunk: Uint8Array, final = false): void {
    const inner = (this.inner ??= this.openPlain(this.file));
    if (this.passingThrough()) return inner.push(this.rawScanned ? EMPTY : chunk, final);
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = 0; at < bytes.length && (this.state === "start" || this.state === "brotli"); at += SLICE) {
      const last = final && at + SLICE >= bytes.length;
      this.decode(bytes.subarray(at, at + SLICE), last, bytes.subarray(at + SLICE), final);
    }
    if (bytes.length === 0 && final && (this.state === "start" || this.state === "brotli")) this.decode(bytes, true, bytes, true);
    // Decoding that failed from the start handed the rest, final flag included, to the scanner as it is.
    if (final && !this.passingThrough()) this.end();
  }

  /** Decoding failed from the start: the bytes go to the scanner as they are. */
  private passingThrough(): boolean {
    return this.state === "plain";
  }

  /** Decodes one slice; `rest` is what follows it in the chunk, `final` whether the chunk is the file's last. */
  private decode(slice: Buffer, last: boolean, rest: Buffer, final: boolean): void {
    const zlib = createRequire(import.meta.url)("node:zlib") as Zlib;
    if (this.decoder === null) {
      this.decoder = zlib.createBrotliDecompress() as unknown as SyncDecoder;
      // The error is read synchronously from `destroyed`; this only keeps its event from being unhandled.
      this.decoder.on("error", () => {});
    }
    const decoder = this.decoder;
    if (this.state === "start") {
      if (this.heldBytes + slice.length > this.hooks.limits.bufferedBytes) return this.nothingDecoded(slice, rest, final);
      this.held.push(Buffer.from(slice));
      this.heldBytes += slice.length;
    }
    this.budget.consumed += slice.length;
    const flush = last ? zlib.constants.BROTLI_OPERATION_FINISH : zlib.constants.BROTLI_OPERATION_PROCESS;
    let offset = 0;
    let left = slice.length;
    for (;;) {
      const output = Buffer.allocUnsafe(OUTPUT_PIECE);
      if (!decoder._handle) return this.failed(rest, final);
      decoder._handle.writeSync(flush, slice, offset, left, output, 0, OUTPUT_PIECE);
      if (decoder.destroyed) return this.failed(rest, final);
      const [spaceLeft = 0, inputLeft = 0] = decoder._writeState;
      offset += left - inputLeft;
      left = inputLeft;
      const made = OUTPUT_PIECE - spaceLeft;
      if (made > 0) {
        if (this.state === "start") {
          this.state = "brotli";
          this.held = [];
          this.heldBytes = 0;
        }
        const over = this.budget.add(made);
        this.inner!.push(output.subarray(0, made), false);
        if (over) return this.stop(this.budget.describe(over), "budget");
        if (this.inner!.stopped) {
          this.state = "done";
          return;
        }
      }
      // A full output buffer means there may be more to make from the same input.
      if (spaceLeft !== 0) return;
    }
  }

  /** Not brotli at all (nothing decoded yet): the bytes as they are. Otherwise, damage. */
  private failed(rest: Buffer, final: boolean): void {
    if (this.state === "start") return this.asBytes(rest, final);
    this.stop("cannot be decompressed to the end; scanned what inflated before the damage", "unpack");
  }

  /**
   * The held input is at its bound (`slice` would take it past) and the decoder has made nothing:
   * decoding stops, said in a warning, and the file is scanned as the bytes it is from its start.
   */
  private nothingDecoded(slice: Buffer, rest: Buffer, final: boolean): void {
    const mib = Math.round(this.hooks.limits.bufferedBytes / (1 << 20));
    this.hooks.warn(unscannedWarning(this.file, "decompress-limit", `decodes to nothing in its first ${mib} MiB (the most held before brotli output starts); decompression stopped there, and the file was scanned as the bytes it is`, "unpack"));
    this.held.push(slice);
    this.asBytes(rest, final);
  }

  /** Hands what was held, then `rest` (the final flag with it), to the scanner as they are; later chunks pass through. */
  private asBytes(rest: Buffer, final: boolean): void {
    this.state = "plain";
    this.decoder?.close();
    if (!this.rawScanned) for (const held of this.held) this.inner!.push(held, false);
    this.held = [];
    this.heldBytes = 0;
    this.inner!.push(this.rawScanned ? EMPTY : rest, final);
  }

  /** Decoding ends here: what follows was not scanned (a gate fails closed on it). */
  private stop(why: string, remedy: Remedy): void {
    this.state = "done";
    this.hooks.warn(unscannedWarning(this.file, "decompress-limit", why, remedy));
  }

  private end(): void {
    this.decoder?.close();
    if (this.state === "start") {
      // Too short to decode to anything: the bytes as they are.
      if (!this.rawScanned) for (const held of this.held) this.inner!.push(held, false);
      this.held = [];
    }
    this.state = "done";
    this.inner!.push(new Uint8Array(0), true);
  }
}

/** `spent`: what the containers this one is in have inflated to (one archive budget for a whole nest). */
export function brotliSink(file: SourceFile, hooks: SinkHooks, openPlain: OpenPlain, spent?: { inflated: number }, rawScanned = false): FileSink {
  return new BrotliSink(file, hooks, openPlain, spent, rawScanned);
}
