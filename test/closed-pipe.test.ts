import { describe, expect, it } from "vitest";
import { shell } from "./helpers/process.js";
import { createRepo, writeFiles } from "./helpers/repo.js";
import { seededKeys } from "./helpers/seeded.js";

/**
 * Output into a closed pipe (`| head -1`): the real binary, five runs each, since the reader
 * leaving races with the writer. No EPIPE, no stack trace; the command still exits with its own
 * code (1 for findings), which a hook that pipes its output must still see.
 */

/** stderr with the exit code line (`rc=N`) the script adds taken out. */
function runPiped(command: string, cwd: string): { head: string; stderr: string; rc: string } {
  const run = shell(`( ${command}; echo "rc=$?" >&2 ) | head -1`, cwd, { timeout: 60_000 });
  const rc = /rc=(\d+)/.exec(run.stderr)?.[1] ?? "none";
  return { head: run.stdout, stderr: run.stderr.replace(/rc=\d+\n?/, ""), rc };
}

describe("a reader that goes away", () => {
  it.each([
    ["--help", "$LG --help", "lumenguard — finds Lumenfall API keys before they leak\n", "0"],
    ["scan with findings (a report larger than the pipe's buffer)", "$LG scan .", /^\S+:\d+:\d+ {2}CRITICAL {2}lumenfall-key\n$/, "1"],
    ["scan --format json", "$LG scan . --format json", "{\n", "1"],
    ["init --dry-run", "$LG init --dry-run", /^lumenguard init --dry-run: /, "0"],
    ["scan --format sarif", "$LG scan . --format sarif", "{\n", "1"],
    ["scan --format html", "$LG scan . --format html", "<!DOCTYPE html>\n", "1"],
    ["scan --format github", "$LG scan . --format github", /^::error /, "1"],
    ["export-rule", "$LG export-rule --format gitleaks", /^# Lumenfall API keys for gitleaks/, "0"],
    ["--version", "$LG --version", /^\d+\.\d+\.\d+\n$/, "0"],
  ])("%s: quiet, 5 runs of 5", (_, command, head, rc) => {
    const repo = createRepo({ committed: { "README.md": "# x\n" } });
    writeFiles(repo, Object.fromEntries(seededKeys(11, 1000).map((key, i) => [`src/f${i % 30}/k${i}.ts`, `export const k = "${key}";\n`])));
    for (let i = 0; i < 5; i++) {
      const run = runPiped(command, repo);
      expect(run.stderr, `run ${i + 1}`).not.toMatch(/EPIPE|\n\s+at |Error:/);
      if (typeof head === "string") expect(run.head).toBe(head);
      else expect(run.head).toMatch(head);
      expect(run.rc, `run ${i + 1}: ${run.stderr}`).toBe(rc);
    }
  }, 120_000);
});
