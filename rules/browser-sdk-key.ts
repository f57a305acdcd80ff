import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { DEFAULT_PREFIX_OPTIONS, NAMES_LUMENFALL, isLumenfallKeyName, isScreamingCase, prefixOptionsFrom, publicPrefixOf, type PrefixOptions } from "./support/env-names.js";
import { envFacts } from "./support/env-reads.js";
import { DASHBOARD_URL, GUIDE_URL } from "./support/guide.js";
import { jsFacts, type JsFacts } from "./support/js-facts.js";
import { clientFacts } from "./support/lumenfall-clients.js";
import { NameReporter } from "./support/positions.js";
import { codeKind } from "./support/source-files.js";

/**
 * Never expose API keys in client-side code. The OpenAI SDK refuses to run in a browser unless
 * told `dangerouslyAllowBrowser: true`; pointed at Lumenfall, that flag means a Lumenfall key
 * is in the page, whatever variable it came from. A `"use client"` module runs in the browser
 * too, so a Lumenfall key variable read there is on its way to the client.
 * Literal keys stay `lumenfall-key`'s and public-prefixed variables `public-env-prefix`'s (the
 * same `publicEnvPrefixes` option tells which): this rule marks the SDK construction and key
 * variables, where no literal is present.
 */
const SOURCE_KEYWORDS = ["AllowBrowser", "use client"];
const BUNDLE_KEYWORDS = ["AllowBrowser"];

function isCode(path: string): boolean {
  const kind = codeKind(path);
  return kind === "script" || kind === "component";
}

