import { scrubKeys } from "../detectors/lumenfall/index.js";

/**
 * Text into HTML, for the HTML report. Every string the report echoes — file names, original
 * sources of a source map, commit authors, messages, allow reasons, warnings — is written by
 * someone else and may hold markup, quotes, control characters or a key. One function handles
 * all of them, for text content and for quoted attribute values alike:
 *
 * 1. Keys are scrubbed with the engine's `scrubKeys`, except the redacted forms the scan itself
 *    produced (`lmnfl_<keyid>.…<last4>`, which the scrubber would otherwise blur): the text is
 *    split around those, and every other piece is scrubbed.
 * 2. Characters a reader cannot see, or that the HTML parser reports as errors, are shown as
 *    visible escapes: C0 and C1 controls (ESC, CR, NUL, …; tab and line feed too, since a file
 *    name should stay on one line), DEL, Unicode bidirectional controls (which can make a name
 *    read differently from what it is, https://trojansource.codes/) and noncharacters
 *    (https://html.spec.whatwg.org/multipage/parsing.html#preprocessing-the-input-stream).
 *    Also U+2028 and U+2029. ESC (U+001B) → `\u{1b}`; lone surrogates become U+FFFD.
 * 3. `& < > " '` become character references, so nothing can open a tag or end an attribute.
 */
export class HtmlEscaper {
  private readonly protectedForms: RegExp | null;

  /** `redactedForms`: the `secret.redacted` values of the report's findings (kept as they are). */
  constructor(redactedForms: Iterable<string>) {
    const forms = [...new Set(redactedForms)].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
    this.protectedForms = forms.length > 0 ? new RegExp(`(${forms.map(escapeRegExp).join("|")})`, "u") : null;
  }

  /** `value` scrubbed, made visible and escaped: safe as element text and inside `"…"` attributes. */
  html(value: string | number): string {
    return escapeMarkup(visible(this.scrub(String(value))));
  }

  /** Keys scrubbed, the scan's own redacted forms kept. */
  scrub(value: string): string {
    if (this.protectedForms === null) return scrubKeys(value);
    // split() with one capture group: odd indexes are the protected forms themselves.
    return value
      .split(this.protectedForms)
      .map((piece, index) => (index % 2 === 1 ? piece : scrubKeys(piece)))
      .join("");
  }
}

/** Controls, line and paragraph separators, bidi controls, noncharacters, lone surrogates (in `u` mode a pair is one code point). */
const INVISIBLE = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}\p{Noncharacter_Code_Point}\ud800-\udfff]/gu;

/** Invisible and parse-error characters as `\u{…}` (lone surrogates as U+FFFD). */
export function visible(value: string): string {
  return value.replace(INVISIBLE, (char) => {
    const code = char.codePointAt(0)!;
    return code >= 0xd800 && code <= 0xdfff ? "\ufffd" : `\\u{${code.toString(16)}}`;
  });
}

const MARKUP: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeMarkup(value: string): string {
  return value.replace(/[&<>"']/g, (char) => MARKUP[char]!);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
