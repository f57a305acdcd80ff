/**
 * Inline suppression: a comment containing `lumenguard-allow` on the same line as the key or on
 * the line above; text after `lumenguard-allow:` is the reason, kept in the report. Only a
 * bounded neighbourhood is searched, so a minified megabyte line costs nothing extra.
 */
const MARKER = Buffer.from("lumenguard-allow", "latin1");
const REACH = 4096;
const MAX_REASON = 200;

export interface InlineAllow {
  reason?: string;
}

export function findInlineAllow(buf: Buffer, start: number, end: number, scrub: (text: string) => string): InlineAllow | null {
  const lineStart = lastNewlineBefore(buf, start, Math.max(0, start - REACH)) + 1;
  const previousLineStart = lineStart > 0 ? lastNewlineBefore(buf, lineStart - 1, Math.max(0, lineStart - 1 - REACH)) + 1 : lineStart;
  let lineEnd = buf.indexOf(10, end);
  if (lineEnd === -1 || lineEnd > end + REACH) lineEnd = Math.min(buf.length, end + REACH);
  const found = buf.subarray(previousLineStart, lineEnd).indexOf(MARKER);
  if (found === -1) return null;
  const at = previousLineStart + found;
  return { reason: reasonAfter(buf, at + MARKER.length, lineEnd, scrub) };
}

function lastNewlineBefore(buf: Buffer, from: number, floor: number): number {
  // A negative offset would make lastIndexOf count from the end.
  if (from <= 0) return -1;
  const at = buf.lastIndexOf(10, from - 1);
  return at >= floor ? at : floor - 1;
}

function reasonAfter(buf: Buffer, at: number, lineEnd: number, scrub: (text: string) => string): string | undefined {
  let end = buf.indexOf(10, at);
  if (end === -1 || end > lineEnd) end = lineEnd;
  const rest = buf.toString("utf8", at, Math.min(end, at + MAX_REASON * 2));
  const match = /^\s*:\s*(.*)$/.exec(rest);
  if (!match) return undefined;
  const reason = (match[1] ?? "")
    .replace(/\s*(\*\/|-->|#}|%>|\*\}).*$/, "")
    .trim()
    .slice(0, MAX_REASON);
  return reason ? scrub(reason) : undefined;
}

/**
 * A `lumenguard-allow` comment on a line or the line above, for findings rules place
 * themselves. Made once per file: the text is split at most once, however many findings ask.
 */
export function inlineAllowsOf(text: string, scrub: (text: string) => string): (line: number) => InlineAllow | null {
  if (!text.includes("lumenguard-allow")) return () => null;
  let lines: string[] | null = null;
  return (line) => {
    lines ??= text.split("\n");
    const current = lines[line - 1] ?? "";
    const before = line >= 2 ? `${lines[line - 2]}\n` : "";
    if (!current.includes("lumenguard-allow") && !before.includes("lumenguard-allow")) return null;
    const buffer = Buffer.from(before + current, "utf8");
    return findInlineAllow(buffer, Buffer.byteLength(before), buffer.length, scrub);
  };
}
