import { LUMENFALL_DETECTOR_ID } from "../../src/detectors/lumenfall/index.js";
import type { KeyOccurrence, Report, RuleContext } from "../../src/engine/rule.js";
import type { MessageData } from "../../src/types.js";

/**
 * Offsets ↔ 1-based lines and columns (UTF-16 units, like the engine's key positions), with a
 * line index built once per file: a rule that reports many places stays linear.
 */
export class TextPositions {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    // LF, CR LF or a CR alone ends a line, as the engine counts key positions (engine/line-tracker.ts).
    for (const end of text.matchAll(/\r\n?|\n/g)) this.lineStarts.push(end.index + end[0].length);
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low]! + 1 };
  }

  offsetOf(line: number, column: number): number {
    return (this.lineStarts[line - 1] ?? Number.MAX_SAFE_INTEGER) + column - 1;
  }
}

/** The first real Lumenfall key (not a placeholder) that starts between two offsets. */
export function keyBetween(context: RuleContext<unknown>, positions: TextPositions, from: number, to: number): KeyOccurrence | undefined {
  return context.keys.find((key) => {
    if (key.detector !== LUMENFALL_DETECTOR_ID || key.placeholder !== null) return false;
    const at = positions.offsetOf(key.line, key.column);
    return at >= from && at < to;
  });
}

/** Reports a finding on a name in the text, once per line and name. */
export class NameReporter {
  readonly positions: TextPositions;
  private readonly seen = new Set<string>();

  constructor(
    private readonly context: RuleContext<unknown>,
    text: string,
  ) {
    this.positions = new TextPositions(text);
  }

  report(start: number, name: string, messageId: string, data: MessageData, key?: KeyOccurrence): void {
    const { line, column } = this.positions.position(start);
    const place = `${line}:${name}`;
    if (this.seen.has(place)) return;
    this.seen.add(place);
    const report: Report = { line, column, endLine: line, endColumn: column + name.length, messageId, data };
    if (key) report.key = key;
    this.context.report(report);
  }
}
