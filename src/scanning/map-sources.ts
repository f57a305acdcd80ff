import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { FileFacts } from "../engine/rule.js";
import { sourceName } from "../sources/source-maps.js";

/**
 * For a source map file: a position inside one of its `sourcesContent` strings, traced to the
 * source it holds (issue #4 item 2). The raw JSON is walked once to find where each string
 * starts and ends; a position is then decoded back to a line and column of that source. Done
 * lazily: only when a finding asks.
 */
type Original = ReturnType<NonNullable<FileFacts["original"]>>;

interface Span {
  start: number;
  end: number;
  index: number;
}

/** The same, for a map file on disk, read only when the first finding asks. */
export function lazySourceContentMapper(mapPath: string, root?: string): NonNullable<FileFacts["original"]> {
  let mapper: NonNullable<FileFacts["original"]> | null = null;
  return (line, column) => {
    if (!mapper) {
      try {
        mapper = sourceContentMapper(readFileSync(mapPath, "utf8"), dirname(mapPath), root);
      } catch {
        return null;
      }
    }
    return mapper(line, column);
  };
}

export function sourceContentMapper(text: string, mapDir?: string, root?: string): NonNullable<FileFacts["original"]> {
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

function positionInSource(rawPrefix: string, file: string): Original {
  let decoded: string;
  try {
    decoded = JSON.parse(`"${rawPrefix.replace(/\\$/, "")}"`) as string;
  } catch {
    return null;
  }
  const lastNewline = decoded.lastIndexOf("\n");
  return { file, line: decoded.split("\n").length, column: decoded.length - lastNewline };
}
