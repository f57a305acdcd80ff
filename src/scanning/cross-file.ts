import { toFinding, type KeyAllow } from "../engine/apply-rules.js";
import type { PlannedRule } from "../engine/plan.js";
import { compareText } from "../severity.js";
import type { Finding, Suppression } from "../types.js";
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
 * every time. A rule reports each key once per file. A finding at a key that an inline allow
 * marker covers (`keyAllows`, by report path) is allowed: returned among `allowed`, as the
 * suppressed entry the report lists.
 */
export function concludeAcrossFiles(rules: readonly PlannedRule[], collected: readonly CollectedFact[], keyAllows: ReadonlyMap<string, readonly KeyAllow[]> = new Map()): Concluded {
  const ordered = [...collected].sort((a, b) => (a.order ?? 0) - (b.order ?? 0) || compareText(a.file.path, b.file.path));
  const concluded: Concluded = { findings: [], allowed: [] };
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
      const allow = keyAllows.get(file.path)?.find((at) => at.line === finding.line && at.column === finding.column);
      if (allow) {
        concluded.allowed.push({ ruleId: finding.ruleId, file: finding.file, line: finding.line, column: finding.column, by: "inline", ...(finding.secret ? { fingerprint: finding.secret.fingerprint } : {}), ...(allow.reason !== undefined ? { reason: allow.reason } : {}) });
        continue;
      }
      concluded.findings.push({ file, finding: { ...finding, source: sourceKindOf(file.kind) } });
    }
  }
  return concluded;
}

/** What the cross-file rules concluded: findings, each with its file, and those an inline allow covers. */
export interface Concluded {
  findings: Array<{ file: SourceFile; finding: Finding }>;
  allowed: Suppression[];
}
