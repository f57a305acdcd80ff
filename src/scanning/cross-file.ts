import { toFinding } from "../engine/apply-rules.js";
import type { PlannedRule } from "../engine/plan.js";
import { compareText } from "../severity.js";
import type { Finding } from "../types.js";
import { factsOf, sourceKindOf, type SourceFile } from "./source-file.js";

/**
 * Rules that decide across files (`Rule.acrossFiles`): what each kept from the files of a scan,
 * and the findings they conclude once every file has been read. Used by the scanning loop at
 * the end of a scan, and by `lumenguard merge` on the facts the shards of a scan exported.
 */

/** What one cross-file rule kept from one file (the rule's own plain data), and the file. */
export interface CollectedFact {
  ruleId: string;
  item: unknown;
  file: SourceFile;
  /**
   * Where the file stands in the scan: history gives the position (0-based) in its walk of the
   * commit that introduced this content at this path; other sources give none (0).
   */
  order?: number | undefined;
}

/**
 * The findings the cross-file rules among `rules` conclude from `collected`, each with the file
 * it is in. The facts are read in a fixed order — by `order`, then by report path, and in the
 * order one file gave them — whatever order the files were read in (threads and the two blob
 * readers finish in any order), so a scan's result, and the merge of its shards, are the same
 * every time. A rule reports each key once per file.
 */
export function concludeAcrossFiles(rules: readonly PlannedRule[], collected: readonly CollectedFact[]): Array<{ file: SourceFile; finding: Finding }> {
  const ordered = [...collected].sort((a, b) => (a.order ?? 0) - (b.order ?? 0) || compareText(a.file.path, b.file.path));
  const concluded: Array<{ file: SourceFile; finding: Finding }> = [];
  for (const planned of rules) {
    const acrossFiles = planned.rule.acrossFiles;
    if (!acrossFiles) continue;
    const mine = ordered.filter((entry) => entry.ruleId === planned.rule.meta.id);
    if (mine.length === 0) continue;
    // The first time a path is seen decides its file (history can hold several versions of one file).
    const files = new Map<string, SourceFile>();
    for (const entry of mine) if (!files.has(entry.file.path)) files.set(entry.file.path, entry.file);
    // Once per file and key: history can hold several versions of one file with the same key.
    const reported = new Set<string>();
    for (const place of acrossFiles.conclude(mine.map((entry) => entry.item), planned.options)) {
      const file = files.get(place.file);
      const once = `${place.file}\u0000${place.key.fingerprint}`;
      if (!file || reported.has(once)) continue;
      reported.add(once);
      const finding = toFinding(factsOf(file), planned, { key: place.key, messageId: place.messageId, data: place.data });
      concluded.push({ file, finding: { ...finding, source: sourceKindOf(file.kind) } });
    }
  }
  return concluded;
}
