import type { JsFacts, Range } from "./js-facts.js";
import { baseName } from "./source-files.js";

/**
 * Where build configs hand a value to client code:
 * Next.js `env` and `publicRuntimeConfig` in `next.config.*`; `define` in `vite.config.*` and
 * the other `*.config.*` files that take Vite options; webpack's `DefinePlugin` anywhere;
 * Expo's `extra` in `app.json` / `app.config.*`.
 */
export type ConfigPlace = "next-env" | "next-runtime-config" | "define" | "expo-extra";

export interface ConfigAssignment {
  name: string;
  /** Offset of the variable's name in the file. */
  start: number;
  value: Range;
  place: ConfigPlace;
}

const NEXT_CONFIG = /^next\.config\.[cm]?[jt]s$/;
const TOOL_CONFIG = /\.config\.[cm]?[jt]s$/;
const EXPO_CONFIG = /^app\.(json|config\.[cm]?[jt]s|config\.json)$/;
const ENV_OBJECTS = ["import.meta.env.", "process.env."];

export function isExpoConfig(path: string): boolean {
  return EXPO_CONFIG.test(baseName(path));
}

export function configAssignments(facts: JsFacts, path: string): ConfigAssignment[] {
  const name = baseName(path);
  const places = new Map<string, ConfigPlace>();
  if (NEXT_CONFIG.test(name)) places.set("env", "next-env").set("publicRuntimeConfig", "next-runtime-config");
  if (TOOL_CONFIG.test(name)) places.set("define", "define");
  if (EXPO_CONFIG.test(name)) places.set("extra", "expo-extra");
  const found: ConfigAssignment[] = [];
  const { tokens } = facts;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === "name" && token.value === "DefinePlugin" && facts.isPunct(i + 1, "(") && facts.isPunct(i + 2, "{")) {
      defineEntries(facts, i + 2, found);
      continue;
    }
    const place = (token.kind === "name" || token.kind === "string") && facts.isPunct(i + 1, ":") ? places.get(token.value) : undefined;
    if (place === undefined || !facts.isPunct(i + 2, "{")) continue;
    if (place === "define") defineEntries(facts, i + 2, found);
    else for (const prop of facts.objectProps(i + 2)) if (!prop.spread && prop.key !== "") found.push({ name: prop.key, start: prop.keyStart, value: prop, place });
  }
  return found;
}

/** `"import.meta.env.VITE_X": …`, `"process.env": { REACT_APP_X: … }`, `VITE_X: …`. */
function defineEntries(facts: JsFacts, open: number, found: ConfigAssignment[]): void {
  for (const prop of facts.objectProps(open)) {
    if (prop.spread || prop.key === "") continue;
    const inner = facts.objectAt(prop);
    if (inner !== -1 && ENV_OBJECTS.includes(`${prop.key}.`)) {
      defineEntries(facts, inner, found);
      continue;
    }
    const envObject = ENV_OBJECTS.find((prefix) => prop.key.startsWith(prefix));
    const name = envObject ? prop.key.slice(envObject.length) : prop.key;
    found.push({ name, start: prop.keyEnd - name.length, value: prop, place: "define" });
  }
}
