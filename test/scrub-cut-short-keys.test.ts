import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactKey, scrubKeys } from "../src/detectors/lumenfall/redact.js";
import { FORMATS } from "../src/reporters/index.js";
import { runCli } from "./helpers/cli.js";
import { makeDotlessKey, makeKey, randomString } from "./helpers/keys.js";
import { leakIn } from "./helpers/leaks.js";
import { createRepo, git } from "./helpers/repo.js";

/**
 * The scrubber leaves redacted forms alone (`lmnfl_<keyid>.…<last4>`, `lmnfl_…<last4>`) so that
 * scrubbing twice changes nothing. Only that exact shape is a redacted form: a key followed by
 * `…` or `.…` without a last four, or one whose run could not be a key id (a `-` in it, more
 * than 64 characters), is a full key that someone wrote next to an ellipsis — in a file name,
 * a commit author, an allow reason — and it is scrubbed like any other.
 */
const KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const body = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: min, maxLength: max });

describe("a key followed by an ellipsis is not a redacted form", () => {
  it("dotless keys followed by …, ….py, .…, .… and a space, ……, .…ab: scrubbed to their redacted form", () => {
    fc.assert(
      fc.property(body(24, 200), fc.constantFrom("\u2026", "\u2026.py", ".\u2026", ".\u2026 ", "\u2026\u2026", ".\u2026ab", "\u2026\u0027"), fc.string({ maxLength: 20 }), (run, tail, before) => {
        fc.pre(!/[A-Za-z0-9_-]$/.test(before));
        const key = `lmnfl_${run}`;
        const scrubbed = scrubKeys(`${before}${key}${tail}`);
        expect(leakIn(scrubbed, [key, run])).toBeNull();
        expect(scrubbed).toContain(redactKey(null, run.slice(-4)));
      }),
      { numRuns: 2000, seed: 909 },
    );
  });

  it("followed by .…<four characters>, a run no key id can be (a `-` in it, or more than 64 characters) is a key too", () => {
    fc.assert(
      fc.property(body(24, 200), fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 4, maxLength: 4 }), (run, four) => {
        fc.pre(run.includes("-") || run.length > 64);
        const key = `lmnfl_${run}`;
        const scrubbed = scrubKeys(`name ${key}.\u2026${four} end`);
        expect(leakIn(scrubbed, [key, run])).toBeNull();
      }),
      { numRuns: 1000, seed: 910 },
    );
  });

  it("redacted forms themselves are still left as they are, and scrubbing twice changes nothing", () => {
    for (const id of ["abc", randomString(12), randomString(64)]) {
      const text = `see ${redactKey(id, "Xy-9")} and ${redactKey(null, "ab_1")}, then more`;
      expect(scrubKeys(text)).toBe(text);
    }
    const once = scrubKeys(`${makeDotlessKey()}\u2026.py`);
    expect(scrubKeys(once)).toBe(once);
  });
});

describe("through real scans: no output and no baseline holds such a key", () => {
  it("the attack as reported: a file named <dotless key>….py, another with \\u002e for a key's dot, a commit author <dotless key>… — every format, --history and the baseline", async () => {
    const dotless = makeDotlessKey();
    const [inside, named] = [makeKey(), makeKey()];
    const escapedName = `u-${named.replace(".", "\\u002e")}.py`;
    const repo = createRepo({ committed: { "README.md": "x\n" } });
    const files = { [`${dotless}\u2026.py`]: `k='${inside}'\n`, [escapedName]: `k='${inside}'\n` };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(repo, name), content);
    git(repo, ["add", "-A"]);
    git(repo, ["-c", `user.name=${dotless}\u2026`, "commit", "-qm", "x", "--no-verify"]);
    const secrets = [inside, named, dotless, dotless.slice("lmnfl_".length)];
    for (const format of FORMATS) {
      const outcome = await runCli(["scan", "--format", format], { cwd: repo });
      expect(outcome.code, `${format}: ${outcome.stderr}`).toBe(1);
      expect(leakIn(outcome.stdout + outcome.stderr, secrets), format).toBeNull();
    }
    const history = await runCli(["scan", "--history"], { cwd: repo });
    expect(history.code).toBe(1);
    expect(history.stdout).toContain(`${redactKey(null, dotless.slice(-4))}\u2026`);
    expect(leakIn(history.stdout + history.stderr, secrets), "history").toBeNull();
    const written = await runCli(["baseline", "--output", "base.json"], { cwd: repo });
    expect(written.code, written.stderr).toBe(0);
    const baseline = readFileSync(join(repo, "base.json"), "utf8");
    expect(leakIn(baseline + written.stdout + written.stderr, secrets), "baseline").toBeNull();
    // Each file twice: the key it holds, and the key in its name (a name is committed content too).
    const names = [`${redactKey(null, dotless.slice(-4))}\u2026.py`, `u-${redactKey(named.slice(6, named.indexOf(".")), named.slice(-4))}.py`];
    expect((JSON.parse(baseline) as { entries: Array<{ file: string }> }).entries.map((entry) => entry.file).sort()).toEqual([...names, ...names].sort());
    // The baseline still accepts both findings it was written from.
    const again = await runCli(["scan", "--baseline", "base.json"], { cwd: repo });
    expect(again.code, again.stdout).toBe(0);
  });
});
