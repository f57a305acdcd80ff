import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { expect } from "vitest";

/**
 * Microsoft's official SARIF validator (npm `@microsoft/sarif-multitool`, whose self-contained
 * Linux binary runs here), run on a file; as test/sarif-validator.test.ts runs it.
 */
function validatorBinary(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve(`@microsoft/sarif-multitool-${process.platform === "win32" ? "win32" : process.platform}/package.json`);
  return join(dirname(pkg), process.platform === "win32" ? "Sarif.Multitool.exe" : "Sarif.Multitool");
}

/**
 * Asserts the validator finds no error in `file`. It exits 0 even when it reports errors and
 * skips a log it cannot take in, so errors are read from its output, and the note it always
 * gives for lumenguard's rule ids (SARIF2009) proves the file was analysed.
 */
export function expectValidSarif(file: string): void {
  const run = spawnSync(validatorBinary(), ["validate", "--level", "Error;Warning;Note", file], { encoding: "utf8", timeout: 60_000, maxBuffer: 64 << 20, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1" } });
  if (run.error) throw run.error;
  const output = `${run.stdout}${run.stderr}`;
  expect(output.split("\n").filter((line) => /\berror\b/i.test(line)), output).toEqual([]);
  expect(output, "the validator analysed the file").toMatch(/note SARIF2009/);
  expect(run.status, output).toBe(0);
}
