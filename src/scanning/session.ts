import { createHash } from "node:crypto";
import { applyBaseline, baselinePath, readBaseline, type Baseline, type PlacedFinding } from "../config/baseline.js";
import type { ResolvedConfig } from "../config/resolve-config.js";
import type { EngineFinding, KeyAllow } from "../engine/apply-rules.js";
import type { EnginePlan } from "../engine/plan.js";
import { appliesTo, type Scope } from "../engine/rule.js";
import { MAX_FINDINGS_PER_FILE, MAX_FINDINGS_PER_SCAN, SeverityCap } from "../engine/finding-cap.js";
import { compareSeverity, compareText } from "../severity.js";
import type { CrossFileFacts, Finding, OriginalPosition, ScanModeName, ScanResult, ShardInfo, Suppression, Warning } from "../types.js";
import { concludeAcrossFiles, type CollectedFact } from "./cross-file.js";
import { keysInName } from "./file-name-keys.js";
import { openSink, scanArchive, type FileSink, type RandomAccess, type ScannedFile, type SinkHooks } from "./file-sink.js";
import { FILE_SIZE_LIMIT, type ScanLimits } from "./limits.js";
import { literalTests, worthReadingCheck, type LiteralTest } from "./prefilter.js";
import type { ShardSelection } from "./shard.js";
import { factsOf, sourceKindOf, type SourceFile, type TraceSpec } from "./source-file.js";

/**
 * The one scanning loop. Every source — working tree, index, history, client output, npm pack
 * list, standard input, a bundler's chunks — opens a sink per file and pushes its bytes; the
 * session turns what the engine finds into findings (adding where the file came from, and the
 * original source through a source map), and when the sources are done it concludes the rules
 * that decide across files, applies the baseline, and returns the result.
 */
export interface SessionInit {
  mode: ScanModeName;
  resolved: ResolvedConfig;
  plan: EnginePlan;
  /** The baseline file to apply, or null. */
  baselineFile: string | null;
  /** The baseline's content when it was read from elsewhere than the file (a commit); paths stay relative to `baselineFile`. */
  baseline?: Baseline | undefined;
  limits?: ScanLimits;
  /** Reads where a position of client output came from (the source layer reads maps). */
  trace?: (spec: TraceSpec, line: number, column: number) => OriginalPosition | null;
  /** `false`: the engine reads every file, even one that holds none of the rules' literals. */
  prefilter?: boolean;
  /** Findings kept for the whole scan (default MAX_FINDINGS_PER_SCAN); beyond it they are counted, the least severe left out. */
  maxFindings?: number;
  /**
   * A sharded scan (`--shard I/N`): the result carries `shard` (ScanResult.shard) — the facts of
   * the cross-file rules instead of their findings, and each history finding's position in the walk.
   */
  shard?: ShardSelection | undefined;
}

/** A finished scan: the result, the configuration it ran with, and each finding's file on disk (baselines need it). */
export interface ScanRun {
  result: ScanResult;
  resolved: ResolvedConfig;
  placed: PlacedFinding[];
}

/** Extra facts a source knows of a finding's file (history: the commit that introduced it). */
export interface RecordExtra {
  commit?: Finding["commit"];
  /** History: the 0-based position of that commit in the walk (cross-file facts are read in this order). */
  walkIndex?: number;
}

export class ScanSession {
  /**
   * When the scan started (process.hrtime, nanoseconds). Not `performance.now()`: on Node 20 the
   * first use of the `performance` global loads perf_hooks, 3 ms of CPU on a pre-commit hook's
   * `scan --staged` here (a tenth of its whole budget over Node's own start-up).
   */
  readonly started = process.hrtime.bigint();
  readonly hooks: SinkHooks;
  private readonly placed: SeverityCap<PlacedFinding>;
  /** Findings the engine counted but did not keep, beyond the per-file cap, by file. */
  private readonly overCapByFile = new Map<string, number>();
  private readonly suppressed: Suppression[] = [];
  private readonly warnings: Warning[] = [];
  private readonly collected: CollectedFact[] = [];
  /**
   * Per file (its path in the report), the keys an inline allow covers — cross-file findings
   * there are allowed — and where the content that said so stands in the scan (CollectedFact.order).
   */
  private readonly keyAllows = new Map<string, { allows: KeyAllow[]; order: number | undefined }>();
  private readonly pending: Array<Promise<void>> = [];
  private readonly traceFailed = new Set<string>();
  /** Paths whose names were checked for keys (checkName). */
  private readonly namesChecked = new Set<string>();
  /** The prefilter's literal tests by scope; null when the scan reads every file. */
  private readonly literalTests: ((scope: Scope) => LiteralTest | null) | null;
  readonly stats = { files: 0, bytes: 0, blobs: 0, commits: undefined as number | undefined, skipped: 0 };

