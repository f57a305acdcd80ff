import { createRequire } from "node:module";
import { LUMENFALL_DETECTOR_ID } from "../src/detectors/lumenfall/index.js";
import { defineRule, type KeyOccurrence } from "../src/engine/rule.js";
import { envFileKind } from "./env-files.js";
import { DASHBOARD_URL, GUIDE_URL } from "./support/guide.js";

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
 * It applies wherever keys are read — the working tree, ignored env files, the index, history,
 * client output — and concludes among the files of one scan.
 */
const rule = defineRule({
  meta: {
    id: "shared-key-across-environments",
    severity: "medium",
    practice: "Use separate keys for different environments",
    guideUrl: GUIDE_URL,
    why: "One key in several environments cannot be rotated, tracked or revoked for one of them alone; a leak anywhere is a leak everywhere.",
    fix: [
      `Create a key per environment at ${DASHBOARD_URL} (name them after the environment).`,
      "Put each in its own environment's config, and revoke the shared one ({identity}) once they are in place.",
    ],
    messages: {
      shared: "Lumenfall API key {{redacted}} is used in {{environments}}",
      sharedAlso: "Lumenfall API key {{redacted}} is used in {{environments}}; also in {{others}}",
    },
    appliesTo: { scopes: ["repository", "package", "local", "history", "shipped"], files: configuresEnvironment },
    revokeUrl: DASHBOARD_URL,
  },
  defaultOptions: {},
  check() {
    // Decided across files: see acrossFiles.
  },
  // A workflow's text is read for its jobs' `environment:`; the rule reports only about keys.
  text: { keywords: () => WORKFLOW_KEYWORDS, prefilter: () => ({ keywords: [] }) },
  acrossFiles: {
    collect: (file, keys, text) => environmentKeysOf(file.path, keys, text),
    conclude: (collected) =>
      findSharedKeys(collected as EnvironmentKey[]).map((place) => ({
        file: place.file,
        key: place.key,
        messageId: place.others.length > 0 ? "sharedAlso" : "shared",
        data: { redacted: place.key.redacted, environments: place.environments.join(" and "), others: place.others.join(", ") },
      })),
  },
  examples: { valid: [], invalid: [] },
});

export default rule;

const WORKFLOW_KEYWORDS: readonly string[] = ["environment"];

/** Files that can configure one environment: env files, compose files, deploy overlays, workflows. */
function configuresEnvironment(path: string): boolean {
  return environmentOfPath(path) !== null || isWorkflow(path);
}

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
 * `deploy/staging/…`. A plain `.env` has none. Workflows need their text: see `workflowEnvironments`.
 */
export function environmentOfPath(path: string): string | null {
  const parts = path.split("/");
  const name = parts[parts.length - 1] ?? "";
  if (envFileKind(path) === "env" && name.toLowerCase() !== ".env") {
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
 * The `environment:` of each job of a GitHub Actions workflow, with the lines the job spans
 * (1-based, inclusive): `environment: production`, or `environment: { name: production }`
 * (https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idenvironment).
 * Read with the `yaml` package, so any indentation and flow style works; a workflow that does
 * not parse has no environments.
 */
export function workflowEnvironments(text: string): Array<{ environment: string; fromLine: number; toLine: number }> {
  const { parseDocument, LineCounter, isMap, isScalar } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (document.errors.length > 0) return [];
  const jobs = document.get("jobs", true);
  if (!isMap(jobs)) return [];
  const found: Array<{ environment: string; fromLine: number; toLine: number }> = [];
  for (const pair of jobs.items) {
    const job = pair.value;
    if (!isMap(job) || !job.range) continue;
    const setting: unknown = job.get("environment", true);
    const name = isScalar(setting) ? setting.value : isMap(setting) ? (setting as { get(key: string): unknown }).get("name") : undefined;
    if (typeof name !== "string" || name === "") continue;
    const keyRange = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : job.range[0];
    // The job's node ends where the next key starts: a position at column 1 belongs to the line before.
    const end = lineCounter.linePos(job.range[1]);
    found.push({ environment: normalise(name), fromLine: lineCounter.linePos(keyRange).line, toLine: end.col === 1 ? end.line - 1 : end.line });
  }
  return found;
}

function normalise(name: string): string {
  return environmentOfWord(name) ?? name.toLowerCase();
}

export interface EnvironmentKey {
  file: string;
  environment: string;
  key: KeyOccurrence;
}

/** The Lumenfall keys of a file that configures an environment (by its name, or per workflow job). */
export function environmentKeysOf(path: string, keys: readonly KeyOccurrence[], text: string | null): EnvironmentKey[] {
  const lumenfall = keys.filter((key) => key.detector === LUMENFALL_DETECTOR_ID);
  const fromName = environmentOfPath(path);
  if (fromName !== null) return lumenfall.map((key) => ({ file: path, environment: fromName, key }));
  if (!isWorkflow(path) || text === null || lumenfall.length === 0) return [];
  const jobs = workflowEnvironments(text);
  const entries: EnvironmentKey[] = [];
  for (const key of lumenfall) {
    const job = jobs.find((candidate) => candidate.fromLine <= key.line && key.line <= candidate.toLine);
    if (job) entries.push({ file: path, environment: job.environment, key });
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
