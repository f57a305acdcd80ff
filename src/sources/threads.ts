import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import type { LumenguardConfig } from "../config/load-config.js";
import { ScanError } from "../errors.js";
import type { ScannedFile, SinkHooks } from "../scanning/file-sink.js";
import type { ScanSession } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";
import type { Warning } from "../types.js";
import { DIRECTORY, scanDiskFile } from "./disk.js";

/**
 * Big trees use every core. Reading is mostly system calls, so threads help: the main thread and
 * the workers pull file indexes from one shared atomic counter, and no thread idles while
 * another has a queue. Every thread feeds the same scanning loop code (scanDiskFile → openSink);
 * a worker sends back the files where something was found, plain data, and counts of the rest.
 *
 * A worker needs ~60 ms to boot and load the engine, longer than the whole scan of a small
 * tree. So workers are started early — before git has listed the files — and are told the
 * work when the list is known, or dismissed when it turns out small. Scans of given files
 * (every pre-commit) never start one.
 */
export const PARALLEL_MIN_FILES = 400;

/** A file on disk to scan, and whether to follow it if it is a symlink (files the user named). */
export interface DiskFile {
  file: SourceFile;
  followSymlinks: boolean;
}

export interface WorkerInput {
  files: DiskFile[];
  config: LumenguardConfig;
  configDir: string;
  includePlaceholders: boolean;
  counter: SharedArrayBuffer;
  /** `--verify`: send back the keys found, so the main thread's verifier sees them too. */
  collectKeys: boolean;
  /** Skip the engine for files holding none of the rules' literals (scanning/prefilter.ts). */
  prefilter: boolean;
}

/**
 * A worker's answer. `keys` (fingerprint → key) is filled only under `--verify`: the engine on a
 * worker thread cannot call the main thread's verifier, so the keys cross back in this message —
 * memory to memory, never written or printed — and go straight to the plan's `onKey`.
 */
export interface WorkerResult {
  scanned: ScannedFile[];
  /** Files and bytes read where nothing was found. */
  quietFiles: number;
  quietBytes: number;
  skipped: Array<{ path: string; reason: string }>;
  warnings: Warning[];
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

  /** Scans `files` on this thread and the workers; dismisses the workers when the list is small. */
  async scan(files: DiskFile[], session: ScanSession, onFile?: (path: string) => void): Promise<void> {
    const counter = new SharedArrayBuffer(4);
    const index = new Int32Array(counter);
    const helpers = files.length >= PARALLEL_MIN_FILES ? this.workers : [];
    this.dismiss(this.workers.filter((worker) => !helpers.includes(worker)));
    const input = {
      config: session.resolved.loaded.config,
      configDir: session.resolved.loaded.dir,
      includePlaceholders: session.plan.includePlaceholders,
      collectKeys: session.plan.onKey !== undefined,
      prefilter: session.hooks.worthReading !== undefined,
    };
    const results = helpers.map((worker) => resultOf(worker, { ...input, files, counter }));
    scanShare(files, session.hooks, () => Atomics.add(index, 0, 1), (file, reason) => session.skip(file, reason), onFile);
    for (const result of await Promise.all(results)) {
      for (const scanned of result.scanned) session.record(scanned);
      session.stats.files += result.quietFiles;
      session.stats.bytes += result.quietBytes;
      for (const { path, reason } of result.skipped) session.skip(path, reason);
      for (const warning of result.warnings) session.warn(warning);
      for (const [fingerprint, key] of result.keys) session.plan.onKey?.(key, fingerprint);
    }
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

/**
 * Scans files on this thread, taking the next index from `next()` until it runs out. A listed
 * path that turns out to be a folder where git tracks a file is a submodule: said once, not
 * counted as unreadable.
 */
export function scanShare(files: readonly DiskFile[], hooks: SinkHooks, next: () => number, skip: (path: string, reason: string) => void, onFile?: (path: string) => void): void {
  for (let index = next(); index < files.length; index = next()) {
    const { file, followSymlinks } = files[index]!;
    onFile?.(file.path);
    const read = scanDiskFile(file, hooks, { followSymlinks });
    if (read.kind !== "skipped") continue;
    if (read.reason === DIRECTORY && file.kind === "tracked") {
      hooks.warn({ code: "submodule", message: `${file.path}: a submodule (or a folder where git tracks a file); its files were not scanned here — scan it on its own`, file: file.path });
    } else {
      skip(file.path, read.reason);
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
  return here.endsWith(".ts") ? new URL("../../lib/src/sources/disk-worker.js", here) : new URL("./disk-worker.js", here);
}
