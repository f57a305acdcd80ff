import { defineRule, type KeyOccurrence } from "../src/engine/rule.js";
import { envFileKind } from "./env-files.js";

/**
 * Use separate keys for different environments. When development, staging and production
 * share one key, rotating it means touching all of them at once, usage cannot be told apart,
 * and a leak from a laptop's `.env.development` is a production incident. Keys are compared by
 * fingerprint only; the environment of a file comes from its name (`.env.production`,
 * `docker-compose.staging.yml`, `overlays/prod/…`) or, for a GitHub workflow, from the job's
 * `environment:`.
 *
 * This rule looks across files: per file it keeps the keys of files that belong to an
 * environment, and once every file has been read it reports the keys found in two or more.
 */
const rule = defineRule({
  meta: {
    id: "shared-key-across-environments",
    severity: "medium",
    practice: "Use separate keys for different environments",
    guideUrl: "https://docs.lumenfall.ai/authentication#security-best-practices",
    why: "One key in several environments cannot be rotated, tracked or revoked for one of them alone; a leak anywhere is a leak everywhere.",
    fix: [
      "Create a key per environment at https://lumenfall.ai/app/api_keys (name them after the environment).",
      "Put each in its own environment's config, and revoke the shared one ({identity}) once they are in place.",
    ],
    precedence: 0,
  },
  message: (key) => `Lumenfall API key ${key.redacted} is used in more than one environment`,
  check() {
    // Decided across files: see acrossFiles.
  },
  acrossFiles: {
    collect: (file, keys, readText) => environmentKeysOf(file.path, keys, readText),
    conclude: (collected) =>
      findSharedKeys(collected as EnvironmentKey[]).map((place) => ({
        file: place.file,
        key: place.key,
        message: `Lumenfall API key ${place.key.redacted} is used in ${place.environments.join(" and ")}${place.others.length > 0 ? `; also in ${place.others.join(", ")}` : ""}`,
      })),
  },
  examples: { valid: [], invalid: [] },
});

export default rule;

const ENVIRONMENTS: ReadonlyArray<[string, RegExp]> = [
  ["production", /^(?:prod|production|prd|live)$/],
  ["staging", /^(?:staging|stage|stg|preprod|uat)$/],
  ["development", /^(?:dev|development|develop)$/],
  ["test", /^(?:test|testing|ci)$/],
  ["local", /^local$/],
];

function environmentOfWord(word: string): string | null {
  for (const [name, pattern] of ENVIRONMENTS) if (pattern.test(word.toLowerCase())) return name;
  return null;
}

/**
 * The environment a file configures, from its name: `.env.production`, `.env.staging.local`,
 * `.env.local` (local), `docker-compose.prod.yml`, `compose.staging.yaml`, `k8s/overlays/production/…`,
 * `deploy/staging/…`. A plain `.env` has none. Workflows need their text: see `environmentInWorkflow`.
 */
export function environmentOfPath(path: string): string | null {
  const parts = path.split("/");
  const name = parts[parts.length - 1] ?? "";
  if (envFileKind(path) === "env" && name !== ".env") {
    const words = name.slice(".env.".length).split(".");
    for (const word of words) {
      const environment = environmentOfWord(word);
      if (environment && environment !== "local") return environment;
    }
    return words.includes("local") ? "local" : null;
  }
  const compose = /^(?:docker-)?compose[.-]([a-z]+)\.ya?ml$/i.exec(name);
  if (compose) return environmentOfWord(compose[1] as string);
  const dirs = parts.slice(0, -1);
  const overlay = dirs.findIndex((dir) => dir === "overlays" || dir === "environments" || dir === "envs" || dir === "deploy" || dir === "k8s");
  if (overlay !== -1) {
    for (const dir of dirs.slice(overlay + 1)) {
      const environment = environmentOfWord(dir);
      if (environment) return environment;
    }
  }
  return null;
}

export function isWorkflow(path: string): boolean {
  return /(?:^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

/**
 * The `environment:` of the workflow job holding `line` (1-based): `environment: production`,
 * or `environment:` with `name: production` under it. Jobs are the blocks indented under `jobs:`.
 */
export function environmentInWorkflow(text: string, line: number): string | null {
  const lines = text.split(/\r?\n/);
  const indentOf = (row: string) => row.length - row.trimStart().length;
  let header = -1;
  for (let at = line - 1; at >= 0 && header === -1; at--) {
    const row = lines[at] ?? "";
    if (row.trim() && indentOf(row) === 2 && /^\s{2}[\w-]+:\s*$/.test(row)) header = at;
  }
  if (header === -1) return null;
  for (let at = header + 1; at < lines.length; at++) {
    const row = lines[at] ?? "";
    if (row.trim() && indentOf(row) <= 2) break;
    const inline = /^\s{4}environment:\s*['"]?([\w-]+)/.exec(row);
    if (inline) return normalise(inline[1] as string);
    const named = /^\s{6}name:\s*['"]?([\w-]+)/.exec(row);
    if (named && /^\s{4}environment:\s*$/.test(lines[at - 1] ?? "")) return normalise(named[1] as string);
  }
  return null;
}

function normalise(name: string): string {
  return environmentOfWord(name) ?? name.toLowerCase();
}

export interface EnvironmentKey {
  file: string;
  environment: string;
  key: KeyOccurrence;
}

/** The keys of a file that configures an environment (by its name, or per workflow job). */
export function environmentKeysOf(path: string, keys: readonly KeyOccurrence[], readText: () => string): EnvironmentKey[] {
  const fromName = environmentOfPath(path);
  if (fromName !== null) return keys.map((key) => ({ file: path, environment: fromName, key }));
  if (!isWorkflow(path)) return [];
  const text = readText();
  const entries: EnvironmentKey[] = [];
  for (const key of keys) {
    const environment = environmentInWorkflow(text, key.line);
    if (environment !== null) entries.push({ file: path, environment, key });
  }
  return entries;
}

/** Keys (by fingerprint) that appear in files of two or more environments, one entry per place. */
export function findSharedKeys(entries: readonly EnvironmentKey[]): Array<EnvironmentKey & { environments: string[]; others: string[] }> {
  const byKey = new Map<string, EnvironmentKey[]>();
  for (const entry of entries) byKey.set(entry.key.fingerprint, [...(byKey.get(entry.key.fingerprint) ?? []), entry]);
  const shared: Array<EnvironmentKey & { environments: string[]; others: string[] }> = [];
  for (const places of byKey.values()) {
    const environments = [...new Set(places.map((place) => place.environment))].sort();
    if (environments.length < 2) continue;
    for (const place of places) {
      shared.push({ ...place, environments, others: [...new Set(places.filter((other) => other.file !== place.file).map((other) => other.file))] });
    }
  }
  return shared;
}
