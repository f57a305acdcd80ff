import { LFS_POINTER_MAX_BYTES, type ChunkSink } from "../git/object-content.js";
import type { BlobSink } from "../git/read-blobs.js";
import type { LiteralProbe, LiteralTest } from "../scanning/prefilter.js";

/**
 * Literal first, for history. Nearly every object a history scan reads — old versions of files,
 * commit messages — holds none of the literals the rules need (`lmnfl_`, its UTF-16 and base64
 * forms, custom keywords), so the engine has nothing to find in it. Each object coming out of
 * `git cat-file --batch` is therefore searched for the literals on the pipe's own buffers first
 * (a {@link LiteralProbe}, which also searches the seams between pieces), with no per-file
 * engine work and no copy; only objects that hold a literal, or that the engine must read
 * whatever they hold, reach the engine:
 *
 * - the pieces of an object are held (references to the pipe's buffers, not copies) while it
 *   arrives, up to {@link HOLD_BYTES}; at the first literal, the engine gets what was held and
 *   then the rest as it comes; an object that ends without one is cleared — counted, not read;
 * - past {@link HOLD_BYTES} without a literal, the held pieces are let go and the object is only
 *   searched; one that holds a literal further on is read again, whole, by the engine after this
 *   pass (`readAgain`): a second inflation of a rare object costs less than holding it;
 * - an object the engine must read whatever it holds (compressed files, files judged by name:
 *   `mustRead`, and objects whose first bytes are an archive's or a compressed file's, whatever
 *   their name) goes to the engine directly, and so does a message too large to hold; a small
 *   blob that may be a Git LFS pointer (whose content is elsewhere) goes to it once it is whole.
 *
 * Correctness does not depend on this: an object with no literal yields no finding in the engine
 * either (the prefilter's contract, property-tested against `prefilter: false`, which bypasses
 * this triage).
 */
export interface TriageTarget {
  /** The engine's sink for an object, as the history source reads it (message, LFS pointer, plain file). */
  engine(oid: string, size: number): ChunkSink;
  /**
   * Whether the engine must read this object whatever it holds: by the name it is scanned under
   * (compressed, judged by name), or by its size (over the file size limit, which the engine
   * reports).
   */
  mustRead(oid: string, size: number): boolean;
  /** A commit or tag object: its headers and its message are scanned as two pseudo-files. */
  isMessage(oid: string): boolean;
  /** Cleared: nothing to find. `bytes`: what the engine would have counted (a commit's headers and message, without the blank line between). */
  cleared(oid: string, bytes: number): void;
  /** A large object that holds a literal: to be read again by the engine once this pass is over. */
  readAgain(oid: string): void;
  missing(oid: string): void;
}

/** Bytes of one object held while no literal has been seen (references to the pipe's buffers). */
export const HOLD_BYTES = 8 << 20;

const LFS_START = Buffer.from("version ");
const BLANK_LINE = Buffer.from("\n\n");

export function literalFirst(test: LiteralTest, target: TriageTarget): BlobSink {
  /** An object that has arrived whole: to the engine, or cleared. */
  const decide = (oid: string, size: number, message: boolean, whole: Buffer, holds: boolean) => {
    if (holds || (!message && size <= LFS_POINTER_MAX_BYTES && whole.subarray(0, LFS_START.length).equals(LFS_START))) target.engine(oid, size)(whole, true);
    else target.cleared(oid, message ? messageBytes(whole) : size);
  };
  return {
    begin(oid, size) {
      const message = target.isMessage(oid);
      if (target.mustRead(oid, size) || (message && size > HOLD_BYTES)) return target.engine(oid, size);
      // Most objects arrive in one piece: tested at once, with no probe and nothing held.
      let probe: LiteralProbe | null = null;
      let held: Buffer[] | null = [];
      let heldBytes = 0;
      let engine: ChunkSink | null = null;
      let first = true;
      return (chunk, final) => {
        if (engine) return engine(chunk, final);
        // An archive or compressed file under any name: its literals are inside, compressed.
        if (first && test.startsLikeContainer(chunk)) {
          engine = target.engine(oid, size);
          return engine(chunk, final);
        }
        first = false;
        if (probe === null && final) return decide(oid, size, message, chunk, test.holds(chunk));
        probe ??= test.probe();
        probe.push(chunk);
        if (held === null) {
          // Let go of earlier: only searched now, and read again if a literal turns up.
          if (final && probe.found) target.readAgain(oid);
          else if (final) target.cleared(oid, size);
          return;
        }
        held.push(chunk);
        heldBytes += chunk.byteLength;
        if (probe.found) {
          engine = target.engine(oid, size);
          held.forEach((piece, index) => engine!(piece, final && index === held!.length - 1));
          held = null;
          return;
        }
        if (final) {
          // Only messages and blobs small enough to be a pointer need their bytes as one piece.
          if (message || size <= LFS_POINTER_MAX_BYTES) decide(oid, size, message, Buffer.concat(held), false);
          else target.cleared(oid, size);
        } else if (heldBytes > HOLD_BYTES) {
          held = null;
        }
      };
    },
    missing: (oid) => target.missing(oid),
  };
}

/**
 * The bytes of a commit or tag object as the engine counts them (object-content.ts splitObject):
 * its headers with the newline that ends the last, and its message — all but the blank line's
 * second newline.
 */
function messageBytes(object: Buffer): number {
  return object.indexOf(BLANK_LINE) === -1 ? object.length : object.length - 1;
}