  constructor(private readonly init: SessionInit) {
    this.placed = new SeverityCap(init.maxFindings ?? MAX_FINDINGS_PER_SCAN, (placed) => placed.finding.severity);
    this.hooks = {
      plan: init.plan,
      limits: init.limits ?? init.resolved.limits,
      done: (scanned) => this.record(scanned),
      warn: (warning) => this.warn(warning),
      defer: (work) => void this.pending.push(work),
    };
    this.literalTests = init.prefilter === false ? null : literalTests(init.plan);
    if (this.literalTests) this.hooks.worthReading = worthReadingCheck(init.plan, this.literalTests);
  }

  /**
   * The prefilter's literal test for files of `scope` (scanning/prefilter.ts), or null when the
   * engine must read every file: the scan was asked not to skip any (`prefilter: false`), or a
   * rule of that scope reads every file.
   */
  literalTest(scope: Scope): LiteralTest | null {
    return this.literalTests?.(scope) ?? null;
  }

  /** The shard this scan reads, when it is sharded. */
  get shard(): ShardSelection | undefined {
    return this.init.shard;
  }

  get plan(): EnginePlan {
    return this.init.plan;
  }

  get resolved(): ResolvedConfig {
    return this.init.resolved;
  }

  /** Whether config `ignore` excludes a file (absolute path). */
  isIgnored(absPath: string): boolean {
    return this.init.resolved.isIgnored(absPath);
  }

  /** A sink for one file; what the engine finds is recorded when its last chunk is pushed. */
  open(file: SourceFile): FileSink {
    return openSink(file, this.hooks);
  }

  /**
   * A sink whose outcome goes to `done` instead of the report (history attributes blobs first;
   * staged compares); `warn`, when given, receives the warnings of reading it (history reports
   * them once it knows every path of the blob, and none when config `ignore` covers them all).
   */
  openAside(file: SourceFile, done: (scanned: ScannedFile) => void, warn?: (warning: Warning) => void): FileSink {
    return openSink(file, { ...this.hooks, done, ...(warn ? { warn } : {}) });
  }

  /** An archive read at any offset (a file on disk). */
  scanArchive(file: SourceFile, archive: RandomAccess): void {
    scanArchive(file, archive, this.hooks);
  }

  warn(warning: Warning): void {
    // A file scanned only up to the size limit counts as skipped (its warning says how far).
    if (warning.code === FILE_SIZE_LIMIT) this.stats.skipped++;
    this.warnings.push(warning);
  }

  /** A listed file that could not be read: counted and said, the scan goes on. */
  skip(file: string, reason: string): void {
    this.stats.skipped++;
    this.warn({ code: "unreadable", message: `${file}: ${reason}; skipped`, file });
  }

  /** Records a scanned file: its findings, allowed findings, cross-file facts and search notes. */
  record(scanned: ScannedFile, extra: RecordExtra = {}): void {
    const { file, outcome } = scanned;
    this.checkName(file, extra);
    this.stats.files++;
    this.stats.bytes += outcome.bytes;
    for (const engineFinding of outcome.findings) this.placeFinding(file, { ...engineFinding, source: sourceKindOf(file.kind) }, extra);
    this.suppressed.push(...outcome.suppressed);
    for (const { ruleId, item } of outcome.collected) this.collected.push({ ruleId, item, file });
    if (outcome.keyAllows) this.keyAllows.set(file.path, { allows: outcome.keyAllows, order: extra.walkIndex });
    for (const note of outcome.notes) this.warn(noteWarning(file.path, note));
    this.countOverCap(file.path, outcome.overCap);
  }

