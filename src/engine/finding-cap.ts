import { SEVERITIES, type Severity } from "../types.js";

/**
 * Findings are bounded in memory: a file (or a repository) written to hold hundreds of
 * thousands of keys must not take the machine down. Beyond the cap, findings are counted, not
 * kept, and the least severe are the ones left out — so the most severe finding of a scan is
 * always reported, and the exit code (which depends on it) is the same as without a cap.
 */

/** Findings kept for one file (the engine's cap). */
export const MAX_FINDINGS_PER_FILE = 10_000;
/** Findings kept for one scan (the scanning loop's cap). */
export const MAX_FINDINGS_PER_SCAN = 100_000;

/**
 * A list of at most `cap` items. While there is room, items are appended in order; once full,
 * an item more severe than the least severe one kept takes its place (in O(1)), and any other
 * is counted in {@link overCap}.
 */
export class SeverityCap<T> {
  readonly items: T[] = [];
  /** Items left out (or pushed out) so far. */
  overCap = 0;
  /** For each severity rank (info 0 … critical 4), the indexes in `items` holding one. */
  private readonly at: number[][] = SEVERITIES.map(() => []);

  constructor(
    private readonly cap: number,
    private readonly severityOf: (item: T) => Severity,
  ) {}

  add(item: T): void {
    const rank = SEVERITIES.indexOf(this.severityOf(item));
    if (this.items.length < this.cap) {
      this.at[rank]!.push(this.items.length);
      this.items.push(item);
      return;
    }
    this.overCap++;
    const weakest = this.at.findIndex((indexes) => indexes.length > 0);
    if (weakest === -1 || weakest >= rank) return;
    const index = this.at[weakest]!.pop()!;
    this.items[index] = item;
    this.at[rank]!.push(index);
  }
}
