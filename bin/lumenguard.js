#!/usr/bin/env node
// Thin entry: wires the real process into run() and sets the exit code. A CommonJS script
// (bin/package.json) that requires the CommonJS bundle (scripts/bundle.js says why: the
// pre-commit hook starts here on every commit, and Node's ES module loader costs it ~6 ms).
"use strict";

// Node 22.1+ caches compiled code between runs.
require("node:module").enableCompileCache?.();
const { run, processIO } = require("../lib/cli.cjs");

run(process.argv.slice(2), processIO(process)).then((code) => {
  process.exitCode = code;
});
