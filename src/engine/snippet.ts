import { lineEndAfter, lineStartBefore } from "./line-tracker.js";

/**
 * A short window of the line around a key, with the key shown redacted: a minified bundle's
 * line is megabytes long, and a source line is never echoed whole.
 * Anything else key-shaped or secret-looking in the window — another Lumenfall key, another
 * provider's token — is cut out too.
 */
const CONTEXT = 24;
const SECRET_LOOKING = /[A-Za-z0-9_+/=-]{20,}/g;

export function snippetAround(window: Buffer, start: number, end: number, redacted: string, scrub: (text: string) => string): string | undefined {
  if (end - start > 1024) return undefined;
  const from = lineBound(window, start, -1);
  const to = lineBound(window, end, 1);
  const before = clean(window.toString("utf8", from, start), scrub);
  const after = clean(window.toString("utf8", end, to), scrub);
  return `${from <= start - CONTEXT && from > 0 ? "…" : ""}${before}${redacted}${after}${to >= end + CONTEXT && to < window.length ? "…" : ""}`.trim();
}

/** The start (or end) of the window: the line's, or CONTEXT bytes away, whichever is nearer. */
function lineBound(window: Buffer, at: number, direction: -1 | 1): number {
  if (direction < 0) {
    const floor = Math.max(0, at - CONTEXT);
    return at === 0 ? 0 : lineStartBefore(window, at, floor);
  }
  const ceiling = Math.min(window.length, at + CONTEXT);
  const newline = lineEndAfter(window, at, ceiling);
  return newline === -1 ? ceiling : newline;
}

function clean(text: string, scrub: (text: string) => string): string {
  return scrub(text)
    .replace(/\r/g, "")
    .replace(SECRET_LOOKING, "…")
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/g, "");
}