  /**
   * Reports the Lumenfall keys in a file's name — its path from the repository root (outside
   * git, from the scan root), folders included — once per path however often the path is
   * recorded (history: each version of a file; an archive: each member). An archive member's
   * name inside the archive is checked on its own. Env files git ignores are never committed:
   * their names are not checked. See file-name-keys.ts.
   */
  checkName(file: SourceFile, extra: RecordExtra = {}): void {
    if (file.kind === "ignored" || file.kind === "stdin") return;
    const { trace: _trace, entry, ...plain } = file;
    if (entry !== undefined) {
      const outer = (path: string) => path.slice(0, Math.max(0, path.length - entry.length - 1));
      this.checkName({ ...plain, path: outer(file.path), ...(file.repoPath !== undefined ? { repoPath: outer(file.repoPath) } : {}) }, extra);
    }
    const full = file.repoPath ?? file.path;
    if (this.namesChecked.has(full)) return;
    this.namesChecked.add(full);
    for (const { finding, after } of keysInName(entry ?? full, this.init.plan)) {
      // A key in a folder's name is reported once, at the folder (when it is inside the scan root).
      // (A folder above the scan root has no report path: the file is named instead.)
      const cut = after > 0 && file.path.length > after ? (path: string) => path.slice(0, path.length - after) : (path: string) => path;
      const place: SourceFile = { ...plain, path: cut(file.path), absPath: cut(file.absPath), ...(file.repoPath !== undefined ? { repoPath: cut(file.repoPath) } : {}) };
      const once = `${place.repoPath ?? place.path}\u0000${finding.secret!.fingerprint}`;
      if (this.namesChecked.has(once)) continue;
      this.namesChecked.add(once);
      this.placeFinding(place, { ...finding, file: place.path, source: sourceKindOf(file.kind) }, extra);
    }
  }

  private countOverCap(path: string, count: number): void {
    if (count > 0) this.overCapByFile.set(path, (this.overCapByFile.get(path) ?? 0) + count);
  }

  /** Files whose findings were recorded under another name (history: one blob, many paths) count once. */
  recordCounts(scanned: ScannedFile): void {
    this.stats.files++;
    this.stats.bytes += scanned.outcome.bytes;
    for (const note of scanned.outcome.notes) this.warn(noteWarning(scanned.file.path, note));
    this.countOverCap(scanned.file.path, scanned.outcome.overCap);
  }

  /**
   * Records what one blob held under one of its names (history: a blob is read once and
   * attributed to each path and commit that introduced it). `findings` are the blob's findings
   * to record there; allowed findings and cross-file facts come with `scanned`.
   */
  recordAttributed(file: SourceFile, findings: readonly EngineFinding[], scanned: ScannedFile, extra: RecordExtra): void {
    // An archive member keeps its name inside the archive under every path of the archive.
    const entry = scanned.file.entry;
    const named: SourceFile = entry === undefined ? file : { ...file, path: `${file.path}!${entry}`, entry, ...(file.repoPath ? { repoPath: `${file.repoPath}!${entry}` } : {}) };
    for (const engineFinding of findings) this.placeFinding(named, { ...engineFinding, file: named.path, source: sourceKindOf(file.kind) }, extra);
    for (const allowed of scanned.outcome.suppressed) this.suppressed.push({ ...allowed, file: named.path });
    if (scanned.outcome.keyAllows) this.keyAllows.set(named.path, { allows: scanned.outcome.keyAllows, order: extra.walkIndex });
    if (named.path === scanned.file.path) {
      for (const { ruleId, item } of scanned.outcome.collected) this.collected.push({ ruleId, item, file: named, order: extra.walkIndex });
      return;
    }
    // Under another name the same bytes may configure another environment: the cross-file rules
    // see the blob's keys again, under this name (its text is not kept).
    const facts = factsOf(named);
    for (const { rule } of this.init.plan.rules) {
      if (!rule.acrossFiles || scanned.outcome.keys.length === 0 || !appliesTo(rule.meta, facts)) continue;
      for (const item of rule.acrossFiles.collect(facts, scanned.outcome.keys, null)) this.collected.push({ ruleId: rule.meta.id, item, file: named, order: extra.walkIndex });
    }
  }

  private placeFinding(file: SourceFile, finding: Finding, extra: RecordExtra): void {
    if (file.repoPath) finding.repoPath = file.repoPath;
    if (extra.commit) finding.commit = extra.commit;
    if (this.init.shard && extra.walkIndex !== undefined) finding.commitIndex = extra.walkIndex;
    if (file.trace && this.init.trace) {
      const original = this.traceOriginal(file, finding);
      if (original) finding.original = original;
    }
    this.placed.add({ finding, absPath: file.absPath });
  }

