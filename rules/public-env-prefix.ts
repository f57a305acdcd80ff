import { defineRule, type FileFacts, type RuleContext } from "../src/engine/rule.js";
import { envFileKind } from "./env-files.js";
import { configAssignments, isExpoConfig, type ConfigAssignment } from "./support/config-assignments.js";
import { envAssignments } from "./support/env-assignments.js";
import { DEFAULT_PREFIX_OPTIONS, NAMES_LUMENFALL, exposureData, isCredentialLike, isLumenfallKeyName, isPlaceholderValue, isUrlValue, prefixOptionsFrom, publicPrefixOf, type PrefixOptions } from "./support/env-names.js";
import { envFacts } from "./support/env-reads.js";
import { DASHBOARD_URL, GUIDE_URL } from "./support/guide.js";
import { jsFacts, type JsFacts, type Range } from "./support/js-facts.js";
import { clientFacts } from "./support/lumenfall-clients.js";
import { keyBetween, NameReporter } from "./support/positions.js";
import { codeKind } from "./support/source-files.js";

/**
 * Never expose API keys in client-side code. Bundlers copy every variable with a public prefix
 * (`NEXT_PUBLIC_`, `VITE_`, `REACT_APP_`, …) into the JavaScript they send to browsers, so a
 * Lumenfall key in such a variable is public however well the `.env` file is kept out of git.
 * Reported where the value is assigned (`.env*`, ignored ones included; build configs; Expo
 * `extra`) and where code reads it. The prefixes are the rule's option `publicEnvPrefixes`: the
 * built-in ones plus the config's top-level `publicEnvPrefixes`.
 */
const CONFIG_PLACES: Record<ConfigAssignment["place"], string> = {
  "next-env": "is set in next.config env, which Next.js inlines into the browser bundle",
  "next-runtime-config": "is set in next.config publicRuntimeConfig, which Next.js sends to the browser",
  define: "is inlined into client code by define",
  "expo-extra": "is set in Expo's extra config, which ships inside the app",
};

/**
 * Which literals make a file worth reading: a public prefix (rare first letters, fast to find)
 * — except in Next.js and Expo configs, which ship names without one, where Lumenfall's names
 * count too. One array per options object and kind, as the engine caches by identity.
 */
const prefixesOnly = new WeakMap<PrefixOptions, readonly string[]>();
const prefixesAndNames = new WeakMap<PrefixOptions, readonly string[]>();
const NEXT_CONFIG = /(?:^|\/)next\.config\.[cm]?[jt]s$/;

function keywordsFor(options: PrefixOptions, file: FileFacts): readonly string[] {
  const withNames = NEXT_CONFIG.test(file.path) || isExpoConfig(file.path);
  const cache = withNames ? prefixesAndNames : prefixesOnly;
  let words = cache.get(options);
  if (!words) cache.set(options, (words = withNames ? [...options.publicEnvPrefixes, ...NAMES_LUMENFALL] : [...options.publicEnvPrefixes]));
  return words;
}

/** Env files, code, and Expo's JSON config. */
function readsFile(path: string): boolean {
  const kind = codeKind(path);
  return envFileKind(path) !== null || kind === "script" || kind === "component" || isExpoConfig(path);
}

const EXPOSED = "({{prefix}} prefix): anyone who {{who}} can read the key";

