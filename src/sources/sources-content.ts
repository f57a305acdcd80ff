import { relative, resolve, sep } from "node:path";
import type { OriginalPosition } from "../types.js";

/**
 * For a source map file: a position inside one of its `sourcesContent` strings, traced to the
 * source it holds. The raw JSON is walked once to find where each string starts and ends; a
 * position is then decoded back to a line and column of that source.
 */
interface Span {
  start: number;
  end: number;
  index: number;
}

/** A mapper for a map's own text; sources are named relative to `root` like every finding. */
export function sourcesContentMapper(text: string, mapDir?: string, root?: string): (line: number, column: number) => OriginalPosition | null {
  let index: { spans: Span[]; sources: string[]; lineStarts: number[] } | null = null;
  return (line, column) => {
    index ??= indexMap(text, mapDir, root);
    const offset = (index.lineStarts[line - 1] ?? 0) + column - 1;
    const span = index.spans.find((candidate) => candidate.start <= offset && offset < candidate.end);
    if (!span) return null;
    return positionInSource(text.slice(span.start, offset), index.sources[span.index] ?? `sourcesContent[${span.index}]`);
  };
}

function indexMap(text: string, mapDir?: string, root?: string) {
  const lineStarts = [0];
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lineStarts.push(at + 1);
  let sources: string[] = [];
  try {
    const map = JSON.parse(text) as { sources?: unknown; sourceRoot?: unknown };
    const sourceRoot = typeof map.sourceRoot === "string" && map.sourceRoot ? map.sourceRoot.replace(/\/?$/, "/") : "";
    if (Array.isArray(map.sources)) sources = map.sources.map((source) => (typeof source === "string" ? sourceName(sourceRoot + source, mapDir, root) : ""));
  } catch {
    // Not JSON: no sources to name; the raw scan still reports the key.
  }
  return { spans: contentSpans(text), sources, lineStarts };
}

/** Where each string of the `"sourcesContent": [...]` array starts and ends in the raw text. */
function contentSpans(text: string): Span[] {
  const spans: Span[] = [];
  const key = text.indexOf('"sourcesContent"');
  if (key === -1) return spans;
  let at = text.indexOf("[", key);
  if (at === -1) return spans;
  let index = 0;
  for (at++; at < text.length; at++) {
    const char = text[at];
    if (char === "]") break;
    if (char === ",") index++;
    else if (char === '"') {
      const start = at + 1;
      for (at = start; at < text.length && text[at] !== '"'; at++) if (text[at] === "\\") at++;
      spans.push({ start, end: at, index });
    }
  }
  return spans;
}

function positionInSource(rawPrefix: string, file: string): OriginalPosition | null {
  let decoded: string;
  try {
    decoded = JSON.parse(`"${rawPrefix.replace(/\\$/, "")}"`) as string;
  } catch {
    return null;
  }
  const lastNewline = decoded.lastIndexOf("\n");
  return { file, line: decoded.split("\n").length, column: decoded.length - lastNewline };
}

/**
 * A map's source as the report names it: relative sources are resolved against the map's folder
 * and named relative to `root`, so `../../src/a.ts` reads `src/a.ts`; URLs (`webpack://…`) stay.
 */
export function sourceName(source: string, mapDir: string | undefined, root: string | undefined): string {
  if (!mapDir || !root || /^[a-z][a-z0-9+.-]*:/i.test(source)) return source;
  return relative(root, resolve(mapDir, source)).split(sep).join("/");
}
