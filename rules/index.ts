import type { Rule } from "../src/engine/rule.js";
import dotenvTracked from "./dotenv-tracked.js";
import keyInHistory from "./key-in-history.js";
import lumenfallKey from "./lumenfall-key.js";

/** Every rule, in one explicit list (STYLE: no discovery magic). */
export const rules: readonly Rule[] = [lumenfallKey, keyInHistory, dotenvTracked];

export function ruleById(id: string): Rule | undefined {
  return rules.find((rule) => rule.meta.id === id);
}
