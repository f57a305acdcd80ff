import type { Rule } from "../src/engine/rule.js";
import browserSdkKey from "./browser-sdk-key.js";
import clientBundleKey from "./client-bundle-key.js";
import dotenvTracked from "./dotenv-tracked.js";
import dotenvUnignored from "./dotenv-unignored.js";
import keyInHistory from "./key-in-history.js";
import keyRotationDue from "./key-rotation-due.js";
import lumenfallKey from "./lumenfall-key.js";
import publicEnvPrefix from "./public-env-prefix.js";
import scanSettingsChanged from "./scan-settings-changed.js";
import sharedKeyAcrossEnvironments from "./shared-key-across-environments.js";

/** Every rule, in one explicit list (no discovery magic). */
export const rules: readonly Rule[] = [lumenfallKey, keyInHistory, clientBundleKey, dotenvTracked, dotenvUnignored, publicEnvPrefix, browserSdkKey, sharedKeyAcrossEnvironments, keyRotationDue, scanSettingsChanged];

export function ruleById(id: string): Rule | undefined {
  return rules.find((rule) => rule.meta.id === id);
}
