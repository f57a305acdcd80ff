import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { customPatternRule } from "../rules/custom-pattern.js";
import { ruleById, rules } from "../rules/index.js";
import { FORMATS, githubStepSummary, reportLimitNotes, reporters, type ReportContext } from "../src/reporters/index.js";
import type { Finding, ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { ENCODINGS, encodeKey, leakIn, type EncodingName } from "./helpers/leaks.js";
import { createDir } from "./helpers/repo.js";
import { seededKeys } from "./helpers/seeded.js";

/**
 * No full key reaches any output, whichever field of a result it hid in: keys are planted, in
 * every encoding the detector reads, in every string of a ScanResult (paths, original sources,
 * commit authors, message data, snippets, reasons, warnings) and in a custom pattern's
 * description; every format, the GitHub step summary and the limit notes are rendered and
 * searched (tests/helpers/leaks.ts undoes each format's own escaping first). Then the same for
 * every error path of the CLI, through run().
 */

const ID = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const keyArb = fc
  .tuple(fc.string({ unit: fc.constantFrom(...ID), minLength: 3, maxLength: 20 }), fc.string({ unit: fc.constantFrom(...ID, "_", "-"), minLength: 16, maxLength: 60 }))
  .map(([id, secret]) => `lmnfl_${id}.${secret}`);
/** A string field: some text, the key in one encoding, more text. */
const fieldArb = (key: string) => fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...ENCODINGS), fc.string({ maxLength: 8 })).map(([a, encoding, b]) => `${a}${encodeKey(key, encoding)}${b}`);

function plantedResult(field: () => string): ScanResult {
  const finding = (overrides: Partial<Finding>): Finding => ({
    ruleId: "lumenfall-key",
    severity: "critical",
    messageId: "hardCoded",
    data: { redacted: field() },
    file: field(),
    repoPath: field(),
    line: 3,
    column: 7,
    endLine: 3,
    endColumn: 60,
    source: "worktree",
    secret: { redacted: "lmnfl_Ab1cD.…wxyz", fingerprint: "ab".repeat(32), keyId: "Ab1cD", lastFour: "wxyz", confidence: "high" },
    snippet: field(),
    ...overrides,
  });
  return {
    version: 1,
    mode: "worktree",
    findings: [
      finding({ original: { file: field(), line: 1, column: 2 }, source: "bundle", ruleId: "client-bundle-key", messageId: "shipped" }),
      finding({ commit: { sha: field(), author: field(), date: field() }, source: "history", ruleId: "key-in-history", messageId: "inHistory", encoding: field() }),
      finding({ ruleId: "acme-token", severity: "medium", messageId: "found", data: { pattern: field(), redacted: field() }, secret: undefined }),
      finding({ severity: "info", placeholder: field(), messageId: "placeholder", data: { reason: field(), redacted: field() } }),
    ],
    warnings: [{ code: field(), message: field(), file: field() }],
    suppressed: [{ ruleId: "lumenfall-key", file: field(), line: 1, column: 1, by: "inline", reason: field(), fingerprint: "cd".repeat(32) }],
    stats: { files: 4, bytes: 100, blobs: 0, durationMs: 5, skipped: 0, suppressed: 1, findingsOverCap: 30_000 },
  };
}

function contextWith(field: () => string): ReportContext {
  const custom = customPatternRule({ id: "acme-token", severity: "medium", description: field(), revokeUrl: field() });
  return {
    color: true,
    failOn: "medium",
    ruleMeta: (id) => (id === "acme-token" ? custom.meta : ruleById(id)?.meta),
    rules: rules.map((rule) => rule.meta),
    toolVersion: "1.0.0",
    startedAt: "2025-01-01T00:00:00.000Z",
    pathBase: field(),
    reportFiles: [field()],
    env: { GITHUB_STEP_SUMMARY: "/tmp/s.md" },
  };
}