  /** A broken map keeps the finding (untraced) and says so once per file: never the end of the scan. */
  private traceOriginal(file: SourceFile, finding: Finding): OriginalPosition | null {
    try {
      return this.init.trace!(file.trace!, finding.line, finding.column);
    } catch (error) {
      if (!this.traceFailed.has(file.path)) {
        this.traceFailed.add(file.path);
        this.warn({ code: "source-map", message: `${file.path}: its source map could not be read (${(error as Error).message}); findings are reported where they are in the built file`, file: file.path });
      }
      return null;
    }
  }

  /**
   * Waits until every file opened so far has been scanned: some containers (brotli) inflate
   * asynchronously, so a sink's outcome may arrive after its last chunk was pushed. Sources
   * that gather outcomes aside before recording them (history, staged) wait here first.
   */
  async settle(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }

  /** Waits for deferred work, concludes cross-file rules, applies the baseline, and builds the result. */
  async finish(): Promise<ScanRun> {
    await this.settle();
    return this.finishSync();
  }

  /**
   * {@link finish} without waiting, for sources that push whole files held in memory and defer
   * nothing (ESLint lints an editor's buffer synchronously).
   * @throws Error when work is still deferred (a compressed file or an archive was opened): use finish().
   */
  finishSync(): ScanRun {
    if (this.pending.length > 0) throw new Error("the scan still has deferred work (a compressed file or an archive): finish() waits for it");
    // A shard cannot conclude: the other shards hold the rest of the facts. It exports them instead.
    if (!this.init.shard) this.concludeAcrossFiles();
    const overCap = this.warnOverCap();
    let kept = this.placed.items;
    const suppressed = this.suppressed;
    const baseline = this.init.baselineFile ? (this.init.baseline ?? readBaseline(this.init.baselineFile)) : null;
    if (this.init.baselineFile && baseline) {
      const applied = applyBaseline(kept, baseline, this.init.baselineFile);
      kept = applied.kept;
      suppressed.push(...applied.suppressed);
    }
    const { stats } = this;
    const result: ScanResult = {
      version: 1,
      mode: this.init.mode,
      findings: kept.map((item) => item.finding).sort(compareFindings),
      warnings: this.warnings,
      suppressed,
      stats: {
        files: stats.files,
        bytes: stats.bytes,
        blobs: stats.blobs,
        ...(stats.commits !== undefined ? { commits: stats.commits } : {}),
        durationMs: Math.round(Number(process.hrtime.bigint() - this.started) / 1e6),
        skipped: stats.skipped,
        suppressed: suppressed.length,
        ...(overCap > 0 ? { findingsOverCap: overCap } : {}),
      },
    };
    if (this.init.shard) result.shard = this.shardInfo(this.init.shard, baseline);
    return { result, resolved: this.init.resolved, placed: kept };
  }

  /** What `lumenguard merge` needs from this shard besides its findings (see ShardInfo). */
  private shardInfo(selection: ShardSelection, baseline: Baseline | null): ShardInfo {
    const settings = createHash("sha256")
      .update(JSON.stringify({ config: this.init.resolved.loaded.config, baseline, includePlaceholders: this.init.plan.includePlaceholders }))
      .digest("hex");
    return {
      index: selection.shard.index,
      total: selection.shard.total,
      scan: { ...selection.facts, settings, listed: selection.listed, listing: selection.listingDigest() },
      crossFile: this.crossFileFacts(baseline),
      overCapByFile: [...this.overCapByFile].map(([file, count]) => ({ file, count })),
    };
  }

