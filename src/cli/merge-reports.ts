import { ruleById } from "../../rules/index.js";
import { applyBaselineAt } from "../config/baseline.js";
import { MAX_FINDINGS_PER_SCAN, SeverityCap } from "../engine/finding-cap.js";
import type { PlannedRule } from "../engine/plan.js";
import type { KeyAllow } from "../engine/apply-rules.js";
import { concludeAcrossFiles, type CollectedFact, type Concluded } from "../scanning/cross-file.js";
import { compareFindings, fileOverCapWarning, scanOverCapWarning } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";
import type { Finding, ScanModeName, ScanResult, ShardedScan, ShardInfo, Suppression, Warning } from "../types.js";
import { MergeError } from "./merge-error.js";

/**
 * `lumenguard merge`: JSON reports in, one report out — the report of the whole scan when the
 * inputs are the shards of one (`scan --shard I/N`), and a de-duplicated union when they are
 * several scans (a working-tree scan and a history scan of one repository, say).
 *
 * Shards of one scan are recognised by their `shard.scan` (the same mode, revisions, paths,
 * settings, HEAD and walk or listing in each) and combined as the whole scan would have:
 * - a key in history is reported once per rule, key and path, at the earliest commit of the
 *   walk that put it there (`commitIndex`): two blobs holding it at one path may fall in
 *   different shards, and the earlier commit wins, as `scan --history` attributes it;
 * - the rules that decide across files (shared-key-across-environments, key-rotation-due) are
 *   concluded here, from every shard's facts, then the scan's baseline is applied to what they
 *   find;
 * - counts are added up (the commits walked are every shard's, counted once), warnings kept
 *   once, findings beyond the caps counted and said as the scan says them.
 * Separate scans are combined finding by finding: one that another report already holds — same
 * rule, key fingerprint (or message, for a finding about a file), path from the repository
 * root, commit, line and column — is kept once. Findings are capped at 100,000 per merge, the
 * most severe kept, as one scan is.
 */

/** A report file, parsed and checked (merge-input.ts). */
export interface ReportInput {
  /** The file as given on the command line (named in errors). */
  name: string;
  report: ScanResult;
}

export interface MergeOptions {
  /** Findings kept in the merged report (default 100,000, as a scan); beyond it the least severe are counted, not kept. */
  maxFindings?: number;
}

/**
 * Merges checked reports (merge-input.ts) into one result, in the order given.
 * @throws MergeError with exit code 2 when shards of one scan disagree (different scans, shard
 *   counts, settings; a shard given twice; cross-file facts this version cannot conclude), and
 *   with exit code 3 when a shard of a scan is missing — a shard that failed writes no report,
 *   and a merge without it would pass over what it was to scan.
 */
export function mergeReports(inputs: readonly ReportInput[], options: MergeOptions = {}): ScanResult {
  if (inputs.length === 0) throw new MergeError("merge needs at least one JSON report", 2);
  const parts: Part[] = [];
  for (const group of shardGroups(inputs)) parts.push(combineShards(group));
  for (const input of inputs) if (!input.report.shard) parts.push(wholeReport(input));
  return combineParts(parts, options.maxFindings ?? MAX_FINDINGS_PER_SCAN);
}

/** A finding and, for shards of a history scan, where its commit is in the walk. */
interface Entry {
  finding: Finding;
  commitIndex: number | undefined;
}

/** One scan's result, on the way to the merged one. */
interface Part {
  mode: ScanModeName;
  findings: Entry[];
  suppressed: Suppression[];
  /** Warnings other than those about findings beyond the caps, which are said again at the end. */
  warnings: Warning[];
  /** Verbatim warnings about findings beyond the caps (a scan that was not sharded said them itself). */
  capWarnings: Warning[];
  stats: Omit<ScanResult["stats"], "findingsOverCap" | "suppressed">;
  /** Findings beyond the per-file cap, by report path (shards). */
  overCapByFile: Map<string, number>;
  /** Findings beyond a scan's cap, still to be said (shards); those of unsharded reports are in capWarnings. */
  overCapScan: number;
  /** Findings beyond caps that `capWarnings` already say. */
  overCapSaid: number;
}