export default defineRule<PrefixOptions>({
  meta: {
    id: "public-env-prefix",
    severity: "high",
    practice: "Never expose API keys in client-side code",
    guideUrl: GUIDE_URL,
    why: "Bundlers inline variables with a public prefix into the JavaScript every visitor downloads, so the key is readable by anyone who opens the page.",
    fix: [
      "Proxy Lumenfall requests through your own backend (an API route, server action or edge function) and call that from the browser.",
      "Keep the key server-side in a variable without a public prefix (LUMENFALL_API_KEY) and read it only in server code.",
      `If the key was ever built into a deployed bundle, revoke it at ${DASHBOARD_URL} ({identity}) and create a new one.`,
    ],
    messages: {
      exposed: `{{name}} {{how}} ${EXPOSED}`,
      exposedHolding: `{{name}} holds the Lumenfall key {{redacted}} and {{how}} ${EXPOSED}`,
      exposedClientKey: `{{name}}, the API key of a client pointed at Lumenfall, {{how}} ${EXPOSED}`,
      configPlace: "{{name}} {{place}}: anyone who {{who}} can read the key",
      configPlaceHolding: "{{name}} holds the Lumenfall key {{redacted}} and {{place}}: anyone who {{who}} can read the key",
    },
    // Not history (key-in-history's) nor client output (client-bundle-key's); ignored env files count.
    appliesTo: { scopes: ["repository", "package", "local"], files: readsFile },
    revokeUrl: DASHBOARD_URL,
  },
  defaultOptions: DEFAULT_PREFIX_OPTIONS,
  optionsFromConfig: (config) => prefixOptionsFrom(config),
  text: {
    keywords: keywordsFor,
    // Every finding needs the file to name Lumenfall (a variable, a base URL) or hold a key: few files do.
    alsoNeeds: NAMES_LUMENFALL,
    // Next.js and Expo configs count Lumenfall's names as keywords: those few files are always read.
    prefilter: (options) => ({ keywords: options.publicEnvPrefixes, also: NAMES_LUMENFALL, paths: (path) => NEXT_CONFIG.test(path) || isExpoConfig(path) }),
  },
  check(context) {
    const { text, file } = context;
    if (text === null) return;
    const reporter = new NameReporter(context, text);
    const envKind = envFileKind(file.path);
    if (envKind !== null) checkEnvFile(context, text, reporter, envKind === "template");
    else if (codeKind(file.path) !== null) checkCode(context, jsFacts(text, file.path), reporter);
  },
  examples: {
    valid: [
      { code: "LUMENFALL_API_KEY={{key}}", path: ".env", note: "no public prefix: the key stays on the server" },
      { code: "VITE_LUMENFALL_BASE_URL=https://api.lumenfall.ai/openai/v1\nNEXT_PUBLIC_LUMENFALL_MODEL=flux.1-schnell", path: ".env", note: "a URL and a model name" },
      { code: "VITE_LUMENFALL_API_KEY=lmnfl_your_api_key\nNEXT_PUBLIC_LUMENFALL_TOKEN=", path: ".env.example", note: "a template with placeholders" },
      { code: "NEXT_PUBLIC_LUMENFALL_API_KEY=<your key here>", path: ".env.local", note: "a placeholder value" },
      { code: "const client = new OpenAI({ apiKey: process.env.LUMENFALL_API_KEY, baseURL: LUMENFALL_URL });", path: "app/api/chat/route.ts", note: "server code" },
      { code: "// never read import.meta.env.VITE_LUMENFALL_API_KEY in the browser\nconst hint = \"process.env.NEXT_PUBLIC_LUMENFALL_API_KEY is forbidden\";", path: "src/lint.ts", note: "comments and strings" },
      { code: "const doc = `set import.meta.env.VITE_LUMENFALL_API_KEY`;\nconst re = /process\\.env\\.NEXT_PUBLIC_LUMENFALL_TOKEN/;", path: "src/doc.js", note: "template text and a regular expression" },
      { code: "interface ImportMetaEnv {\n  readonly VITE_LUMENFALL_API_KEY: string\n}", path: "src/vite-env.d.ts", note: "a type declaration reads nothing" },
      { code: "new OpenAI({ apiKey: import.meta.env.VITE_OPENAI_KEY, dangerouslyAllowBrowser: true });", path: "src/openai.ts", note: "not a Lumenfall client" },
      { code: "export default defineConfig({\n  define: { __LUMENFALL_KEY__: JSON.stringify(process.env.LUMENFALL_API_KEY) },\n});", path: "vite.config.ts", note: "define without a public prefix is out of scope" },
      { code: "module.exports = {\n  env: { NEXT_PUBLIC_LUMENFALL_BASE_URL: \"https://api.lumenfall.ai/openai/v1\" },\n};", path: "next.config.js" },
      { code: "{ \"expo\": { \"extra\": { \"lumenfallBaseUrl\": \"https://api.lumenfall.ai/openai/v1\", \"eas\": { \"projectId\": \"x\" } } } }", path: "app.json" },
      { code: "VITE_LUMENFALL_API_KEY=lmnfl_...", path: "docs/setup.md", note: "documentation is not an env file" },
      { code: "const model = import.meta.env.VITE_LUMENFALL_MODEL;\nconst url = process.env.NEXT_PUBLIC_LUMENFALL_KEY_URL;", path: "src/config.ts", note: "names that describe, not hold" },
    ],
    invalid: [
      { code: "VITE_LUMENFALL_API_KEY={{key}}", path: ".env.local", findings: [{ line: 1, column: 1, severity: "high" }] },
      { code: "# production\nexport NEXT_PUBLIC_LUMENFALL_API_KEY=\"{{key}}\"", path: "apps/web/.env.production", findings: [{ line: 2, column: 8, severity: "high" }] },
      { code: "VITE_AI_KEY={{key}}", path: ".env.example", note: "a template holding a real key", findings: [{ line: 1, column: 1, severity: "high" }] },
      { code: "NEXT_PUBLIC_AI_TOKEN=${LUMENFALL_API_KEY}", path: ".env", note: "dotenv-expand copies the key", findings: [{ line: 1, column: 1, severity: "high" }] },
      { code: "const apiKey = import.meta.env.VITE_LUMENFALL_API_KEY;", path: "src/lib/ai.ts", findings: [{ line: 1, column: 32, severity: "high" }] },
      { code: "const key = process.env[\"NEXT_PUBLIC_LUMENFALL_TOKEN\"];", path: "lib/ai.js", note: "bracket access", findings: [{ line: 1, column: 26, severity: "high" }] },
      { code: "const { VITE_LUMENFALL_API_KEY: apiKey } = import.meta.env;", path: "src/ai.tsx", note: "destructuring", findings: [{ line: 1, column: 9, severity: "high" }] },
      {
        code: "import OpenAI from \"openai\";\nconst client = new OpenAI({\n  apiKey: import.meta.env.VITE_AI_KEY,\n  baseURL: \"https://api.lumenfall.ai/openai/v1\",\n});",
        path: "src/client.ts",
        note: "the API key of a client pointed at Lumenfall",
        findings: [{ line: 3, column: 27, severity: "high" }],
      },
      {
        code: "await fetch(\"https://api.lumenfall.ai/openai/v1/images/generations\", {\n  method: \"POST\",\n  headers: { Authorization: `Bearer ${process.env.NEXT_PUBLIC_AI_TOKEN}` },\n});",
        path: "app/generate.tsx",
        note: "the Authorization header of a request to Lumenfall",
        findings: [{ line: 3, column: 51, severity: "high" }],
      },
      { code: "module.exports = {\n  env: {\n    NEXT_PUBLIC_LUMENFALL_API_KEY: \"{{key}}\",\n  },\n};", path: "next.config.js", findings: [{ line: 3, column: 5, severity: "high" }] },
      {
        code: "export default defineConfig({\n  define: {\n    \"import.meta.env.VITE_LUMENFALL_API_KEY\": JSON.stringify(process.env.LUMENFALL_API_KEY),\n  },\n});",
        path: "vite.config.ts",
        findings: [{ line: 3, column: 22, severity: "high" }],
      },
      { code: "new webpack.DefinePlugin({\n  \"process.env.REACT_APP_LUMENFALL_KEY\": JSON.stringify(\"{{key}}\"),\n});", path: "config/webpack.config.js", findings: [{ line: 2, column: 16, severity: "high" }] },
      { code: "{\n  \"expo\": {\n    \"extra\": {\n      \"EXPO_PUBLIC_LUMENFALL_API_KEY\": \"{{key}}\"\n    }\n  }\n}", path: "app.json", findings: [{ line: 4, column: 8, severity: "high" }] },
      { code: "export default { expo: { extra: { lumenfallApiKey: process.env.LUMENFALL_API_KEY } } };", path: "app.config.js", note: "Expo extra ships inside the app", findings: [{ line: 1, column: 35, severity: "high" }] },
      { code: "<script>\n  import { PUBLIC_LUMENFALL_API_KEY } from \"$env/static/public\";\n</script>\n<p>Don't share {import.meta.env.PUBLIC_LUMENFALL_TOKEN}</p>", path: "src/routes/+page.svelte", findings: [{ line: 2, column: 12, severity: "high" }, { line: 4, column: 33, severity: "high" }] },
      { code: "<template><p>{{ msg }}</p></template>\n<script setup>\nconst key = import.meta.env.VITE_LUMENFALL_SECRET\n</script>", path: "src/App.vue", findings: [{ line: 3, column: 29, severity: "high" }] },
      { code: "\"use client\";\nconst key = process.env.NEXT_PUBLIC_LUMENFALL_API_KEY;", path: "app/chat.tsx", note: "in a client module: this rule, not browser-sdk-key", findings: [{ line: 2, column: 25, severity: "high" }] },
    ],
  },
});

