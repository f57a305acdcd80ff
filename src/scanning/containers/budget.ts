import { RATIO_GRACE_BYTES, type ScanLimits } from "../limits.js";

/** Why decompression of one entry stopped early, or null while it may go on. */
export type BudgetStop = "entry" | "archive" | "ratio" | null;

/**
 * Counts what one entry (a compressed file, or one member of an archive) inflates to, against
 * the per-entry and per-archive byte budgets and the ratio of inflated to compressed bytes.
 */
export class InflateBudget {
  inflated = 0;
  consumed = 0;

  constructor(
    private readonly limits: ScanLimits,
    /** Bytes earlier entries of the same archive inflated to. */
    private readonly archive: { inflated: number } = { inflated: 0 },
  ) {}

  /** Adds `bytes` of output; says whether (and why) the entry must stop here. */
  add(bytes: number): BudgetStop {
    this.inflated += bytes;
    this.archive.inflated += bytes;
    if (this.inflated > this.limits.entryBytes) return "entry";
    if (this.archive.inflated > this.limits.archiveBytes) return "archive";
    if (this.inflated > RATIO_GRACE_BYTES && this.inflated > this.limits.ratio * Math.max(1, this.consumed)) return "ratio";
    return null;
  }

  /** The warning text for a stop, naming the budget. */
  describe(stop: Exclude<BudgetStop, null>): string {
    const mib = (bytes: number) => `${Math.round(bytes / (1 << 20))} MiB`;
    if (stop === "entry") return `inflates to more than ${mib(this.limits.entryBytes)}; only the first ${mib(this.limits.entryBytes)} were scanned`;
    if (stop === "archive") return `the archive inflates to more than ${mib(this.limits.archiveBytes)} in all; the rest was not scanned`;
    return `inflates more than ${this.limits.ratio}:1 (a decompression bomb?); only the first ${mib(this.inflated)} were scanned`;
  }
}
