#!/usr/bin/env node
// Run a command and report its peak resident set size (the target: under 200 MB on any corpus).
//
//   node bench/with-rss.js [--out FILE] -- <command> [args...]
//
// The child's stdout/stderr pass through and its exit code is ours. The peak goes to stderr
// ("peak RSS: N MB") and, with --out, to FILE as JSON { peakRssKb, exitCode, method }.
// GNU time's %M is exact when present; otherwise we poll /proc/<pid>/status VmHWM, a kernel-kept
// high-water mark, so the last value read before exit is close to the true peak.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

function parseCommandLine(argv) {
  const sep = argv.indexOf('--');
  const own = sep === -1 ? [] : argv.slice(0, sep);
  const command = sep === -1 ? argv : argv.slice(sep + 1);
  const outAt = own.indexOf('--out');
  return { out: outAt === -1 ? null : own[outAt + 1], command };
}

async function withGnuTime(command) {
  const dir = mkdtempSync(join(tmpdir(), 'with-rss-'));
  const report = join(dir, 'rss');
  try {
    const child = spawn(GNU_TIME, ['-f', '%M', '-o', report, ...command], { stdio: 'inherit' });
    const [code, signal] = await once(child, 'exit');
    const peakRssKb = Number(readFileSync(report, 'utf8').trim().split('\n').pop());
    return { peakRssKb, exitCode: code ?? 128, signal, method: 'gnu-time' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readHighWaterKb(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // the process has gone; keep the last value read
  }
}

async function withProcPolling(command) {
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  let peakRssKb = 0;
  const timer = setInterval(() => {
    peakRssKb = Math.max(peakRssKb, readHighWaterKb(child.pid));
  }, 5);
  const [code, signal] = await once(child, 'exit');
  clearInterval(timer);
  return { peakRssKb, exitCode: code ?? 128, signal, method: 'proc-vmhwm' };
}

async function main() {
  const { out, command } = parseCommandLine(process.argv.slice(2));
  if (command.length === 0) {
    console.error('usage: node bench/with-rss.js [--out FILE] -- <command> [args...]');
    process.exitCode = 2;
    return;
  }
  // WITH_RSS_METHOD=proc forces polling (to test the fallback on machines that have GNU time).
  const useTime = existsSync(GNU_TIME) && process.env.WITH_RSS_METHOD !== 'proc';
  const result = useTime ? await withGnuTime(command) : await withProcPolling(command);
  console.error(`peak RSS: ${(result.peakRssKb / 1024).toFixed(1)} MB (${result.method})`);
  if (out) writeFileSync(out, JSON.stringify(result) + '\n');
  process.exitCode = result.exitCode;
}

await main();
