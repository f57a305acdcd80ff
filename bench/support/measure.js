// Wall-clock timing of commands, warm cache: one warm-up pass, then rounds in which every
// command runs once (round-robin, so drift in machine load hits all commands alike).
import { spawnSync } from 'node:child_process';

const MAX_OUTPUT = 512 * 1024 * 1024;

/** Run once; returns { seconds, status, stdout, stderr }. Output is captured for every command alike. */
export function runOnce(command) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command.argv[0], command.argv.slice(1), {
    cwd: command.cwd, env: { ...process.env, ...command.env }, maxBuffer: MAX_OUTPUT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, status: result.error ? `error: ${result.error.code}` : result.status, stdout: result.stdout, stderr: result.stderr };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measure each command `runs` times after `warmup` passes. A command whose exit status is not in
 * `okExit` is marked failed (its times are still kept, so the table shows what happened).
 * The last run's stdout/stderr are kept for checks (accuracy) and for failure messages.
 */
export function measureCommands(commands, { runs, warmup }) {
  const results = commands.map((command) => ({ command, times: [], statuses: [], last: null }));
  for (let pass = 0; pass < warmup + runs; pass++) {
    for (const result of results) {
      const run = runOnce(result.command);
      result.last = run;
      if (pass >= warmup) {
        result.times.push(run.seconds);
        result.statuses.push(run.status);
      }
    }
  }
  for (const result of results) {
    const ok = result.command.okExit ?? [0];
    result.failed = result.statuses.some((s) => !ok.includes(s));
    result.median = median(result.times);
    result.min = Math.min(...result.times);
  }
  return results;
}
