import { scrubKeys } from "../detectors/lumenfall/index.js";
import { PLACEHOLDER_MESSAGE_ID, type EngineFinding } from "../engine/apply-rules.js";
import type { EnginePlan } from "../engine/plan.js";
import { scanTextWhole } from "./file-sink.js";

/**
 * A file's path is committed and pushed with its content (git stores each name in a tree
 * object), so a Lumenfall key used as a file or folder name (`fixtures/lmnfl_<id>.<secret>.json`,
 * a cache file named after the token) is published as surely as one inside a file. The name is
 * read by the same engine as content, as the text of a pseudo-file, and each key the
 * `lumenfall-key` rule reports there becomes a finding about the file: line 1, column 1 (as any
 * finding about a whole file is placed), message {@link FILE_NAME_MESSAGE_ID}, its snippet the
 * name with the key redacted.
 */

/** The `lumenfall-key` message of a key in a file's or a folder's name. */
export const FILE_NAME_MESSAGE_ID = "inFileName";

const RULE_ID = "lumenfall-key";

/** What the name is scanned as: no file name of its own (no comment syntax, no rule judging names). */
const PSEUDO_PATH = "<file name>";

/**
 * Whether a name may hold a key in any encoding the engine reads: a cheap test, true for every
 * name the engine could find a key in (the scrubber finds whatever the engine does, and more).
 */
export function nameMayHoldKey(name: string): boolean {
  return scrubKeys(name) !== name;
}

/** A key found in a name, and how much of the name's end to cut to name the file or folder that holds it. */
export interface NameKey {
  /** Placed at line 1, column 1 (end column 1), message {@link FILE_NAME_MESSAGE_ID}; `file` is still the scanned pseudo-file's. */
  finding: EngineFinding;
  /** UTF-16 units after the part (file or folder name) holding the key: 0 for the file's own name. */
  after: number;
}

/**
 * The keys in `name`.
 * @param name the text to read: a path from the repository root (outside git, from the scan root), `/`-separated, or an archive member's name.
 * @returns one entry per `lumenfall-key` finding; none for placeholders, or when the rule is off.
 */
export function keysInName(name: string, plan: EnginePlan): NameKey[] {
  if (!nameMayHoldKey(name)) return [];
  const found: NameKey[] = [];
  for (const finding of scanTextWhole({ path: PSEUDO_PATH, scope: "repository" }, Buffer.from(name, "utf8"), plan).findings) {
    if (finding.ruleId !== RULE_ID || finding.messageId === PLACEHOLDER_MESSAGE_ID || finding.secret === undefined) continue;
    // The part holding the key ends at the first `/` after the key (a name may hold a line break: count lines too).
    const keyEnd = offsetOf(name, finding.endLine, finding.endColumn);
    const slash = name.indexOf("/", Math.max(0, keyEnd - 1));
    found.push({ finding: { ...finding, messageId: FILE_NAME_MESSAGE_ID, line: 1, column: 1, endLine: 1, endColumn: 1 }, after: slash === -1 ? 0 : name.length - slash });
  }
  return found;
}

/** The UTF-16 index in `text` of a 1-based line and column (lines end at LF, CRLF or CR, as the engine counts them). */
function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let current = 1; current < line; current++) {
    const next = text.slice(at).search(/\r\n|\r|\n/);
    if (next === -1) break;
    at += next + (text.startsWith("\r\n", at + next) ? 2 : 1);
  }
  return Math.min(text.length, at + column - 1);
}