const strip = (finding: Finding & { message?: unknown }): Entry => {
  const { message: _message, commitIndex, ...rest } = finding;
  return { finding: rest, commitIndex };
};

const stripSuppression = (suppression: Suppression): Suppression => {
  const { commitIndex: _commitIndex, ...rest } = suppression;
  return rest;
};

/** An unsharded report, as a part. */
function wholeReport(input: ReportInput): Part {
  const { report } = input;
  const isCap = (warning: Warning) => warning.code === "findings-cap";
  return {
    mode: report.mode,
    findings: report.findings.map((finding) => ({ finding: strip(finding).finding, commitIndex: undefined })),
    suppressed: report.suppressed.map(stripSuppression),
    warnings: report.warnings.filter((warning) => !isCap(warning)),
    capWarnings: report.warnings.filter(isCap),
    stats: statsOf([report]),
    overCapByFile: new Map(),
    overCapScan: 0,
    overCapSaid: report.stats.findingsOverCap ?? 0,
  };
}

function statsOf(reports: readonly ScanResult[], commits?: number): Part["stats"] {
  const sum = (pick: (stats: ScanResult["stats"]) => number) => reports.reduce((total, report) => total + pick(report.stats), 0);
  const walked = commits ?? (reports.some((report) => report.stats.commits !== undefined) ? sum((stats) => stats.commits ?? 0) : undefined);
  return {
    files: sum((stats) => stats.files),
    bytes: sum((stats) => stats.bytes),
    blobs: sum((stats) => stats.blobs),
    ...(walked !== undefined ? { commits: walked } : {}),
    // Shards and separate scans run side by side: the merged scan took as long as the longest.
    durationMs: Math.max(0, ...reports.map((report) => report.stats.durationMs)),
    skipped: sum((stats) => stats.skipped),
  };
}

/** A complete set of shards of one scan, ordered by index. */
interface ShardGroup {
  scan: ShardedScan;
  shards: Array<{ name: string; report: ScanResult; shard: ShardInfo }>;
}

/**
 * The sharded inputs, grouped by scan: each group complete (shards 1 to N, each once).
 * @throws MergeError (see mergeReports).
 */
function shardGroups(inputs: readonly ReportInput[]): ShardGroup[] {
  const groups = new Map<string, ShardGroup>();
  for (const { name, report } of inputs) {
    const shard = report.shard;
    if (!shard) continue;
    const key = JSON.stringify(shard.scan);
    const group = groups.get(key) ?? { scan: shard.scan, shards: [] };
    group.shards.push({ name, report, shard });
    groups.set(key, group);
  }
  const all = [...groups.values()];
  for (const group of all) {
    const totals = new Set(group.shards.map((entry) => entry.shard.total));
    if (totals.size > 1) {
      throw new MergeError(`these are shards of one scan split in different ways: ${group.shards.map((entry) => `${entry.name} (${entry.shard.index}/${entry.shard.total})`).join(", ")}; merge the shards of one --shard I/N run`, 2);
    }
    const seen = new Map<number, string>();
    for (const entry of group.shards) {
      const other = seen.get(entry.shard.index);
      if (other !== undefined) throw new MergeError(`${other} and ${entry.name} are both shard ${entry.shard.index}/${entry.shard.total} of the same scan; give each shard once`, 2);
      seen.set(entry.shard.index, entry.name);
    }
    group.shards.sort((a, b) => a.shard.index - b.shard.index);
  }
  for (const group of all) {
    const total = group.shards[0]!.shard.total;
    if (group.shards.length === total) continue;
    const rival = all.find((other) => other !== group && other.scan.mode === group.scan.mode);
    if (rival) {
      throw new MergeError(
        `these shards are not of one scan: ${describeGroup(group)} and ${describeGroup(rival)} differ in ${differences(group.scan, rival.scan)}; run every shard of a scan on the same commit and settings, and merge those`,
        2,
      );
    }
    const have = new Set(group.shards.map((entry) => entry.shard.index));
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((index) => !have.has(index));
    throw new MergeError(
      `shard ${missing.map((index) => `${index}/${total}`).join(", ")} of the ${group.scan.mode} scan ${missing.length === 1 ? "is" : "are"} missing (given: ${group.shards.map((entry) => `${entry.name} = ${entry.shard.index}/${total}`).join(", ")}). A shard that could not run writes no report; without it, part of the scan would pass unseen. Re-run the missing shard, then merge again`,
      3,
    );
  }
  return all;
}