describe("a key planted in any field, in any encoding, reaches no output", () => {
  it("every format, the step summary and the limit notes", () => {
    fc.assert(
      fc.property(keyArb, fc.infiniteStream(fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...ENCODINGS), fc.string({ maxLength: 8 }))), (key, parts) => {
        const field = () => {
          const [a, encoding, b] = parts.next().value as [string, EncodingName, string];
          return `${a}${encodeKey(key, encoding)}${b}`;
        };
        const result = plantedResult(field);
        const context = contextWith(field);
        for (const format of FORMATS) {
          const output = reporters[format]!(result, context);
          expect(leakIn(output, [key]), format).toBeNull();
          for (const note of reportLimitNotes(format, result, context)) expect(leakIn(note, [key]), `${format} note`).toBeNull();
        }
        expect(leakIn(githubStepSummary(result, context), [key]), "step summary").toBeNull();
      }),
      { numRuns: 50, seed: 424242 },
    );
  });

  it("the field generator plants what the checker finds (the check can fail)", () => {
    const [key] = seededKeys(3, 1) as [string];
    for (const encoding of ENCODINGS) expect(leakIn(`a ${encodeKey(key, encoding)} b`, [key]), encoding).not.toBeNull();
    fc.assert(fc.property(fieldArb(key), (text) => leakIn(text, [key]) !== null), { numRuns: 200, seed: 1 });
  });
});

describe("a key planted in what an error quotes reaches no output", () => {
  const errorPaths: Array<[string, (value: string) => { files: Record<string, string>; argv: string[] }]> = [
    ["a config value of the wrong type", (value) => ({ files: { "lumenguard.config.json": JSON.stringify({ failOn: value }) }, argv: ["scan"] })],
    ["an unknown config field", (value) => ({ files: { "lumenguard.config.json": JSON.stringify({ [value]: 1 }) }, argv: ["scan"] })],
    ["an ignore glob of the wrong type", (value) => ({ files: { "lumenguard.config.json": JSON.stringify({ ignore: value }) }, argv: ["scan"] })],
    ["a custom pattern regex that does not compile", (value) => ({ files: { "lumenguard.config.json": JSON.stringify({ customPatterns: [{ id: "x", regex: `(${value}`, keywords: ["abc"] }] }) }, argv: ["scan"] })],
    ["a custom pattern id that is a rule's", (value) => ({ files: { "lumenguard.config.json": JSON.stringify({ customPatterns: [{ id: "lumenfall-key", regex: value, keywords: [value] }] }) }, argv: ["scan"] })],
    ["config that is not JSON", (value) => ({ files: { "lumenguard.config.json": `{ "ignore": [${value}] }` }, argv: ["scan"] })],
    ["a path that does not exist", (value) => ({ files: {}, argv: ["scan", value] })],
    ["a flag", (value) => ({ files: {}, argv: ["scan", `--${value}`] })],
    ["a format", (value) => ({ files: {}, argv: ["scan", "--format", value] })],
    ["a --report value", (value) => ({ files: {}, argv: ["scan", "--report", value] })],
    ["--fail-on", (value) => ({ files: {}, argv: ["scan", "--fail-on", value] })],
    ["a revision", (value) => ({ files: {}, argv: ["scan", "--history", "--range", `${value}..HEAD`] })],
    ["a command", (value) => ({ files: {}, argv: [value] })],
    ["a baseline that is not JSON", (value) => ({ files: { "b.json": `{ ${value} }` }, argv: ["scan", "--baseline", "b.json"] })],
  ];
  const [key] = seededKeys(4, 1) as [string];

  it.each(errorPaths)("%s, in every encoding", async (_, build) => {
    for (const encoding of ENCODINGS) {
      const { files, argv } = build(`v${encodeKey(key, encoding)}`);
      const outcome = await runCli(argv, { cwd: createDir(files) });
      expect(outcome.code, encoding).toBeGreaterThanOrEqual(2);
      expect(outcome.stderr.length, encoding).toBeGreaterThan(0);
      expect(leakIn(outcome.stdout + outcome.stderr, [key]), `${encoding}: ${outcome.stderr}`).toBeNull();
    }
  });
});
