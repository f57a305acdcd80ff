import { customPatternRule } from "../../rules/custom-pattern.js";
import { rules as builtInRules } from "../../rules/index.js";
import type { LumenguardConfig } from "../config/load-config.js";
import { compilePattern } from "../engine/custom-patterns.js";
import type { EngineOptions } from "../engine/engine.js";
import { settingsFor } from "../engine/settings.js";

/**
 * The engine's rules and detectors for a config: the built-in rules plus one rule per custom
 * pattern. A plain function of plain data, so a worker thread builds the same options.
 */
export function engineOptionsFor(config: LumenguardConfig, includePlaceholders: boolean): EngineOptions {
  const custom = config.customPatterns ?? [];
  return {
    rules: [...builtInRules, ...custom.map((pattern) => customPatternRule(pattern))],
    ruleSettings: config.rules,
    includePlaceholders,
    settings: settingsFor(config.publicEnvPrefixes),
    customPatterns: custom.map((pattern) => compilePattern({ id: pattern.id, regex: new RegExp(pattern.regex), keywords: pattern.keywords })),
  };
}
