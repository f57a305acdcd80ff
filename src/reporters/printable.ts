import { scrubKeys } from "../detectors/lumenfall/redact.js";

/**
 * Text from a scanned repository — file names, allow reasons, commit authors, snippets, warning
 * messages — as it may be printed in a terminal or a CI log: on one line, every character that
 * does something other than show itself made visible. Used for every string the text-like
 * outputs interpolate (the text and compact reports, GitHub annotations and step summary, and
 * what the CLI writes on stderr), so that a file name cannot move the cursor, erase lines, hide
 * text, start a line of its own, talk to the CI runner, or show a key.
 *
 * - First, keys are scrubbed (`scrubKeys`): before escaping, since an escaped NUL (`\x00`) would
 *   otherwise hide a UTF-16 key from a scrubber that runs later.
 * - Line feed, carriage return and tab become `\n`, `\r`, `\t`; the other C0 controls, DEL and
 *   the C1 controls become `\xHH` (ESC is `\x1b`): no ANSI/VT escape sequence survives
 *   (https://invisible-island.net/xterm/ctlseqs/ctlseqs.html).
 * - Line and paragraph separators, bidirectional controls (which make a name read as something
 *   else, https://trojansource.codes/) and noncharacters become `\uHHHH` (`\u{HHHHH}` beyond
 *   the BMP); a lone surrogate becomes `\uHHHH` too.
 * - GitHub's runner reads a line as a workflow command when, after leading white space, it
 *   starts with `::`, and reads the legacy form `##[command]` anywhere in a line
 *   (https://github.com/actions/runner, `src/Runner.Common/ActionCommand.cs`). A leading `::`
 *   becomes `\x3a:` and every `##[` becomes `#\x23[`, so a name like
 *   `::error file=a.ts::all clear` or `##[stop-commands]x` is printed, never obeyed.
 *
 * A backslash is not itself escaped: a name that holds the four characters `\x1b` reads the
 * same as one that holds ESC. That costs no safety, and keeps Windows paths and escaped JSON in
 * snippets readable.
 */
export function printable(text: string): string {
  return scrubKeys(text).replace(INVISIBLE, escapeChar).replace(/^(\s*):(?=:)/, "$1\\x3a").replaceAll("##[", "#\\x23[");
}

const INVISIBLE = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}\p{Noncharacter_Code_Point}]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeChar(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\u{${code.toString(16)}}`;
}
