#!/usr/bin/env node
// Thin entry: wires the real process into run() and sets the exit code (issue #2).
import { run } from "../lib/cli.js";

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  env: process.env,
});
