import type { Rule } from "../src/engine/rule.js";
import lumenfallKey from "./lumenfall-key.js";

/** Every rule, in one explicit list (STYLE: no discovery magic). */
export const rules: readonly Rule[] = [lumenfallKey];

export function ruleById(id: string): Rule | undefined {
  return rules.find((rule) => rule.meta.id === id);
}