function describeGroup(group: ShardGroup): string {
  const names = group.shards.map((entry) => `${entry.name} (${entry.shard.index}/${entry.shard.total})`).join(", ");
  const { scan } = group;
  const head = scan.head === null ? "no commit" : `HEAD ${scan.head.slice(0, 12)}`;
  const commits = scan.commits !== undefined ? `, ${scan.commits} commits` : "";
  return `${names} [${scan.mode} scan at ${head}${commits}]`;
}

/** Which parts of two scans' identities differ, in words. */
function differences(a: ShardedScan, b: ShardedScan): string {
  const names: Record<string, string> = {
    revisions: "the revisions scanned",
    paths: "the paths given",
    settings: "the configuration or baseline",
    head: "HEAD",
    commits: "the commits walked",
    firstCommit: "the commits walked",
    lastCommit: "the commits walked",
    listed: "what was listed",
    listing: "what was listed",
  };
  const fields = Object.keys(names).filter((field) => JSON.stringify(a[field as keyof ShardedScan]) !== JSON.stringify(b[field as keyof ShardedScan]));
  return [...new Set(fields.map((field) => names[field]!))].join(", ") || "their shard counts";
}

/** The whole scan's result from its shards. */
function combineShards(group: ShardGroup): Part {
  const { shards } = group;
  const names = shards.map((entry) => entry.name).join(", ");
  const first = shards[0]!.shard;
  for (const { name, shard } of shards) {
    if (JSON.stringify(shard.crossFile.rules) !== JSON.stringify(first.crossFile.rules) || JSON.stringify(shard.crossFile.baseline) !== JSON.stringify(first.crossFile.baseline)) {
      throw new MergeError(`${name} and ${shards[0]!.name} are shards of one scan whose rules ran with different options; run every shard with the same configuration`, 2);
    }
  }
  const findings = earliestPerKey(shards.map((entry) => entry.report));
  const concluded = concludeShards(group, names);
  const suppressed = earliestSuppressions(shards.map((entry) => entry.report));
  const overCapByFile = new Map<string, number>();
  let overCapScan = 0;
  for (const { shard, report } of shards) {
    let perFile = 0;
    for (const { file, count } of shard.overCapByFile) {
      overCapByFile.set(file, (overCapByFile.get(file) ?? 0) + count);
      perFile += count;
    }
    overCapScan += Math.max(0, (report.stats.findingsOverCap ?? 0) - perFile);
  }
  return {
    mode: group.scan.mode,
    findings: [...findings, ...concluded.findings.map((finding) => ({ finding, commitIndex: undefined }))],
    suppressed: [...suppressed, ...concluded.suppressed],
    warnings: shards.flatMap((entry) => entry.report.warnings).filter((warning) => warning.code !== "findings-cap"),
    capWarnings: [],
    stats: statsOf(
      shards.map((entry) => entry.report),
      group.scan.commits,
    ),
    overCapByFile,
    overCapScan,
    overCapSaid: 0,
  };
}

/**
 * The shards' findings: a history finding (one with `commitIndex`) once per rule, key (or
 * message, for a finding without one) and path from the repository root — the one at the
 * earliest commit of the walk, as the whole scan attributes it; every other finding as it is
 * (shards never share a file or blob, so they never hold the same one).
 */
