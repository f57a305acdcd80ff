import { createRequire } from "node:module";

/**
 * Turns on V8's linear-time regular expression engine (the `l` flag) for this process, so
 * custom patterns that it accepts run in time linear in their input
 * (https://v8.dev/blog/non-backtracking-regexp). A process-wide V8 setting: only the CLI's own
 * process sets it, never the engine or a bundler plugin running inside someone else's build.
 * Costs well under a millisecond.
 */
export function enableLinearRegExpEngine(): void {
  const v8 = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
  v8.setFlagsFromString("--enable-experimental-regexp-engine");
}
