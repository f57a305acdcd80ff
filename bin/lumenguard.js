#!/usr/bin/env node
// Thin entry: wires the real process into run() and sets the exit code.
import module from "node:module";

// Node 22.1+ caches compiled code between runs; the hook starts on every commit.
module.enableCompileCache?.();
const { run, processIO } = await import("../lib/cli.js");

process.exitCode = await run(process.argv.slice(2), processIO(process));
