import type { ChunkSink } from "../git/object-content.js";
import type { BlobStream } from "../git/read-blobs.js";
import { listStoredObjects } from "../git/stored-objects.js";
import type { Introduction } from "./history-attribution.js";

/**
 * Store order, for a scan of the whole history (`--history`: every ref, no path). Reading the
 * objects the walk meets makes the readers wait for `git log`, and hands git its objects in walk
 * order. Instead, every blob and commit in the object store is listed at once (headers only:
 * stored-objects.ts) and read in the order git stores it — a delta's base is usually stored
 * beside it, so inflating costs git the least — split between the readers in runs of
 * {@link RUN_BYTES} of content, while the walk runs beside them and says which objects were
 * introduced where. Measured on a real project's history (2.3 GB of blobs): 4.3 s of CPU time
 * for the two readers together against 4.8 s in walk order, and the two within 5 % of each other.
 *
 * The literal search needs no name; the engine does (rules and containers go by the file's name),
 * and so does `mustRead`. So an object that begins to arrive before the walk has named it is
 * searched as usual and its outcome waits: cleared, it is counted once the walk is over if a
 * walked commit introduced it (and read by the engine instead if its name must be read, a `.gz`);
 * holding a literal, it is read again by the engine after the first pass. Objects no walked
 * commit introduced (unreachable ones) are dropped; an introduced object the store did not list
 * is unreadable, as in a walk-order read.
 */
export class StoreOrder {
  /** Objects whose name the walk had not given when they began to arrive, still being read. */
  private readonly early = new Set<string>();
  /** Of those, the ones the literal search cleared: what to count once the walk is over. */
  private readonly clearedEarly = new Map<string, { bytes: number; size: number }>();
  /** Every object that began to arrive (so an introduced object never read is noticed). */
  private readonly handled = new Set<string>();

  constructor(private readonly introductions: ReadonlyMap<string, readonly Introduction[]>) {}

  /** Whether the walk has not named this object yet. */
  unknown(oid: string): boolean {
    return !this.introductions.has(oid);
  }

  /** An object begins to arrive: true when it is not named yet (its outcome waits for the walk). */
  begin(oid: string): boolean {
    this.handled.add(oid);
    if (!this.unknown(oid)) return false;
    this.early.add(oid);
    return true;
  }

  /** An unnamed object the engine must read: it is read again once the walk has named it. */
  defer(oid: string, again: string[]): ChunkSink {
    this.early.delete(oid);
    again.push(oid);
    return () => {};
  }

  /** A cleared object: true when its counting must wait for the walk (it began unnamed). */
  holdBack(oid: string, bytes: number, size: number): boolean {
    if (!this.early.delete(oid)) return false;
    this.clearedEarly.set(oid, { bytes, size });
    return true;
  }

  /**
   * Requests every blob and commit of the store from `readers`, in store order, in runs of
   * RUN_BYTES per reader; waits whenever a reader's pipe is full.
   */
  requestAll(readers: readonly BlobStream[], cwd: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<void> {
    let bytes = 0;
    return listStoredObjects(
      cwd,
      env,
      (oid, type, size) => {
        if (type !== "blob" && type !== "commit") return;
        const reader = readers[Math.floor(bytes / RUN_BYTES) % readers.length]!;
        bytes += size;
        if (!reader.request(oid)) return reader.drained();
      },
      signal,
    );
  }

  /**
   * Once the walk and the first pass are over: cleared objects a walked commit introduced are
   * counted, or go to `again` when their name must be read; introduced objects no reader saw are
   * `unreadable`.
   */
  settle(to: { again: string[]; cleared(oid: string, bytes: number): void; mustRead(oid: string, size: number): boolean; unreadable(oid: string): void }): void {
    for (const [oid, { bytes, size }] of this.clearedEarly) {
      if (this.unknown(oid)) continue;
      if (to.mustRead(oid, size)) to.again.push(oid);
      else to.cleared(oid, bytes);
    }
    this.clearedEarly.clear();
    for (const oid of this.introductions.keys()) if (!this.handled.has(oid)) to.unreadable(oid);
  }
}

/** Bytes of content read by one reader before the next one takes over. */
const RUN_BYTES = 16 << 20;
