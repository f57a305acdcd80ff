import type { RuleSettings } from "./rule.js";

/** SPEC §2 public-env-prefix: prefixes that bundlers inline into browser code. */
export const BUILT_IN_PUBLIC_PREFIXES = ["NEXT_PUBLIC_", "VITE_", "REACT_APP_", "EXPO_PUBLIC_", "PUBLIC_", "NUXT_PUBLIC_", "GATSBY_", "STORYBOOK_"];

export const DEFAULT_SETTINGS: RuleSettings = { publicEnvPrefixes: BUILT_IN_PUBLIC_PREFIXES };

/** The built-in prefixes plus the config's `publicEnvPrefixes`. */
export function settingsFor(extraPrefixes: readonly string[] | undefined): RuleSettings {
  if (!extraPrefixes || extraPrefixes.length === 0) return DEFAULT_SETTINGS;
  return { publicEnvPrefixes: [...new Set([...BUILT_IN_PUBLIC_PREFIXES, ...extraPrefixes])] };
}
