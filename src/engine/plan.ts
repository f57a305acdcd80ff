import type { Severity } from "../types.js";
import type { Detector } from "./detector.js";
import type { Rule } from "./rule.js";

/** A rule as one scan runs it: its severity (the config's, or its own) and its options. */
export interface PlannedRule {
  rule: Rule<any>;
  /** The config's severity for the rule, which wins over the rule's own choice; null when not set. */
  severity: Severity | null;
  options: unknown;
}

/**
 * Everything the engine needs to scan files for one scan, built once from the configuration
 * (src/config/resolve-config.ts) and shared by every file: plain objects and functions only.
 */
export interface EnginePlan {
  rules: readonly PlannedRule[];
  detectors: readonly Detector[];
  /** Report placeholders as `info` findings instead of dropping them. */
  includePlaceholders: boolean;
  /**
   * What a `lumenguard-allow` comment does (src/engine/inline-allow.ts): `honour` (the default)
   * turns the findings it covers into suppressions; `report` keeps them as findings, each
   * carrying `inlineAllow` (the comment's reason), for a scan whose suppressions are not the
   * file author's to decide — a server's pre-receive hook, where the pusher writes the file.
   */
  inlineAllows?: "honour" | "report";
  /**
   * `--verify` only: called with every real secret of a verifiable detector and its fingerprint.
   * This is the one door through which a full key leaves the engine, and it leads to the
   * verifier (src/verify/), which keeps keys in memory by fingerprint, sends each to the provider
   * once, and drops them. Findings and everything reporters see carry only `redacted` and
   * `fingerprint`.
   */
  onKey?: (key: string, fingerprint: string) => void;
  /**
   * Applied to every piece of file text the engine echoes (snippets around a key, allow-comment
   * reasons): replaces anything secret-shaped, in every encoding the detectors know.
   */
  scrub: (text: string) => string;
  /** Bytes kept from one window to the next: more than any detector's longest secret. */
  overlap: number;
  /** Bytes a hit may need before its literal. */
  lookbehind: number;
}

export interface PlanInput {
  rules: readonly Rule<any>[];
  detectors: readonly Detector[];
  /** Config `rules`: `{ id: "off" | severity }`. */
  ruleSettings?: Readonly<Record<string, Severity | "off">>;
  /** Options per rule id; a rule without an entry runs with its defaults. */
  ruleOptions?: ReadonlyMap<string, unknown>;
  includePlaceholders?: boolean;
  inlineAllows?: EnginePlan["inlineAllows"];
  onKey?: EnginePlan["onKey"];
  scrub: EnginePlan["scrub"];
}

export function planEngine(input: PlanInput): EnginePlan {
  const rules: PlannedRule[] = [];
  for (const rule of input.rules) {
    const setting = input.ruleSettings?.[rule.meta.id];
    if (setting === "off") continue;
    rules.push({ rule, severity: setting ?? null, options: input.ruleOptions?.has(rule.meta.id) ? input.ruleOptions.get(rule.meta.id) : rule.defaultOptions });
  }
  const plan: EnginePlan = {
    rules,
    detectors: input.detectors,
    includePlaceholders: input.includePlaceholders ?? false,
    scrub: input.scrub,
    overlap: Math.max(64, ...input.detectors.map((detector) => detector.maxBytes)) + 64,
    lookbehind: Math.max(16, ...input.detectors.map((detector) => detector.lookbehind)),
  };
  if (input.onKey) plan.onKey = input.onKey;
  if (input.inlineAllows === "report") plan.inlineAllows = "report";
  return plan;
}
