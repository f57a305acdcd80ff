import { findKeys } from "./find-keys.js";

/**
 * How a Lumenfall key is shown: as the Lumenfall dashboard lists keys, `lmnfl_<keyid>.…<last4>`
 * (a dotless key has no id: `lmnfl_…<last4>`). Reporters never receive the key itself.
 */
export function redactKey(keyId: string | null, lastFour: string): string {
  return keyId === null ? `lmnfl_\u2026${lastFour}` : `lmnfl_${keyId}.\u2026${lastFour}`;
}

/**
 * A key found only in part (it goes on past a line break or a string in a way that could not be
 * joined): its last four are not known, so none are shown — `lmnfl_<keyid>.…(partial)`, or
 * `lmnfl_…(partial)` without a key id.
 */
export function redactPartialKey(keyId: string | null): string {
  return keyId === null ? "lmnfl_\u2026(partial)" : `lmnfl_${keyId}.\u2026(partial)`;
}

/**
 * Replaces every Lumenfall key in free text — a file name, an allow-comment reason, a config
 * value quoted in an error — by its redacted form (`lmnfl_<keyid>.…<last4>`), in every encoding
 * the detector reads: plain, JSON/backslash-escaped, percent-encoded, HTML references, base64
 * (standard and URL-safe, any alignment) and UTF-16 (ASCII interleaved with NULs), and hex.
 *
 * Two nets, so that a key is caught whatever surrounds it:
 * 1. the detector's own finder (`findKeys`) on the text's bytes: whatever the engine would
 *    report as a key in a file is scrubbed here too, placeholders included;
 * 2. a shape-only match that ignores context — no left boundary, no entropy or placeholder
 *    test, no upper length — on the text as written, with its escapes decoded, with NULs taken
 *    out (UTF-16, also when the NULs were written as escapes), and inside base64 runs: `lmnfl_` + id + `.` + 16 or more secret characters,
 *    or `lmnfl_` + 24 or more key characters. A key glued to a word (`xlmnfl_…`) is no key to
 *    the engine, but it is still a full key in the output.
 * Redacted forms (`…` after the id) are left as they are, so scrubbing twice changes nothing.
 * Memory stays bounded for any length: long text is scrubbed in overlapping windows.
 */
export function scrubKeys(text: string): string {
  if (!mayHoldKey(text)) return text;
  if (text.length > LONG_TEXT) return scrubLong(text);
  let current = text;
  // A replacement can, in theory, join its neighbours into a new key-shaped run: scrub again.
  for (let pass = 0; pass < 3; pass++) {
    const next = replaceSpans(current, keySpans(current));
    if (next === current || !mayHoldKey(next)) return next;
    current = next;
  }
  return current;
}

/**
 * What follows `lmnfl_` in a redacted form: `<keyid>.…<last4>` or, dotless, `…<last4>`, or either
 * with `(partial)` for the last four — that exact shape only (a key id is 1–64 of
 * `[A-Za-z0-9_]`, never `-`). A key followed by `…` or `.…` with no last four, or whose run could
 * not be a key id (a `-` in it, more than 64 characters), is a key cut short in the text, not one
 * lumenguard redacted.
 */
const REDACTED_TAIL = "(?:[A-Za-z0-9_]{1,64}\\.)?\u2026(?:[A-Za-z0-9_-]{4}(?![A-Za-z0-9_-])|\\(partial\\))";

/** `lmnfl_` not starting a redacted form, an escape, a NUL, base64 or hex of `lmnfl_`, or an HTML reference. */
const MAY_HOLD_KEY = new RegExp(`lmnfl_(?!${REDACTED_TAIL})|%[0-9A-Fa-f]{2}|\\\\[ux][0-9A-Fa-f]{2}|\\0|G1uZmxf|xtbmZsX|W5mbF|6[cC]6[dD]6[eE]666[cC]5[fF]|&#|&period;`);

function mayHoldKey(text: string): boolean {
  return MAY_HOLD_KEY.test(text);
}

/** Where a key is written in the text (UTF-16 indexes, end exclusive) and what replaces it. */
interface Span {
  start: number;
  end: number;
  replacement: string;
}

