import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, binEnv } from "./process.js";

/**
 * Running sharded scans and merges with the real binary, and comparing reports — written apart
 * from the code under test (the shard of an object id is worked out here again from git's own
 * ids, not imported).
 */

export interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built binary without blocking the test's event loop, so that two can run at once. */
export function runAsync(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 120_000): Promise<Outcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...binEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr });
    });
  });
}

/** Runs `tasks`, at most `width` at a time (the machine has two cores), in order of the results. */
export async function inPool<T>(tasks: ReadonlyArray<() => Promise<T>>, width = 2): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < tasks.length; index = next++) results[index] = await tasks[index]!();
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  return results;
}

/** The parsed JSON report in `dir/name`. */
export function readReport(dir: string, name: string): any {
  return JSON.parse(readFileSync(join(dir, name), "utf8"));
}

/**
 * A report as merged and whole reports must agree on: every field of every finding (commit sha,
 * author and date, file, line, column, fingerprint, message…), warnings and suppressed entries
 * as sorted lists, and the stats except the time taken.
 */
export function comparable(report: any): unknown {
  const sorted = (items: unknown[]) => items.map((item) => JSON.stringify(item)).sort().map((text) => JSON.parse(text));
  return {
    version: report.version,
    mode: report.mode,
    findings: sorted(report.findings),
    warnings: sorted(report.warnings),
    suppressed: sorted(report.suppressed),
    stats: { ...report.stats, durationMs: 0 },
    shard: report.shard,
  };
}

/** Which shard (1-based) of `total` a git object id falls in: its first 32 bits, mod `total`, plus one. */
export function shardOfId(oid: string, total: number): number {
  return (Number.parseInt(oid.slice(0, 8), 16) % total) + 1;
}
