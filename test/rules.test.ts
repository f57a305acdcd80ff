import { describe, expect, it } from "vitest";
import { rules } from "../rules/index.js";
import { appliesTo } from "../src/engine/rule.js";
import { expandExample } from "./helpers/expand.js";
import { kindFor, scanText } from "./helpers/engine.js";

/**
 * One generic test runs every rule's own valid / invalid examples (ESLint's RuleTester): the
 * rule runs alone through the scanning loop, and an invalid example must produce exactly the
 * findings it lists — each with its line, column and severity, in order — no more, no fewer.
 */
describe.each(rules.map((rule) => [rule.meta.id, rule] as const))("rule %s", (id, rule) => {
  it.each(rule.examples.valid.map((example) => [example.note ?? example.code, example] as const))("valid: %s", (_, example) => {
    const { text } = expandExample(example.code);
    const { findings } = scanText(text, { path: example.path, facts: example.facts ?? {}, only: [rule], ruleOptions: example.options ? { [id]: example.options } : {} });
    expect(findings).toEqual([]);
  });

  it.each(rule.examples.invalid.map((example) => [example.note ?? example.code, example] as const))("invalid: %s", (_, example) => {
    const { text } = expandExample(example.code);
    const { findings } = scanText(text, { path: example.path, facts: example.facts ?? {}, only: [rule], ruleOptions: example.options ? { [id]: example.options } : {} });
    expect(example.findings, "an invalid example lists every finding it must produce").toBeDefined();
    expect(findings.map((finding) => finding.ruleId)).toEqual(findings.map(() => id));
    const actual = findings.map((finding, index) => {
      const expected = example.findings![index];
      return { line: finding.line, column: finding.column, severity: finding.severity, ...(expected?.messageId ? { messageId: finding.messageId } : {}) };
    });
    expect(actual).toEqual(example.findings!.map((expected) => ({ ...expected, severity: expected.severity ?? "(severity missing from the example)" })));
  });

  it("documents itself", () => {
    expect(rule.meta.practice).not.toBe("");
    expect(rule.meta.guideUrl).toMatch(/^https:\/\/docs\.lumenfall\.ai\//);
    expect(rule.meta.fix.length).toBeGreaterThan(0);
    expect(Object.keys(rule.meta.messages).length).toBeGreaterThan(0);
    // Tested in their own files: one file alone cannot show a cross-file rule, nor a rule that a
    // source reports (it applies to no scope of the engine).
    if (rule.acrossFiles || rule.meta.appliesTo.scopes.length === 0) return;
    expect(rule.examples.valid.length).toBeGreaterThan(0);
    expect(rule.examples.invalid.length).toBeGreaterThan(0);
  });

  it("applies where its examples say it does", () => {
    for (const example of rule.examples.invalid) {
      const facts = { path: example.path ?? "src/example.ts", scope: example.facts?.scope ?? "repository", ...example.facts };
      expect(appliesTo(rule.meta, facts), `${example.note ?? example.code} (${kindFor(example.facts ?? {})})`).toBe(true);
    }
  });
});
