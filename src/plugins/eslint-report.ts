import { scrubKeys } from "../detectors/lumenfall/index.js";
import { findingMessage, fixSteps } from "../reporters/render.js";
import type { Finding } from "../types.js";
import type { TextScan } from "./eslint-scan.js";

/**
 * A lumenguard finding as ESLint reports a problem: where (ESLint's own line and column), and
 * the message — what was found, with the key redacted, then the fix and the guide's link.
 */

/** A position as ESLint counts it: 1-based line, 0-based column in UTF-16 code units (https://eslint.org/docs/latest/extend/custom-rules#reporting-problems). */
export interface EslintPosition {
  line: number;
  column: number;
}

/** The parts of ESLint's `SourceCode` this module reads. */
export interface SourceTextLike {
  text: string;
  getLocFromIndex(index: number): EslintPosition;
}

/**
 * The finding's start and end as ESLint locations. lumenguard ends lines at `\n`, `\r\n` and a
 * lone `\r` and counts columns from 1; ESLint also ends lines at U+2028 and U+2029 and counts
 * columns from 0.
 * So the position becomes an offset into the text first (our line start + column − 1, both in
 * UTF-16 code units), and ESLint's `getLocFromIndex` turns that offset into its own line and
 * column: the squiggle lands on the same characters whatever the line endings.
 */
export function eslintLocation(finding: Pick<Finding, "line" | "column" | "endLine" | "endColumn">, source: SourceTextLike, lineStarts: LineStarts): { start: EslintPosition; end: EslintPosition } {
  const start = lineStarts.offset(finding.line, finding.column);
  const end = Math.max(start, lineStarts.offset(finding.endLine, finding.endColumn));
  return { start: source.getLocFromIndex(start), end: source.getLocFromIndex(end) };
}

/** Where each line of a text starts as lumenguard counts lines (UTF-16 offsets), computed once per text and only when a finding asks. */
export class LineStarts {
  private starts: number[] | null = null;

  constructor(private readonly text: string) {}

  /** The offset of 1-based `line`, 1-based `column`, clamped to the text. */
  offset(line: number, column: number): number {
    if (this.starts === null) {
      this.starts = [0];
      for (const end of this.text.matchAll(/\r\n?|\n/g)) this.starts.push(end.index + end[0].length);
    }
    const lineStart = this.starts[Math.min(Math.max(line, 1), this.starts.length) - 1]!;
    return Math.min(Math.max(lineStart + column - 1, 0), this.text.length);
  }
}

/**
 * The problem's message: the finding's own message (rendered by the reporters' one renderer), then
 * the fix that cannot wait — revoking the key, with its dashboard identity, when there is a key;
 * else the rule's first step — and the guide's section. Never a key: the finding holds only the
 * redacted form, and anything key-shaped that code put into a name is scrubbed here as well.
 */
export function eslintMessage(finding: Finding, scan: Pick<TextScan, "resolved">): string {
  const meta = scan.resolved.ruleMeta(finding.ruleId);
  const parts = [findingMessage(finding, scan.resolved)];
  if (meta) {
    const steps = fixSteps(meta.fix, identityOf(finding));
    const revoke = finding.secret ? meta.fix.findIndex((step) => step.includes("{identity}")) : -1;
    parts.push(`Fix: ${steps[revoke === -1 ? 0 : revoke]}`, `See ${meta.guideUrl}`);
  }
  return visible(scrubExcept(parts.join(" — "), finding.secret?.redacted));
}

/** How the Lumenfall dashboard lists the key: key id and last four. */
function identityOf(finding: Finding): string {
  const secret = finding.secret;
  if (!secret) return "find it by key id and last four";
  if (secret.keyId === null) return `dotless key, last four ${secret.lastFour}`;
  return `key id ${secret.keyId}, last four ${secret.lastFour}`;
}

/** Keys scrubbed, except the finding's own redacted form (which the scrubber would blur). */
function scrubExcept(text: string, redacted: string | undefined): string {
  if (!redacted) return scrubKeys(text);
  return text
    .split(redacted)
    .map((piece) => scrubKeys(piece))
    .join(redacted);
}

/** Control characters shown as escapes (`\u{1b}`): a message is one line a terminal cannot be steered by. */
function visible(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => `\\u{${char.charCodeAt(0).toString(16)}}`);
}
