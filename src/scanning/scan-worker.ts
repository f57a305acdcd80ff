import { parentPort } from "node:worker_threads";
import { engineOptionsFor } from "./engine-options.js";
import type { WorkerInput } from "./parallel.js";
import { scanTargets } from "./scan-files.js";

/**
 * A scanning thread. It loads the engine as soon as it starts, then waits for one message
 * with the file list and pulls file indexes from the shared counter until none are left.
 */
parentPort?.once("message", (input: WorkerInput) => {
  const index = new Int32Array(input.counter);
  const engine = engineOptionsFor(input.config, input.includePlaceholders);
  parentPort?.postMessage(scanTargets(input.targets, engine, () => Atomics.add(index, 0, 1)));
});
