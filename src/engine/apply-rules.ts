import { MAX_FINDINGS_PER_FILE, SeverityCap } from "./finding-cap.js";
import type { Finding, Severity, Suppression } from "../types.js";
import type { Detector, DetectorNote, SecretHit } from "./detector.js";
import { fingerprintFragment, fingerprintSecret } from "./fingerprint.js";
import { coveredBy, type PlacedCandidate } from "./allow-scope.js";
import type { AllowMarker } from "./inline-allow.js";
import { KnownSecrets } from "./known-secrets.js";
import type { EnginePlan, PlannedRule } from "./plan.js";
import type { FileFacts, KeyOccurrence, Report } from "./rule.js";

/** A finding as the engine makes it; the scanning loop adds where the file came from. */
export type EngineFinding = Omit<Finding, "source" | "repoPath" | "commit" | "original" | "verified">;

/** A secret the detectors found, placed in the file. */
export interface LocatedHit {
  hit: SecretHit;
  detector: Detector;
  redacted: string;
  line: number;
  column: number;
  /** Where the secret ends, when it spans lines (a key split across lines and joined). */
  endLine?: number;
  endColumn?: number;
  snippet: string | undefined;
}

/** A search a detector cut short, placed in the file. */
export type LocatedNote = DetectorNote & { detector: string; line: number };

/** What a cross-file rule kept from one file (plain data: it may cross worker threads). */
export interface CollectedFact {
  ruleId: string;
  item: unknown;
}

export interface FileOutcome {
  findings: EngineFinding[];
  suppressed: Suppression[];
  /** Bytes read. */
  bytes: number;
  /** What rules that decide across files kept from this file. */
  collected: CollectedFact[];
  /** Searches cut short (a pattern's time limit or hit cap). */
  notes: LocatedNote[];
  /** Fingerprints of the real secrets in the file, allowed ones included. */
  fingerprints: string[];
  /**
   * The real secrets as rules saw them (positions and identities, never a secret), kept when
   * a rule decides across files: a source that finds one blob under several names (history)
   * hands them to those rules again for each name.
   */
  keys: KeyOccurrence[];
  /** Findings (or keys) beyond MAX_FINDINGS_PER_FILE: counted, not kept; the least severe are left out. */
  overCap: number;
  /**
   * The keys an inline allow marker covers, when a rule that decides across files kept facts
   * from this file: its findings come only after every file is read, and are allowed here.
   */
  keyAllows?: KeyAllow[];
}

/** A key (by its 1-based line and UTF-16 column) that an inline allow marker covers, with the marker's reason. */
export interface KeyAllow {
  line: number;
  column: number;
  reason?: string;
}

/** The message id of a placeholder shown with `--include-placeholders` (rendered by reporters for every rule). */
export const PLACEHOLDER_MESSAGE_ID = "placeholder";

/**
 * Runs the rules that apply to a file (`rules`: the plan's rules that apply to it) on what the
 * detectors found in it. `markers` are the file's inline allow markers (read from its start when
 * it arrived whole, else near each secret). At most MAX_FINDINGS_PER_FILE findings
 * are kept, the most severe; the rest are counted in `overCap`.
 */
export function applyRules(file: FileFacts, rules: readonly PlannedRule[], located: readonly LocatedHit[], notes: LocatedNote[], bytes: number, plan: EnginePlan, text: string | null, markers: readonly AllowMarker[] = []): FileOutcome {
  const outcome: FileOutcome = { findings: [], suppressed: [], bytes, collected: [], notes, fingerprints: [], keys: [], overCap: 0 };
  const kept = new SeverityCap<EngineFinding>(MAX_FINDINGS_PER_FILE, (finding) => finding.severity);
  // Most files hold no secret; rules about the file itself say so.
  if (located.length === 0 && text === null && !rules.some((planned) => planned.rule.checksFilesWithoutKeys)) return outcome;
  // What the engine echoes from this file is scrubbed of the file's own secrets, in any form.
  const known = new KnownSecrets(located.map((entry) => entry.hit.secret));
  const keys: KeyOccurrence[] = [];
  for (const entry of located) {
    const placeholder = entry.hit.placeholder;
    if (placeholder !== null && !plan.includePlaceholders) continue;
    const occurrence = toOccurrence(entry);
    if (occurrence.snippet !== undefined && !known.empty) occurrence.snippet = known.scrub(occurrence.snippet);
    if (placeholder === null) {
      outcome.fingerprints.push(occurrence.fingerprint);
      // A fragment is never sent: it is not the key, and the answer would be wrong.
      if (plan.onKey && entry.detector.verifiable && !entry.hit.partial) plan.onKey(entry.hit.key, occurrence.fingerprint);
    }
    keys.push(occurrence);
  }
  const seen = new Set<string>();
  // Findings at a place (a key, or a place in the text) may be covered by an inline allow.
  const placed: EngineFinding[] = [];
  for (const planned of rules) {
    const { rule } = planned;
    rule.check({
      file,
      keys,
      text,
      options: planned.options,
      report(report) {
        const finding = toFinding(file, planned, report);
        const place = `${rule.meta.id}\u0000${finding.line}:${finding.column}\u0000${report.key?.fingerprint ?? ""}\u0000${report.messageId}`;
        if (seen.has(place)) return;
        seen.add(place);
        if (report.key || report.line !== undefined) placed.push(finding);
        else kept.add(finding);
      },
    });
    if (rule.acrossFiles) {
      const real = keys.filter((key) => key.placeholder === null);
      if (real.length > 0) for (const item of rule.acrossFiles.collect(file, real, text)) outcome.collected.push({ ruleId: rule.meta.id, item });
      if (outcome.keys.length === 0) outcome.keys = real;
    }
  }
  const allMarkers = known.empty ? markers : markers.map((marker) => (marker.reason === undefined ? marker : { ...marker, reason: known.scrub(marker.reason) }));
  const covered = coveredBy(placed.map(candidateOf), allMarkers);
  const honour = plan.inlineAllows !== "report";
  placed.forEach((finding, index) => {
    const marker = covered.get(index);
    if (marker && honour) outcome.suppressed.push(suppression(finding, marker.reason));
    // Not honoured: the finding stands, saying which comment would have allowed it.
    else if (marker) kept.add({ ...finding, inlineAllow: marker.reason === undefined ? {} : { reason: marker.reason } });
    else kept.add(finding);
  });
  if (honour && outcome.collected.length > 0 && allMarkers.length > 0) {
    // Cross-file findings are made at keys: each marker covers a key as it would a finding there.
    const atKeys = outcome.keys.map((key) => ({ ruleId: "", line: key.line, column: key.column, endLine: key.endLine, endColumn: key.endColumn, fingerprint: key.fingerprint }));
    const allows: KeyAllow[] = [];
    for (const [index, marker] of coveredBy(atKeys, allMarkers)) {
      const { line, column } = atKeys[index]!;
      allows.push(marker.reason === undefined ? { line, column } : { line, column, reason: marker.reason });
    }
    if (allows.length > 0) outcome.keyAllows = allows;
  }
  outcome.findings = kept.items;
  outcome.overCap = kept.overCap;
  return outcome;
}

