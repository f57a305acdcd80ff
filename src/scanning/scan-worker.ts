import { parentPort } from "node:worker_threads";
import type { EngineOptions } from "../engine/engine.js";
import { engineOptionsFor } from "./engine-options.js";
import type { WorkerInput, WorkerResult } from "./parallel.js";
import { scanTargets } from "./scan-files.js";

/**
 * A scanning thread. It loads the engine as soon as it starts, then waits for one message
 * with the file list and pulls file indexes from the shared counter until none are left.
 * Under `--verify` the keys it finds go back with its outcome, one per fingerprint (WorkerResult).
 */
parentPort?.once("message", (input: WorkerInput) => {
  const index = new Int32Array(input.counter);
  const keys = new Map<string, string>();
  const engine: EngineOptions = engineOptionsFor(input.config, input.includePlaceholders);
  if (input.collectKeys) engine.onKey = (key, fingerprint) => void keys.set(fingerprint, key);
  const outcome = scanTargets(input.targets, engine, () => Atomics.add(index, 0, 1));
  const result: WorkerResult = { outcome, keys: [...keys] };
  parentPort?.postMessage(result);
  keys.clear();
});