function checkEnvFile(context: RuleContext<PrefixOptions>, text: string, reporter: NameReporter, template: boolean): void {
  for (const assignment of envAssignments(text)) {
    const prefix = publicPrefixOf(assignment.name, context.options.publicEnvPrefixes);
    if (prefix === null) continue;
    const key = keyBetween(context, reporter.positions, assignment.valueStart, assignment.valueEnd);
    if (key) reporter.report(assignment.nameAt, assignment.name, "exposedHolding", { ...exposureData(assignment.name, prefix), redacted: key.redacted }, key);
    if (key || template || isUrlValue(assignment.value)) continue;
    // `VITE_AI_KEY=${LUMENFALL_API_KEY}` (dotenv-expand) carries the key as surely as the key itself.
    const carries = isCredentialLike(assignment.name) && /\$\{?[A-Za-z_]*LUMENFALL[A-Za-z_]*(KEY|TOKEN|SECRET)\b/i.test(assignment.value);
    if ((isLumenfallKeyName(assignment.name) && !isPlaceholderValue(assignment.value)) || carries) {
      reporter.report(assignment.nameAt, assignment.name, "exposed", exposureData(assignment.name, prefix));
    }
  }
}

function checkCode(context: RuleContext<PrefixOptions>, facts: JsFacts, reporter: NameReporter): void {
  // Assignment sites first: a config line that also reads the variable is reported at its name once.
  for (const assignment of configAssignments(facts, context.file.path)) checkConfigAssignment(context, facts, reporter, assignment);
  const prefixes = context.options.publicEnvPrefixes;
  const { keyVariables } = clientFacts(facts);
  for (const read of envFacts(facts).reads) {
    const prefix = publicPrefixOf(read.name, prefixes);
    if (prefix === null) continue;
    if (isLumenfallKeyName(read.name)) reporter.report(read.start, read.name, "exposed", exposureData(read.name, prefix));
    else if (keyVariables.has(read.name)) reporter.report(read.start, read.name, "exposedClientKey", exposureData(read.name, prefix));
  }
}

function checkConfigAssignment(context: RuleContext<PrefixOptions>, facts: JsFacts, reporter: NameReporter, assignment: ConfigAssignment): void {
  const { name, value, place } = assignment;
  const prefix = publicPrefixOf(name, context.options.publicEnvPrefixes);
  if (prefix === null && place === "define") return;
  const first = facts.tokens[value.from];
  const last = facts.tokens[value.to - 1];
  if (!first || !last) return;
  const key = keyBetween(context, reporter.positions, first.start, last.end);
  const literal = value.to === value.from + 1 && first.kind === "string" ? first.value : null;
  const carries = key !== undefined || (literal === null ? readsLumenfallKey(facts, value) : !isUrlValue(literal) && !isPlaceholderValue(literal) && isLumenfallKeyName(name));
  if (!carries && !(literal === null && isLumenfallKeyName(name))) return;
  const holds: Record<string, string> = key ? { redacted: key.redacted } : {};
  if (prefix !== null && place !== "expo-extra") {
    reporter.report(assignment.start, name, key ? "exposedHolding" : "exposed", { ...exposureData(name, prefix), ...holds }, key);
  } else {
    const who = place === "expo-extra" ? "installs the app" : "loads the page";
    reporter.report(assignment.start, name, key ? "configPlaceHolding" : "configPlace", { name, place: CONFIG_PLACES[place], who, ...holds }, key);
  }
}

/** The value names a Lumenfall key variable: `process.env.LUMENFALL_API_KEY`, `env["LUMENFALL_TOKEN"]`. */
function readsLumenfallKey(facts: JsFacts, value: Range): boolean {
  for (let at = value.from; at < value.to; at++) {
    const token = facts.tokens[at]!;
    const named = token.kind === "name" || (token.kind === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(token.value));
    if (named && isLumenfallKeyName(token.value)) return true;
  }
  return false;
}