function earliestPerKey(reports: readonly ScanResult[]): Entry[] {
  const earliest = new Map<string, Entry>();
  const others: Entry[] = [];
  for (const report of reports) {
    for (const raw of report.findings) {
      const entry = strip(raw);
      if (entry.commitIndex === undefined) {
        others.push(entry);
        continue;
      }
      const { finding } = entry;
      const key = `${finding.ruleId}\u0000${finding.secret?.fingerprint ?? finding.messageId}\u0000${finding.repoPath ?? finding.file}`;
      const known = earliest.get(key);
      if (!known || entry.commitIndex < known.commitIndex!) earliest.set(key, entry);
    }
  }
  return [...earliest.values(), ...others];
}

/**
 * What the baseline accepted, once per rule, key and file for history (the whole scan accepts
 * the one finding it attributes, at the earliest commit); everything else as the shards list it.
 */
function earliestSuppressions(reports: readonly ScanResult[]): Suppression[] {
  const earliest = new Map<string, Suppression>();
  const others: Suppression[] = [];
  for (const report of reports) {
    for (const suppression of report.suppressed) {
      if (suppression.by !== "baseline" || suppression.commitIndex === undefined) {
        others.push(stripSuppression(suppression));
        continue;
      }
      const key = `${suppression.ruleId}\u0000${suppression.fingerprint ?? ""}\u0000${suppression.file}`;
      const known = earliest.get(key);
      if (!known || suppression.commitIndex < known.commitIndex!) earliest.set(key, suppression);
    }
  }
  return [...[...earliest.values()].map(stripSuppression), ...others];
}

/**
 * The cross-file rules' findings from every shard's facts, and the scan's baseline applied to
 * them.
 * @throws MergeError (exit 2) for a rule this version does not know to decide across files, a
 *   fact of a rule the shards did not run, or facts the rule cannot read.
 */
function concludeShards(group: ShardGroup, names: string): { findings: Finding[]; suppressed: Suppression[] } {
  const { crossFile } = group.shards[0]!.shard;
  const planned: PlannedRule[] = crossFile.rules.map(({ ruleId, severity, options }) => {
    const rule = ruleById(ruleId);
    if (!rule?.acrossFiles) throw new MergeError(`${names}: "${ruleId}" is not a rule this lumenguard decides across files; merge with the lumenguard version that scanned`, 2);
    return { rule, severity, options };
  });
  const ruleIds = new Set(crossFile.rules.map((rule) => rule.ruleId));
  const baselinePaths = new Map<SourceFile, string>();
  const facts: CollectedFact[] = [];
  for (const { name, shard } of group.shards) {
    for (const fact of shard.crossFile.facts) {
      if (!ruleIds.has(fact.ruleId)) throw new MergeError(`${name}: holds facts of the rule "${fact.ruleId}", which the scan did not run`, 2);
      const file: SourceFile = { path: fact.file.path, kind: fact.file.kind, absPath: fact.file.baselinePath ?? fact.file.path };
      if (fact.file.repoPath !== undefined) file.repoPath = fact.file.repoPath;
      if (fact.file.baselinePath !== undefined) baselinePaths.set(file, fact.file.baselinePath);
      facts.push({ ruleId: fact.ruleId, item: fact.item, file, order: fact.commitIndex });
    }
  }
  let concluded: Concluded;
  try {
    concluded = concludeAcrossFiles(planned, facts, latestKeyAllows(group));
  } catch (error) {
    throw new MergeError(`${names}: the cross-file facts cannot be read (${(error as Error).message}); merge reports that lumenguard scan --format json wrote`, 2);
  }
  for (const { file, finding } of concluded.findings) if (file.repoPath !== undefined) finding.repoPath = file.repoPath;
  if (crossFile.baseline === null) return { findings: concluded.findings.map((entry) => entry.finding), suppressed: concluded.allowed };
  const applied = applyBaselineAt(concluded.findings, { entries: crossFile.baseline }, (entry) => baselinePaths.get(entry.file) ?? entry.finding.file);
  return { findings: applied.kept.map((entry) => entry.finding), suppressed: [...concluded.allowed, ...applied.suppressed] };
}

