/**
 * What a variable's name says about it (for public-env-prefix and browser-sdk-key): whether it
 * is credential-like, whether it names Lumenfall, and which public prefix — and so which
 * bundler — sends it to the browser.
 */

/** Prefixes that bundlers inline into browser code; config `publicEnvPrefixes` adds more. */
export const BUILT_IN_PUBLIC_PREFIXES: readonly string[] = ["NEXT_PUBLIC_", "VITE_", "REACT_APP_", "EXPO_PUBLIC_", "PUBLIC_", "NUXT_PUBLIC_", "GATSBY_", "STORYBOOK_"];

/** The options of the rules that read public prefixes; `publicEnvPrefixes` in the config adds to the built-in ones. */
export interface PrefixOptions {
  publicEnvPrefixes: readonly string[];
}

export const DEFAULT_PREFIX_OPTIONS: PrefixOptions = { publicEnvPrefixes: BUILT_IN_PUBLIC_PREFIXES };

/** The options for a config: its `publicEnvPrefixes` after the built-in ones. */
export function prefixOptionsFrom(config: { publicEnvPrefixes?: string[] }): PrefixOptions {
  const extra = config.publicEnvPrefixes ?? [];
  return extra.length === 0 ? DEFAULT_PREFIX_OPTIONS : { publicEnvPrefixes: [...new Set([...BUILT_IN_PUBLIC_PREFIXES, ...extra])] };
}
/** Literals one of which a file must hold to be worth decoding for the client-exposure rules (`lmnfl` covers keys). */
export const NAMES_LUMENFALL: readonly string[] = ["lumenfall", "Lumenfall", "LUMENFALL", "lmnfl", "LMNFL"];

const CREDENTIAL_PARTS = new Set(["KEY", "KEYS", "APIKEY", "TOKEN", "TOKENS", "SECRET", "SECRETS", "ACCESSTOKEN", "AUTHTOKEN", "SECRETKEY"]);
/** A name ending in one of these describes the key (its URL, its id), it does not hold it. */
const DESCRIPTIVE_LAST_PARTS = new Set([
  "URL", "URI", "HOST", "ENDPOINT", "BASE", "MODEL", "MODELS", "ID", "NAME", "HEADER", "PREFIX",
  "PATH", "REGION", "VERSION", "ENABLED", "TYPE", "LENGTH", "TTL", "EXPIRY", "EXPIRES",
]);

/** Word parts of a name: `VITE_LUMENFALL_API_KEY`, `lumenfallApiKey` → upper-cased parts. */
export function wordParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((part) => part !== "");
}

/** `KEY`, `TOKEN` or `SECRET` as a word part, and not a name that only describes the key. */
export function isCredentialLike(name: string): boolean {
  const parts = wordParts(name);
  const last = parts[parts.length - 1];
  if (last === undefined || DESCRIPTIVE_LAST_PARTS.has(last)) return false;
  return parts.some((part) => CREDENTIAL_PARTS.has(part));
}

export function namesLumenfall(name: string): boolean {
  const upper = name.toUpperCase();
  return upper.includes("LUMENFALL") || upper.includes("LMNFL");
}

/** A credential-like name that names Lumenfall: `LUMENFALL_API_KEY`, `VITE_LUMENFALL_TOKEN`. */
export function isLumenfallKeyName(name: string): boolean {
  return namesLumenfall(name) && isCredentialLike(name);
}

/** Env-style constants (`LUMENFALL_API_KEY`), as opposed to camelCase locals. */
export function isScreamingCase(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name);
}

/** The longest configured public prefix `name` starts with. */
export function publicPrefixOf(name: string, prefixes: readonly string[]): string | null {
  let found: string | null = null;
  for (const prefix of prefixes) if (name.startsWith(prefix) && (found === null || prefix.length > found.length)) found = prefix;
  return found;
}

const EXPOSERS: Record<string, string> = {
  NEXT_PUBLIC_: "is inlined into the browser bundle by Next.js",
  VITE_: "is inlined into the browser bundle by Vite",
  REACT_APP_: "is inlined into the browser bundle by Create React App",
  EXPO_PUBLIC_: "is inlined into the app bundle by Expo",
  PUBLIC_: "is exposed to the browser by SvelteKit / Astro",
  NUXT_PUBLIC_: "is sent to the browser by Nuxt (runtimeConfig.public)",
  GATSBY_: "is inlined into the browser bundle by Gatsby",
  STORYBOOK_: "is inlined into the Storybook build",
};

/** The data of an exposure message: how the prefix exposes the variable, and who can read it. */
export function exposureData(name: string, prefix: string): { name: string; prefix: string; how: string; who: string } {
  const how = EXPOSERS[prefix] ?? "is exposed to client code by its public prefix (configured in publicEnvPrefixes)";
  const who = prefix === "EXPO_PUBLIC_" ? "installs the app" : "loads the page";
  return { name, prefix, how, who };
}

/** A value that only stands in for a key: `your-key-here`, `<api key>`, `changeme`, `lmnfl_...`. */
export function isPlaceholderValue(value: string): boolean {
  const v = value.trim();
  if (v === "" || v.startsWith("lmnfl_")) return true;
  return /your|example|placeholder|dummy|fake|sample|redacted|xxxx|changeme|replace|todo|<|\.\.\.|\u2026|\*\*\*\*/i.test(v);
}

/** A URL: what a public variable may hold (`VITE_LUMENFALL_BASE_URL=https://…`). */
export function isUrlValue(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim());
}
