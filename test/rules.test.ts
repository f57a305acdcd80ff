import { describe, expect, it } from "vitest";
import { rules } from "../rules/index.js";
import { scanBuffer } from "../src/engine/engine.js";
import type { RuleExample } from "../src/engine/rule.js";
import type { SourceKind } from "../src/types.js";
import { expandExample } from "./helpers/expand.js";

/** One generic test runs every rule's own valid / invalid examples (issue #2 item 3). */
describe.each(rules.map((rule) => [rule.meta.id, rule] as const))("rule %s", (id, rule) => {
  const scan = (code: string, path = "example.txt", source: SourceKind = "worktree", facts: RuleExample["facts"] = {}) =>
    scanBuffer({ ...facts, path, source }, Buffer.from(code), { rules }).findings;

  it.each(rule.examples.valid.map((example) => [example.note ?? example.code, example] as const))("valid: %s", (_, example) => {
    const { text } = expandExample(example.code);
    expect(scan(text, example.path, example.source, example.facts).filter((f) => f.ruleId === id)).toEqual([]);
  });

  it.each(rule.examples.invalid.map((example) => [example.note ?? example.code, example] as const))("invalid: %s", (_, example) => {
    const { text } = expandExample(example.code);
    const findings = scan(text, example.path, example.source, example.facts).filter((f) => f.ruleId === id);
    expect(findings.length).toBeGreaterThan(0);
    if (example.findings) {
      expect(findings.map((f) => ({ line: f.line, column: f.column }))).toEqual(example.findings);
    }
  });

  it("documents itself", () => {
    expect(rule.meta.practice).not.toBe("");
    expect(rule.meta.guideUrl).toMatch(/^https:\/\/docs\.lumenfall\.ai\//);
    expect(rule.meta.fix.length).toBeGreaterThan(0);
    if (rule.acrossFiles) return; // tested in its own file: one file alone cannot show it
    expect(rule.examples.valid.length).toBeGreaterThan(0);
    expect(rule.examples.invalid.length).toBeGreaterThan(0);
  });
});