/**
 * Per file, the keys an inline allow covers, from the shards: for history, those of the latest
 * content that had any (the highest `commitIndex`), as the scan keeps the last it records in
 * the order of its walk.
 */
function latestKeyAllows(group: ShardGroup): Map<string, KeyAllow[]> {
  const latest = new Map<string, { order: number; allows: KeyAllow[] }>();
  for (const { shard } of group.shards) {
    for (const { file, commitIndex, allows } of shard.crossFile.keyAllows) {
      const order = commitIndex ?? 0;
      const known = latest.get(file);
      if (!known || order > known.order) latest.set(file, { order, allows });
    }
  }
  return new Map([...latest].map(([file, { allows }]) => [file, allows]));
}

/** The parts as one result: findings and warnings once each, counts added up, the scan's cap applied. */
function combineParts(parts: readonly Part[], maxFindings: number): ScanResult {
  const seen = new Set<string>();
  const capped = new SeverityCap<Finding>(maxFindings, (finding) => finding.severity);
  for (const part of parts) {
    const keys: string[] = [];
    for (const { finding } of part.findings) {
      const key = sameFindingKey(finding);
      if (seen.has(key)) continue;
      keys.push(key);
      capped.add(finding);
    }
    for (const key of keys) seen.add(key);
  }
  const suppressed = once(parts.flatMap((part) => part.suppressed));
  const overCapByFile = new Map<string, number>();
  for (const part of parts) for (const [file, count] of part.overCapByFile) overCapByFile.set(file, (overCapByFile.get(file) ?? 0) + count);
  const overCapScan = parts.reduce((total, part) => total + part.overCapScan, 0) + capped.overCap;
  const warnings = once([...parts.flatMap((part) => [...part.warnings, ...part.capWarnings]), ...[...overCapByFile].map(([file, count]) => fileOverCapWarning(file, count))]);
  if (overCapScan > 0) warnings.push(scanOverCapWarning(overCapScan, maxFindings));
  const overCap = parts.reduce((total, part) => total + part.overCapSaid, 0) + [...overCapByFile.values()].reduce((a, b) => a + b, 0) + overCapScan;
  const stats = parts.length === 1 ? parts[0]!.stats : combineStats(parts);
  const modes = new Set(parts.map((part) => part.mode));
  return {
    version: 1,
    // Reports of different kinds together (a working tree and its history): what `ci` scans.
    mode: modes.size === 1 ? parts[0]!.mode : "ci",
    findings: capped.items.sort(compareFindings),
    warnings,
    suppressed,
    stats: { ...stats, suppressed: suppressed.length, ...(overCap > 0 ? { findingsOverCap: overCap } : {}) },
  };
}

function combineStats(parts: readonly Part[]): Part["stats"] {
  const sum = (pick: (stats: Part["stats"]) => number) => parts.reduce((total, part) => total + pick(part.stats), 0);
  const commits = parts.some((part) => part.stats.commits !== undefined) ? sum((stats) => stats.commits ?? 0) : undefined;
  return {
    files: sum((stats) => stats.files),
    bytes: sum((stats) => stats.bytes),
    blobs: sum((stats) => stats.blobs),
    ...(commits !== undefined ? { commits } : {}),
    durationMs: Math.max(0, ...parts.map((part) => part.stats.durationMs)),
    skipped: sum((stats) => stats.skipped),
  };
}

/**
 * What makes two findings of different reports the same finding: rule, key fingerprint (or the
 * message, for a finding about a file), path from the repository root, commit, and position.
 */
function sameFindingKey(finding: Finding): string {
  return [finding.ruleId, finding.secret?.fingerprint ?? `${finding.messageId}\u0000${JSON.stringify(finding.data)}`, finding.repoPath ?? finding.file, finding.commit?.sha ?? "", finding.line, finding.column].join("\u0000");
}

/** Each distinct entry once, in the order first seen. */
function once<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
