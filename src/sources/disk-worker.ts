import { parentPort } from "node:worker_threads";
import { planScan, resolveConfig } from "../config/resolve-config.js";
import type { ScannedFile, SinkHooks } from "../scanning/file-sink.js";
import { worthReadingCheck } from "../scanning/prefilter.js";
import { scanShare, type WorkerInput, type WorkerResult } from "./threads.js";

/**
 * A scanning thread. It loads the engine as soon as it starts, then waits for one message with
 * the file list and pulls file indexes from the shared counter until none are left. Under
 * `--verify` the keys it finds go back with its result, one per fingerprint (WorkerResult).
 */
parentPort?.once("message", async (input: WorkerInput) => {
  const index = new Int32Array(input.counter);
  const keys = new Map<string, string>();
  const resolved = resolveConfig({ startDir: input.configDir, config: input.config });
  const plan = planScan(resolved, {
    includePlaceholders: input.includePlaceholders,
    ...(input.collectKeys ? { onKey: (key: string, fingerprint: string) => void keys.set(fingerprint, key) } : {}),
  });
  const result: WorkerResult = { scanned: [], quietFiles: 0, quietBytes: 0, skipped: [], warnings: [], keys: [] };
  const pending: Array<Promise<void>> = [];
  const hooks: SinkHooks = {
    plan,
    limits: resolved.limits,
    done: (scanned: ScannedFile) => {
      const { outcome } = scanned;
      if (outcome.findings.length > 0 || outcome.suppressed.length > 0 || outcome.collected.length > 0 || outcome.notes.length > 0) result.scanned.push(scanned);
      else {
        result.quietFiles++;
        result.quietBytes += outcome.bytes;
      }
    },
    warn: (warning) => void result.warnings.push(warning),
    defer: (work) => void pending.push(work),
  };
  if (input.prefilter) hooks.worthReading = worthReadingCheck(plan);
  scanShare(input.files, hooks, () => Atomics.add(index, 0, 1), (path, reason) => void result.skipped.push({ path, reason }));
  while (pending.length > 0) await Promise.all(pending.splice(0));
  result.keys = [...keys];
  parentPort?.postMessage(result);
  keys.clear();
});
