import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import type { LumenguardConfig } from "../config/load-config.js";
import type { EngineOptions } from "../engine/engine.js";
import { ScanError } from "../errors.js";
import { mergeOutcome, scanTargets, type FilesOutcome } from "./scan-files.js";
import type { Target } from "./targets.js";

/**
 * Big trees use every core (SPEC §9: the working tree within Node start-up plus 1.5× a
 * multi-threaded `git grep`). Reading is mostly system calls, so threads help: the main thread
 * and the workers pull file indexes from one shared atomic counter, and no thread idles while
 * another has a queue.
 *
 * A worker needs ~60 ms to boot and load the engine, longer than the whole scan of a small
 * tree. So workers are started early — before git has listed the files — and are told the
 * work when the list is known, or dismissed when it turns out small. Scans of given files
 * (every pre-commit) never start one.
 */
export const PARALLEL_MIN_FILES = 400;

export interface WorkerInput {
  targets: Target[];
  config: LumenguardConfig;
  includePlaceholders: boolean;
  counter: SharedArrayBuffer;
  /** `--verify`: send back the keys found, so the main thread's verifier sees them too. */
  collectKeys: boolean;
}

/**
 * A worker's answer. `keys` (fingerprint → key) is filled only under `--verify`: the engine on a
 * worker thread cannot call the main thread's verifier, so the keys cross back in this message —
 * memory to memory, never written or printed — and go straight to `engine.onKey` (issue #6).
 */
export interface WorkerResult {
  outcome: FilesOutcome;
  keys: Array<[fingerprint: string, key: string]>;
}

export function defaultJobs(): number {
  const { availableParallelism } = createRequire(import.meta.url)("node:os") as typeof import("node:os");
  return Math.max(1, Math.min(availableParallelism(), 4));
}

export class ScanThreads {
  private readonly workers: Worker[];

  constructor(count: number) {
    // node:worker_threads is loaded only when a worker is wanted: given files (every pre-commit) never need one.
    const threads = count > 0 ? (createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads")) : null;
    this.workers = threads ? Array.from({ length: count }, () => new threads.Worker(workerUrl())) : [];
  }

  /** Scans `targets` on this thread and the workers; dismisses the workers when the list is small. */
  async scan(targets: Target[], engine: EngineOptions, input: Omit<WorkerInput, "targets" | "counter" | "collectKeys">, onFile?: (path: string) => void): Promise<FilesOutcome> {
    const counter = new SharedArrayBuffer(4);
    const index = new Int32Array(counter);
    const helpers = targets.length >= PARALLEL_MIN_FILES ? this.workers : [];
    this.dismiss(this.workers.filter((worker) => !helpers.includes(worker)));
    const collectKeys = engine.onKey !== undefined;
    const results = helpers.map((worker) => resultOf(worker, { ...input, targets, counter, collectKeys }));
    const outcome = scanTargets(targets, engine, () => Atomics.add(index, 0, 1), onFile);
    for (const result of await Promise.all(results)) {
      mergeOutcome(outcome, result.outcome);
      for (const [fingerprint, key] of result.keys) engine.onKey?.(key, fingerprint);
    }
    return outcome;
  }

  /** Stops the workers (a scan that failed before it could use them). */
  close(): void {
    this.dismiss(this.workers);
  }

  private dismiss(workers: Worker[]): void {
    for (const worker of workers) {
      worker.unref();
      void worker.terminate();
    }
  }
}

function resultOf(worker: Worker, input: WorkerInput): Promise<WorkerResult> {
  return new Promise((resolvePromise, reject) => {
    worker.once("message", (result: WorkerResult) => {
      resolvePromise(result);
      void worker.terminate();
    });
    // A lost worker lost the files it had claimed: fail closed rather than report a partial scan.
    worker.once("error", (error) => reject(new ScanError(`a scanning thread failed: ${error.message}`)));
    worker.once("exit", (code) => {
      if (code !== 0) reject(new ScanError(`a scanning thread exited with code ${code}`));
    });
    worker.postMessage(input);
  });
}

/** The compiled worker; tests run this module from TypeScript source, and the worker from lib/. */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../../lib/src/scanning/scan-worker.js", here) : new URL("./scan-worker.js", here);
}
