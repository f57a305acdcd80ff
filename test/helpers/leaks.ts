/**
 * Planting keys in every encoding lumenguard reads, and finding them again in what it prints —
 * written independently of the scrubber under test, so a test that uses both can fail.
 *
 * `leakIn(text, keys)` undoes, in every combination, what an output format or a reader does to
 * text (markdown backslash escapes, GitHub's workflow-command `%XX`, HTML/XML character
 * references, JSON string escapes; then URL percent-escapes and `\uXXXX` / `\xXX`; then the NULs
 * of UTF-16), and looks for each key, and its secret, in the result and in every base64 run
 * decoded at each of its four alignments.
 */

const encoders = {
  plain: (key: string) => key,
  "json-escaped": (key: string) => key.replace(".", "\\u002e"),
  "percent-dot": (key: string) => key.replace(".", "%2E"),
  "percent-every-char": (key: string) => [...key].map((char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`).join(""),
  base64: (key: string) => Buffer.from(key).toString("base64"),
  "base64-after-1": (key: string) => Buffer.from(`a${key}`).toString("base64"),
  "base64-after-2": (key: string) => Buffer.from(`=:${key}`).toString("base64"),
  base64url: (key: string) => Buffer.from(`xy${key}`).toString("base64url"),
  "utf16le": (key: string) => Buffer.from(key, "utf16le").toString("latin1"),
  "utf16be": (key: string) => Buffer.from(key, "utf16le").swap16().toString("latin1"),
} as const;

export type EncodingName = keyof typeof encoders;
export const ENCODINGS = Object.keys(encoders) as EncodingName[];

/** `key` written the way `encoding` names. */
export function encodeKey(key: string, encoding: EncodingName): string {
  return encoders[encoding](key);
}

/** Encodings whose text can be part of a file name on Linux (no `/`, no NUL). */
export const FILE_NAME_ENCODINGS: EncodingName[] = ["plain", "json-escaped", "percent-dot", "percent-every-char", "base64url"];

/** Where a key can still be read from `text`: a description of the first such place, or null. */
export function leakIn(text: string, keys: readonly string[]): string | null {
  const needles = keys.flatMap((key) => [key, key.slice(key.indexOf(".") + 1)].filter((part) => part.length >= 16));
  for (const [outer, undoOuter] of Object.entries(OUTPUT_ESCAPES)) {
    for (const [inner, undoInner] of Object.entries(TEXT_ESCAPES)) {
      for (const [wide, undoWide] of Object.entries(WIDTHS)) {
        const view = undoWide(undoInner(undoOuter(text)));
        for (const candidate of [view, ...base64Decodings(view)]) {
          const found = needles.find((needle) => candidate.includes(needle));
          if (found) return `${outer} / ${inner} / ${wide}: …${candidate.slice(Math.max(0, candidate.indexOf(found) - 20), candidate.indexOf(found) + found.length + 20)}…`;
        }
      }
    }
  }
  return null;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

const OUTPUT_ESCAPES: Record<string, (text: string) => string> = {
  as: (text) => text,
  markdown: (text) => text.replace(/\\([!-/:-@[-`{-~])/g, "$1"),
  "workflow command": (text) => text.replace(/%(25|0A|0D|3A|2C)/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
  "html/xml": (text) => text.replace(/&(#x?[0-9a-fA-F]+|[a-z]+);/g, (whole, ref: string) => (ref.startsWith("#") ? String.fromCodePoint(ref[1] === "x" ? parseInt(ref.slice(2), 16) : Number(ref.slice(1))) : (ENTITIES[ref] ?? whole))),
  json: (text) => text.replace(/\\(["\\/bfnrt])/g, (_, char: string) => ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" })[char] ?? char),
};

const TEXT_ESCAPES: Record<string, (text: string) => string> = {
  as: (text) => text,
  unescaped: (text) =>
    text.replace(/%([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2})/g, (_, a?: string, b?: string, c?: string) => String.fromCharCode(parseInt((a ?? b ?? c)!, 16))),
};

const WIDTHS: Record<string, (text: string) => string> = {
  as: (text) => text,
  "NULs removed": (text) => text.replaceAll("\0", ""),
};

function base64Decodings(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/[A-Za-z0-9+/_-]{24,}/g) ?? []) {
    // Node decodes unpadded base64 and both alphabets; a last lone character is ignored.
    for (let shift = 0; shift < 4; shift++) out.push(Buffer.from(run.slice(shift), "base64").toString("latin1"));
  }
  return out;
}
