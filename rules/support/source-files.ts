import { tokenize, type Token } from "./js-tokens.js";

/**
 * Which files hold code, and the code inside component files: `.vue` / `.svelte` / `.astro`
 * carry scripts in `<script>` blocks (and Astro's `---` frontmatter) and expressions in `{…}`
 * inside their markup; the rest of the markup is text, never lexed as JavaScript.
 */
const SCRIPT_EXTENSIONS = new Set(["js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts"]);
const COMPONENT_EXTENSIONS = new Set(["vue", "svelte", "astro"]);

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function extension(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
}

/** `script`: JavaScript or TypeScript; `component`: a .vue / .svelte / .astro file; `json`. */
export function codeKind(path: string): "script" | "component" | "json" | null {
  const ext = extension(path);
  if (SCRIPT_EXTENSIONS.has(ext)) return "script";
  if (COMPONENT_EXTENSIONS.has(ext)) return "component";
  if (ext === "json") return "json";
  return null;
}

/** Files that may hold JSX: lexed in js-tokens' JSX mode (TypeScript's `<T>` casts rule it out for `.ts`). */
const JSX_EXTENSIONS = new Set(["jsx", "tsx", "js"]);

/** The code tokens of a file: the whole text for scripts and JSON, the code parts of components. */
export function tokenizeSource(text: string, path: string): Token[] {
  if (codeKind(path) !== "component") return tokenize(text, 0, text.length, false, JSX_EXTENSIONS.has(extension(path))).tokens;
  const tokens: Token[] = [];
  let pos = 0;
  const frontmatter = /^\s*---[ \t]*\r?\n/.exec(text);
  if (frontmatter && extension(path) === "astro") {
    const close = text.indexOf("\n---", frontmatter[0].length);
    const end = close === -1 ? text.length : close;
    tokens.push(...tokenize(text, frontmatter[0].length, end).tokens);
    pos = close === -1 ? text.length : close + 4;
  }
  while (pos < text.length) pos = markupStep(text, pos, tokens);
  return tokens;
}

/** One step through markup: skips text, comments and styles; lexes scripts and `{…}` expressions. */
function markupStep(text: string, pos: number, tokens: Token[]): number {
  const next = nextSpecial(text, pos);
  if (next === -1) return text.length;
  if (text.startsWith("<!--", next)) return skipPast(text, next, "-->");
  if (text.charCodeAt(next) === 123 /* { */) {
    const { tokens: expression, end } = tokenize(text, next, text.length, true);
    tokens.push(...expression);
    return end;
  }
  const tag = text.slice(next + 1, next + 7).toLowerCase();
  const openEnd = text.indexOf(">", next);
  if (openEnd === -1) return text.length;
  if (tag === "script") {
    const close = indexOfInsensitive(text, "</script", openEnd);
    const end = close === -1 ? text.length : close;
    tokens.push(...tokenize(text, openEnd + 1, end).tokens);
    return end + 1;
  }
  if (tag.startsWith("style")) return skipPast(text, openEnd, "</style");
  return next + 1;
}

function nextSpecial(text: string, pos: number): number {
  for (let i = pos; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) return i;
    if (c === 60 /* < */) {
      const tag = text.slice(i + 1, i + 7).toLowerCase();
      if (tag === "script" || tag.startsWith("style") || text.startsWith("<!--", i)) return i;
    }
  }
  return -1;
}

function skipPast(text: string, pos: number, marker: string): number {
  const at = indexOfInsensitive(text, marker, pos);
  return at === -1 ? text.length : at + marker.length;
}

/** `marker` in lower or upper case (HTML tag names are case-insensitive; mixed case is not worth a pass). */
function indexOfInsensitive(text: string, marker: string, from: number): number {
  const lower = text.indexOf(marker, from);
  const upper = text.indexOf(marker.toUpperCase(), from);
  if (lower === -1) return upper;
  return upper === -1 ? lower : Math.min(lower, upper);
}
