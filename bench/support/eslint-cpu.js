#!/usr/bin/env node
// Runs the eslint CLI in this process and, when it exits, appends the CPU time this process used
// (user + system, all of its threads, in seconds) as one line to a file:
//
//   node bench/support/eslint-cpu.js CPU_LOG ESLINT_BIN [eslint arguments...]
//
// On a shared machine the wall time of a run moves with whatever else runs; the CPU time it
// needed does not, so the eslint scenario states the plugin's cost in both.
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [cpuLog, eslintBin, ...args] = process.argv.slice(2);
if (!cpuLog || !eslintBin) {
  console.error('usage: node bench/support/eslint-cpu.js CPU_LOG ESLINT_BIN [eslint arguments...]');
  process.exit(2);
}
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  appendFileSync(cpuLog, `${(user + system) / 1e6}\n`);
});
// eslint's bin reads process.argv (node, script, arguments...).
process.argv = [process.argv[0], eslintBin, ...args];
await import(pathToFileURL(eslintBin).href);