  /** The cross-file rules' facts, as plain data (see CrossFileFacts). */
  private crossFileFacts(baseline: Baseline | null): CrossFileFacts {
    const planned = this.init.plan.rules.filter((entry) => entry.rule.acrossFiles);
    const ids = new Set(planned.map((entry) => entry.rule.meta.id));
    const baselineFile = this.init.baselineFile;
    const factFiles = new Set(this.collected.filter((entry) => ids.has(entry.ruleId)).map((entry) => entry.file.path));
    return {
      rules: planned.map((entry) => ({ ruleId: entry.rule.meta.id, severity: entry.severity, options: entry.options })),
      facts: this.collected
        .filter((entry) => ids.has(entry.ruleId))
        .map(({ ruleId, item, file, order }) => ({
          ruleId,
          file: {
            path: file.path,
            kind: file.kind,
            ...(file.repoPath !== undefined ? { repoPath: file.repoPath } : {}),
            ...(baselineFile ? { baselinePath: baselinePath(file.absPath, baselineFile) } : {}),
          },
          ...(order !== undefined ? { commitIndex: order } : {}),
          item,
        })),
      keyAllows: [...this.keyAllows]
        .filter(([path]) => factFiles.has(path))
        .map(([file, { allows, order }]) => ({ file, ...(order !== undefined ? { commitIndex: order } : {}), allows })),
      baseline: baseline === null ? null : baseline.entries.filter((entry) => ids.has(entry.ruleId)),
    };
  }

  /**
   * Says how many findings were counted but not kept: per file beyond the engine's cap, and for
   * the scan beyond the session's. Returns the total.
   */
  private warnOverCap(): number {
    let total = this.placed.overCap;
    for (const [path, count] of this.overCapByFile) {
      total += count;
      this.warn(fileOverCapWarning(path, count));
    }
    if (this.placed.overCap > 0) this.warn(scanOverCapWarning(this.placed.overCap, this.init.maxFindings ?? MAX_FINDINGS_PER_SCAN));
    return total;
  }

  /**
   * What a cross-file rule kept from each file of this scan (plain data, see `Rule.acrossFiles`),
   * with the file it came from: for a source that keeps state between scans (key ages) from what
   * the rule saw.
   */
  collectedBy(ruleId: string): Array<{ item: unknown; file: SourceFile }> {
    return this.collected.filter((entry) => entry.ruleId === ruleId).map(({ item, file }) => ({ item, file }));
  }

  /** Rules that look across files (shared-key-across-environments) decide once every file has been read. */
  private concludeAcrossFiles(): void {
    const allows = new Map([...this.keyAllows].map(([path, { allows }]) => [path, allows]));
    const concluded = concludeAcrossFiles(this.init.plan.rules, this.collected, allows);
    this.suppressed.push(...concluded.allowed);
    for (const { file, finding } of concluded.findings) this.placeFinding(file, finding, {});
  }
}

/** The warning for findings of one file counted beyond the per-file cap (`count` of them). */
export function fileOverCapWarning(path: string, count: number): Warning {
  return { code: "findings-cap", message: `${path}: ${count.toLocaleString("en-US")} more findings were counted but not kept (at most ${MAX_FINDINGS_PER_FILE.toLocaleString("en-US")} are kept for one file, the most severe)`, file: path };
}

/** The warning for findings of a scan counted beyond its cap of `cap` (`count` of them). */
export function scanOverCapWarning(count: number, cap: number): Warning {
  return { code: "findings-cap", message: `${count.toLocaleString("en-US")} more findings were counted but not kept (at most ${cap.toLocaleString("en-US")} are kept for one scan, the most severe): fix these, or scan a smaller part, and scan again` };
}

/** Where a detector's search was cut short, as the warning a user reads. */
function noteWarning(path: string, note: { code: string; detector: string; line: number }): Warning {
  const where = `${path}:${note.line}`;
  const messages: Record<string, string> = {
    "pattern-timeout": "ran out of time on this line; the rest of the line was not searched with it",
    "pattern-hit-cap": "stopped here: too many keyword hits in one file; the rest of the file was not searched with it",
    "pattern-budget": "stopped here: its time budget for one file is spent; the rest of the file was not searched with it",
    "pattern-scan-budget": "stopped here: its time budget for the whole scan is spent; the rest of this file and the files after it were not searched with it",
  };
  const message = `${where}: custom pattern ${note.detector} ${messages[note.code] ?? "stopped here"}`;
  return { code: note.code, message, file: path };
}

/**
 * Report order: by file, line, column, most severe first; then by rule, key and commit, so that
 * findings at one place (keys in several commits' messages) come in the same order however the
 * scan — or the merge of its shards — met them.
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareSeverity(a.severity, b.severity) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.secret?.fingerprint ?? "", b.secret?.fingerprint ?? "") ||
    compareText(a.commit?.sha ?? "", b.commit?.sha ?? "") ||
    compareText(a.messageId, b.messageId)
  );
}