export default defineRule<PrefixOptions>({
  meta: {
    id: "browser-sdk-key",
    severity: "high",
    practice: "Never expose API keys in client-side code",
    guideUrl: GUIDE_URL,
    why: "Code that runs in the browser can be read by every visitor: a key it uses can be copied from the page or the network tab and abused.",
    fix: [
      "Proxy Lumenfall requests through your own backend (an API route, server action or edge function); construct the OpenAI client there, without dangerouslyAllowBrowser.",
      'Keep the key server-side (LUMENFALL_API_KEY, no public prefix) and read it only in server code, never in a "use client" module.',
      `If the key already shipped to browsers, revoke it at ${DASHBOARD_URL} ({identity}) and create a new one.`,
    ],
    messages: {
      browserFlag:
        "An OpenAI-compatible client pointed at api.lumenfall.ai is built with dangerouslyAllowBrowser: true: its Lumenfall key ships to every visitor's browser",
      clientModule: '{{name}} is read in a "use client" module: this code runs in the browser, so the Lumenfall key would ship to every visitor',
    },
    appliesTo: { scopes: ["repository", "package", "shipped"], files: isCode },
    revokeUrl: DASHBOARD_URL,
  },
  defaultOptions: DEFAULT_PREFIX_OPTIONS,
  optionsFromConfig: (config) => prefixOptionsFrom(config),
  text: {
    // "AllowBrowser" starts with a rare letter, so it is found fast; shipped code is checked
    // for the SDK flag only ("use client" means nothing in built output).
    keywords: (_options, file) => (file.scope === "shipped" ? BUNDLE_KEYWORDS : SOURCE_KEYWORDS),
    // A Lumenfall base URL or key variable names Lumenfall: most "use client" files are never decoded.
    alsoNeeds: NAMES_LUMENFALL,
    prefilter: (_options, scope) => ({ keywords: scope === "shipped" ? BUNDLE_KEYWORDS : SOURCE_KEYWORDS, also: NAMES_LUMENFALL }),
  },
  check(context) {
    const { text, file } = context;
    if (text === null) return;
    const facts = jsFacts(text, file.path);
    const reporter = new NameReporter(context, text);
    for (const flag of clientFacts(facts).browserFlags) reporter.report(flag.keyStart, flag.key, "browserFlag", {});
    const shipped = file.scope === "shipped";
    if (!shipped && codeKind(file.path) === "script" && facts.hasDirective("use client")) reportKeyVariables(context, facts, reporter);
  },
  examples: {
    valid: [
      { code: "const client = new OpenAI({\n  apiKey: process.env.LUMENFALL_API_KEY,\n  baseURL: \"https://api.lumenfall.ai/openai/v1\",\n});", path: "app/api/chat/route.ts", note: "server code" },
      { code: "const openai = new OpenAI({ apiKey: userKey, dangerouslyAllowBrowser: true });", path: "src/byok.ts", note: "not pointed at Lumenfall" },
      { code: "new OpenAI({ baseURL: \"https://api.lumenfall.ai/openai/v1\", dangerouslyAllowBrowser: false });", path: "src/ai.ts" },
      {
        code: "// new OpenAI({ baseURL: \"https://api.lumenfall.ai\", dangerouslyAllowBrowser: true })\nconst doc = \"dangerouslyAllowBrowser: true with api.lumenfall.ai is forbidden\";",
        path: "src/lint.ts",
        note: "comments and strings",
      },
      { code: "\"use client\";\nexport function Chat() {\n  return fetch(\"/api/chat\", { method: \"POST\" });\n}", path: "app/chat.tsx", note: "a client module that proxies through the backend" },
      { code: "import \"server-only\";\nconst key = process.env.LUMENFALL_API_KEY;", path: "lib/lumenfall.ts", note: "no directive: server code" },
      { code: "import x from \"y\";\n\"use client\";\nconst key = process.env.LUMENFALL_API_KEY;", path: "lib/late.ts", note: "a string after an import is no directive" },
      { code: "\"use client\";\nconst key = process.env.NEXT_PUBLIC_LUMENFALL_API_KEY;", path: "app/chat.tsx", note: "public-env-prefix's (more specific)" },
      { code: "'use client';\nconst client = new OpenAI({ apiKey: \"{{key}}\" });", path: "app/chat.tsx", note: "a literal key is lumenfall-key's" },
      { code: "\"use client\";\nconst url = process.env.LUMENFALL_BASE_URL;\ntype Env = { LUMENFALL_API_KEY: string };\nconst note = \"LUMENFALL_API_KEY is server-only\";", path: "app/info.tsx", note: "a URL, a type, a string" },
      { code: "\"use server\";\nconst key = process.env.LUMENFALL_API_KEY;", path: "app/actions.ts", note: "a server action" },
      { code: "\"use client\";\nconst [lumenfallApiKey, setKey] = useState(\"\");", path: "app/settings.tsx", note: "a user's own key typed into a form" },
    ],
    invalid: [
      {
        code: "const client = new OpenAI({\n  apiKey: import.meta.env.VITE_AI_KEY,\n  baseURL: \"https://api.lumenfall.ai/openai/v1\",\n  dangerouslyAllowBrowser: true,\n});",
        path: "src/client.ts",
        findings: [{ line: 4, column: 3, severity: "high" }],
      },
      {
        code: "const client = new OpenAI({ apiKey: \"{{key}}\", baseURL: \"https://api.lumenfall.ai/openai/v1\", dangerouslyAllowBrowser: true });",
        path: "src/client.js",
        note: "with a literal key too",
        findings: [{ line: 1, column: 145, severity: "high" }],
      },
      {
        code: "const BASE_URL = \"https://api.lumenfall.ai/openai/v1\";\nexport const ai = new OpenAI({ apiKey, baseURL: BASE_URL, dangerouslyAllowBrowser: true });",
        path: "src/ai.ts",
        note: "the base URL through a const",
        findings: [{ line: 2, column: 59, severity: "high" }],
      },
      { code: "new AzureOpenAI({ endpoint: \"https://api.lumenfall.ai\", apiKey, dangerouslyAllowBrowser: true });", path: "src/azure.ts", findings: [{ line: 1, column: 65, severity: "high" }] },
      {
        code: "const API = \"https://api.lumenfall.ai\";\nconst lumenfall = createOpenAI({ baseURL: `${API}/openai/v1`, apiKey, dangerouslyAllowBrowser: true });",
        path: "src/provider.ts",
        findings: [{ line: 2, column: 71, severity: "high" }],
      },
      {
        code: "const model = new ChatOpenAI({\n  model: \"gpt-4o\",\n  configuration: { baseURL: LUMENFALL_URL },\n  dangerouslyAllowBrowser: true,\n});",
        path: "src/chain.ts",
        note: "LangChain",
        findings: [{ line: 4, column: 3, severity: "high" }],
      },
      {
        code: "const options = { baseURL: process.env.NEXT_PUBLIC_LUMENFALL_BASE_URL, dangerouslyAllowBrowser: true };\nexport const client = new OpenAI(options);",
        path: "lib/client.ts",
        note: "options built first",
        findings: [{ line: 1, column: 72, severity: "high" }],
      },
      { code: "const c=new Xe({apiKey:t,baseURL:\"https://api.lumenfall.ai/openai/v1\",dangerouslyAllowBrowser:!0});", path: "dist/assets/index-4f3a.js", note: "minified", findings: [{ line: 1, column: 71, severity: "high" }] },
      {
        code: "<script setup>\nconst client = new OpenAI({ baseURL: \"https://api.lumenfall.ai/openai/v1\", apiKey: key, dangerouslyAllowBrowser: true });\n</script>",
        path: "src/App.vue",
        findings: [{ line: 2, column: 89, severity: "high" }],
      },
      { code: "\"use client\";\n\nexport function useLumenfall() {\n  return process.env.LUMENFALL_API_KEY;\n}", path: "app/hooks.ts", findings: [{ line: 4, column: 22, severity: "high" }] },
      {
        code: "/** Chat box */\n// eslint-disable-next-line\n'use client'\nimport { LUMENFALL_TOKEN } from \"../config\";",
        path: "app/chat.jsx",
        note: "directive after comments; an imported key constant",
        findings: [{ line: 4, column: 10, severity: "high" }],
      },
      { code: "\"use client\";\nconst key = process.env[\"LUMENFALL_API_KEY\"];", path: "app/a.tsx", findings: [{ line: 2, column: 26, severity: "high" }] },
      { code: "\"use client\";\nconst { LUMENFALL_API_KEY: key } = process.env;", path: "app/b.tsx", findings: [{ line: 2, column: 9, severity: "high" }] },
      { code: "\"use client\";\nimport { env } from \"~/env\";\nconst client = createClient(env.LUMENFALL_API_KEY);", path: "app/c.tsx", note: "t3-env", findings: [{ line: 3, column: 33, severity: "high" }] },
    ],
  },
});

/** Lumenfall key variables read in a `"use client"` module (public-prefixed ones are public-env-prefix's). */
function reportKeyVariables(context: RuleContext<PrefixOptions>, facts: JsFacts, reporter: NameReporter): void {
  const prefixes = context.options.publicEnvPrefixes;
  const places: Array<{ start: number; name: string }> = [];
  for (const read of envFacts(facts).reads) places.push({ start: read.start, name: read.name });
  facts.tokens.forEach((token, at) => {
    // Env-style constants (`LUMENFALL_API_KEY` from a config module); camelCase locals are too often a user's own key.
    if (token.kind === "name" && isScreamingCase(token.value) && !facts.isPropKey(at)) places.push({ start: token.start, name: token.value });
  });
  places.sort((a, b) => a.start - b.start);
  for (const { start, name } of places) {
    if (isLumenfallKeyName(name) && publicPrefixOf(name, prefixes) === null) reporter.report(start, name, "clientModule", { name });
  }
}
