import { describe, expect, it } from "vitest";
import { enableLinearRegExpEngine } from "../src/cli/linear-regexp.js";
import { linearRegExp, splitBoundedRepeats } from "../src/engine/bounded-regexp.js";
import { runCli } from "./helpers/cli.js";
import { createDir } from "./helpers/repo.js";

/** Custom patterns run in linear time or under a time limit; none can hang a scan. */
const config = (regex: string, keywords = ["acme_"]) => JSON.stringify({ customPatterns: [{ id: "acme", regex, keywords }] });

describe("custom patterns cannot hang a scan", () => {
  it("rewrites long bounded repeats so that V8's linear-time engine takes them", () => {
    expect(splitBoundedRepeats("acme_[A-Za-z0-9]{32}")).toBe("acme_[A-Za-z0-9]{16}[A-Za-z0-9]{16}");
    expect(splitBoundedRepeats("x\\d{20,}")).toBe("x\\d{16}\\d{4}\\d*");
    expect(splitBoundedRepeats("y.{0,40}z")).toBe("y.{0,16}.{0,16}.{0,8}z");
    expect(splitBoundedRepeats("(ab){40}")).toBe("(ab){40}");
    // The CLI turns the engine on for its own process; the scanning engine never does.
    enableLinearRegExpEngine();
    expect(linearRegExp("acme_[A-Za-z0-9]{32}", "g")).not.toBeNull();
    expect(linearRegExp("^(a|a)*$", "g")).not.toBeNull();
    expect(linearRegExp("(acme)_\\1", "g")).toBeNull();
  });

  it("rejects nested quantifiers at config load, naming the field (exit 2)", async () => {
    const dir = createDir({ "lumenguard.config.json": config("acme_(\\w+)+$") });
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('"customPatterns[0].regex" can take exponential time');
  });

  it("an alternation that backtracks exponentially runs on the linear engine: the scan finishes at once", async () => {
    const dir = createDir({ "lumenguard.config.json": config("acme_(a|a)*$"), "x.txt": `acme_${"a".repeat(5000)}b\n`.repeat(50) });
    const started = Date.now();
    expect((await runCli(["scan"], { cwd: dir })).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("a backtracking-only pattern (a backreference) is cut off by its time limit, and says where", async () => {
    const dir = createDir({ "lumenguard.config.json": config("acme_((a|a)*)\\1$"), "x.txt": `acme_${"a".repeat(60)}b\n`.repeat(20) });
    const started = Date.now();
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stderr).toContain("x.txt:1: custom pattern acme ran out of time on this line");
    expect(stderr).toMatch(/x\.txt:\d+: custom pattern acme stopped here: its time budget is spent/);
  });

  it("still finds what a linear pattern describes", async () => {
    const token = `acme_${"Zq8vR2mLx0pN4tW6yB1cE3gH5jK7nP9s"}`;
    const dir = createDir({ "lumenguard.config.json": config("acme_[A-Za-z0-9]{32}"), "a.ts": `t = "${token}"\n` });
    const { code, stdout } = await runCli(["scan", "-f", "json"], { cwd: dir });
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings[0]).toMatchObject({ ruleId: "acme", line: 1, column: 6 });
  });
});