function keySpans(text: string, depth = 0): Span[] {
  const spans: Span[] = [];
  const bytes = latin1Bytes(text);
  for (const hit of findKeys(bytes)) spans.push({ start: hit.start, end: Math.max(hit.end, hit.start + 1), replacement: redactKey(hit.keyId, hit.secret.slice(-4)) });
  spans.push(...shapeSpans(text, null));
  if (/%[0-9A-Fa-f]{2}|\\[ux][0-9A-Fa-f]{2}/.test(text)) {
    const view = unescaped(text);
    spans.push(...shapeSpans(view.text, view));
    // UTF-16 whose NULs were written as escapes (`l\x00m\x00…`, `l\u0000m\u0000…`).
    if (view.text.includes("\0")) {
      const inner = withoutNuls(view.text);
      spans.push(...shapeSpans(inner.text, { text: inner.text, from: inner.from.map((at) => view.from[at]!), to: inner.to.map((at) => view.to[at - 1]!) }));
    }
  }
  if (text.includes("\0")) {
    const view = withoutNuls(text);
    spans.push(...shapeSpans(view.text, view));
  }
  if (/G1uZmxf|xtbmZsX|W5mbF/.test(text)) spans.push(...base64Spans(text));
  if (/6[cC]6[dD]6[eE]666[cC]5[fF]/.test(text)) spans.push(...hexSpans(text));
  // Text escaped once more: a file name that is not valid UTF-8 is written with `\\` for each
  // backslash (git/path-bytes.ts), so a key whose dot is an escape (`\\x2e`) is one level deeper.
  if (depth < MAX_ESCAPE_DEPTH && text.includes("\\\\")) {
    const view = collapsedBackslashes(text);
    for (const span of keySpans(view.text, depth + 1)) spans.push({ start: view.from[span.start]!, end: view.to[span.end - 1]!, replacement: span.replacement });
  }
  return spans;
}

/** How many levels of doubled backslashes the scrubber looks through. */
const MAX_ESCAPE_DEPTH = 3;

/** `\\` read as one `\` (one level of backslash escaping undone), with where each unit came from. */
function collapsedBackslashes(text: string): View {
  const from = new Int32Array(text.length);
  const to = new Int32Array(text.length);
  let out = "";
  let n = 0;
  for (let i = 0; i < text.length; n++) {
    const length = text[i] === "\\" && text[i + 1] === "\\" ? 2 : 1;
    out += text[i];
    from[n] = i;
    to[n] = i + length;
    i += length;
  }
  return { text: out, from, to };
}

/** Hex of `lmnfl_` (`6c6d6e666c5f`, either case), at the start of a key written in hex: the whole hex run is cut. */
const HEX_RUN = /[0-9A-Fa-f]{52,}/g;

function hexSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const run of text.matchAll(HEX_RUN)) {
    for (const shift of [0, 1]) {
      const decoded = Buffer.from(run[0].slice(shift, shift + ((run[0].length - shift) & ~1)), "hex").toString("latin1");
      const found = shapeSpans(decoded, null);
      if (found.length > 0) {
        spans.push({ start: run.index, end: run.index + run[0].length, replacement: (found[0] as Span).replacement });
        break;
      }
    }
  }
  return spans;
}

/** One byte per UTF-16 unit, so that byte offsets are string indexes; units above U+00FF become SUB, never a key character. */
function latin1Bytes(text: string): Buffer {
  const bytes = Buffer.from(text, "latin1");
  if (/[^\u0000-\u00ff]/.test(text)) for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) bytes[i] = 0x1a;
  return bytes;
}

const DOTTED = /lmnfl_([A-Za-z0-9_]+)\.([A-Za-z0-9_-]{16,})/g;
/** 24 or more key characters, unless they are the key id of a redacted form (`lmnfl_<keyid>.…<last4>`). */
const DOTLESS = new RegExp(`lmnfl_(?!${REDACTED_TAIL})([A-Za-z0-9_-]{24,})(?![A-Za-z0-9_-])`, "g");
const ID_MAX = 64;

/** A transformed copy of some text, and for each of its units where it was in the original. */
interface View {
  text: string;
  from: Int32Array;
  to: Int32Array;
}