/** Where a finding is, and which secret it is about, for the allow scope. */
function candidateOf(finding: EngineFinding): PlacedCandidate {
  const candidate: PlacedCandidate = { ruleId: finding.ruleId, line: finding.line, column: finding.column, endLine: finding.endLine, endColumn: finding.endColumn };
  if (finding.secret) candidate.fingerprint = finding.secret.fingerprint;
  return candidate;
}

function toOccurrence({ hit, detector, redacted, line, column, endLine, endColumn, snippet }: LocatedHit): KeyOccurrence {
  const width = hit.encoding === "utf16le" || hit.encoding === "utf16be" ? (hit.end - hit.start) / 2 : hit.end - hit.start;
  const occurrence: KeyOccurrence = {
    line,
    column,
    endLine: endLine ?? line,
    endColumn: endColumn ?? column + width,
    keyId: hit.keyId,
    lastFour: hit.partial ? "" : hit.secret.slice(-4),
    fingerprint: hit.partial ? fingerprintFragment(hit.key) : fingerprintSecret(hit.key),
    redacted,
    confidence: hit.confidence,
    encoding: hit.encoding,
    placeholder: hit.placeholder,
    detector: detector.id,
  };
  if (snippet) occurrence.snippet = snippet;
  if (hit.partial) occurrence.partial = true;
  return occurrence;
}

/** The finding for a report: at the key, at a place in the text, or about the file (line 1). */
export function toFinding(file: FileFacts, planned: Pick<PlannedRule, "rule" | "severity">, report: Report): EngineFinding {
  const { rule } = planned;
  const key = report.key;
  const placeholder = key?.placeholder ?? null;
  const severity: Severity = placeholder !== null ? "info" : (planned.severity ?? report.severity ?? rule.meta.severity);
  const atKey = key !== undefined && report.line === undefined;
  const line = atKey ? key.line : (report.line ?? 1);
  const column = atKey ? key.column : (report.column ?? 1);
  const finding: EngineFinding = {
    ruleId: rule.meta.id,
    severity,
    messageId: placeholder !== null ? PLACEHOLDER_MESSAGE_ID : report.messageId,
    data: placeholder !== null ? { reason: placeholder, redacted: key!.redacted } : (report.data ?? {}),
    file: file.path,
    line,
    column,
    endLine: atKey ? key.endLine : (report.endLine ?? line),
    endColumn: atKey ? key.endColumn : (report.endColumn ?? column),
  };
  if (key) {
    finding.secret = { redacted: key.redacted, fingerprint: key.fingerprint, keyId: key.keyId, lastFour: key.lastFour, confidence: key.confidence };
    if (key.partial) finding.secret.partial = true;
    if (atKey && key.encoding !== "raw") finding.encoding = key.encoding;
    if (atKey && key.snippet) finding.snippet = key.snippet;
    if (placeholder !== null) finding.placeholder = placeholder;
  }
  return finding;
}

function suppression(finding: EngineFinding, reason: string | undefined): Suppression {
  const allowed: Suppression = { ruleId: finding.ruleId, file: finding.file, line: finding.line, column: finding.column, by: "inline" };
  if (finding.secret) allowed.fingerprint = finding.secret.fingerprint;
  if (reason) allowed.reason = reason;
  return allowed;
}