/** Key-shaped runs in `text`, whatever surrounds them; with a view, placed back in the original. */
function shapeSpans(text: string, view: View | null): Span[] {
  const spans: Span[] = [];
  const place = (start: number, end: number, replacement: string) =>
    spans.push(view ? { start: view.from[start]!, end: view.to[end - 1]!, replacement } : { start, end, replacement });
  for (const match of text.matchAll(DOTTED)) {
    const [whole, id, secret] = match as unknown as [string, string, string];
    place(match.index, match.index + whole.length, redactKey(id.length <= ID_MAX ? id : null, secret.slice(-4)));
  }
  for (const match of text.matchAll(DOTLESS)) place(match.index, match.index + match[0].length, redactKey(null, match[1]!.slice(-4)));
  return spans;
}

/** `%XX`, `\uXXXX` and `\xXX` decoded, one level (the forms URLs and JSON use). */
function unescaped(text: string): View {
  let out = "";
  const from = new Int32Array(text.length);
  const to = new Int32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; n++) {
    const escape = /^(?:%([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2}))/.exec(text.slice(i, i + 6));
    const length = escape ? escape[0].length : 1;
    out += escape ? String.fromCharCode(parseInt(escape[1] ?? escape[2] ?? escape[3]!, 16)) : text[i];
    from[n] = i;
    to[n] = i + length;
    i += length;
  }
  return { text: out, from, to };
}

/** UTF-16 text read a byte at a time: ASCII with NULs between. */
function withoutNuls(text: string): View {
  const from = new Int32Array(text.length);
  const to = new Int32Array(text.length);
  let out = "";
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 0) continue;
    out += text[i];
    from[n] = i;
    to[n++] = i + 1;
  }
  return { text: out, from, to };
}

const BASE64_RUN = /[A-Za-z0-9+/_-]{28,}/g;

/** Base64 runs holding `lmnfl_`: each decoded at its four alignments and matched by shape. */
function base64Spans(text: string): Span[] {
  const spans: Span[] = [];
  for (const run of text.matchAll(BASE64_RUN)) {
    if (!/G1uZmxf|xtbmZsX|W5mbF/.test(run[0])) continue;
    for (let shift = 0; shift < 4; shift++) {
      // Node decodes unpadded base64 in both alphabets; a last lone character is ignored.
      const decoded = Buffer.from(run[0].slice(shift), "base64").toString("latin1");
      for (const span of shapeSpans(decoded, null)) {
        const start = run.index + shift + Math.floor((span.start * 4) / 3);
        const end = Math.min(run.index + run[0].length, run.index + shift + Math.ceil((span.end * 4) / 3));
        spans.push({ start, end, replacement: span.replacement });
      }
    }
  }
  return spans;
}

/** Spans replaced in order; overlapping spans merge into one, under the first one's replacement. */
function replaceSpans(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = "";
  let at = 0;
  for (const span of spans) {
    if (span.end <= at) continue;
    if (span.start >= at) {
      out += text.slice(at, span.start) + span.replacement;
    }
    at = span.end;
  }
  return out + text.slice(at);
}

/** Above this many units, text is scrubbed in windows (memory stays bounded). */
const LONG_TEXT = 1 << 18;
const WINDOW = 1 << 16;
/** More than the longest key as written: every char of it as a six-unit `\uXXXX` escape. */
const OVERLAP = 4096;

/** Windows of WINDOW + OVERLAP units; a span is taken by the window it starts in, so each key is replaced once. */
function scrubLong(text: string): string {
  const parts: string[] = [];
  let at = 0;
  for (let windowStart = 0; windowStart < text.length; windowStart += WINDOW) {
    const window = text.slice(windowStart, windowStart + WINDOW + OVERLAP);
    if (!mayHoldKey(window)) continue;
    const spans = keySpans(window).filter((span) => span.start < WINDOW || windowStart + WINDOW >= text.length);
    for (const span of spans.sort((a, b) => a.start - b.start || b.end - a.end)) {
      const start = windowStart + span.start;
      const end = windowStart + span.end;
      if (end <= at) continue;
      if (start >= at) parts.push(text.slice(at, start), span.replacement);
      at = end;
    }
  }
  parts.push(text.slice(at));
  return parts.join("");
}
