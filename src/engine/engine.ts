import type { Finding, Severity, Suppression } from "../types.js";
import { findCustomSecrets, type CompiledPattern } from "./custom-patterns.js";
import { findKeys, LOOKBEHIND_BYTES, type KeyHit } from "./find-keys.js";
import { findInlineAllow, type InlineAllow } from "./inline-allow.js";
import { MAX_ENCODED_KEY_BYTES } from "./key-shape.js";
import { LineTracker } from "./line-tracker.js";
import { describeSecret, redactMatch } from "./redact.js";
import type { FileFacts, KeyOccurrence, PositionedReport, Rule, RuleSettings } from "./rule.js";
import { DEFAULT_SETTINGS } from "./settings.js";
import { snippetAround } from "./snippet.js";
import { inlineAllowsOf, textWanted } from "./text-rules.js";

/**
 * The pure engine (STYLE: rules → engine → sources → reporters): bytes and file facts in,
 * findings out. No fs, no process, no console. Large inputs arrive in chunks; consecutive
 * windows overlap by more than the longest encoded key, and each literal hit is accepted in
 * exactly one window, so a key straddling a chunk boundary is found once (issue #2).
 */

export type RuleSetting = Severity | "off";

export interface EngineOptions {
  rules: readonly Rule[];
  /** Per-rule overrides from config (`rules: { id: "off" | severity }`). */
  ruleSettings?: Readonly<Record<string, RuleSetting>>;
  /** Report placeholders as `info` findings instead of dropping them (SPEC §1). */
  includePlaceholders?: boolean;
  /** Other providers' secrets (config `customPatterns`); each needs its rule in `rules`. */
  customPatterns?: readonly CompiledPattern[];
  /** What rules read from the config. */
  settings?: RuleSettings;
  /**
   * `--verify` only (SPEC §8, issue #6): called with every real Lumenfall key the engine finds
   * (not placeholders, not other providers' custom-pattern secrets) and its fingerprint. This is
   * the one door through which a full key leaves the engine, and it leads to the verifier
   * (src/verify/), which keeps keys in memory by fingerprint, sends each to the Lumenfall API
   * once, and drops them. Findings, suppressions and everything reporters see still carry only
   * `redacted` and `fingerprint`: the key is handed over here and never stored in a result.
   */
  onKey?: (key: string, fingerprint: string) => void;
}


export interface FileOutcome {
  findings: Finding[];
  suppressed: Suppression[];
  bytes: number;
  /** The real (not placeholder) Lumenfall keys in the file, for rules that look across files. */
  keys?: KeyOccurrence[];
}

/** Bytes kept from one window to the next: the longest encoded key plus the look-behind. */
export const WINDOW_OVERLAP = MAX_ENCODED_KEY_BYTES + 64;
const KEEP_BYTES = WINDOW_OVERLAP + LOOKBEHIND_BYTES;

interface LocatedHit {
  hit: KeyHit;
  line: number;
  column: number;
  allow: InlineAllow | null;
  snippet: string | undefined;
}

/** Scans a file that arrives in chunks: `push()` each chunk in order (the last one may say so), then `end()`. */
export class FileScanner {
  private readonly lines = new LineTracker();
  private readonly located: LocatedHit[] = [];
  /** Binary content has no lines: positions are line 1 and the byte offset, and no newline is counted. */
  private binary: boolean | null = null;
  /** The first bytes of a file that arrives in pieces smaller than the binary sample. */
  private early: Buffer = Buffer.alloc(0);
  /**
   * The bytes kept for the next window live at the start of `buffer`, which is reused for
   * every chunk of the file: a fresh buffer per chunk costs allocation, page faults and GC.
   */
  private buffer: Buffer | null = null;
  private tailLength = 0;
  private tailAt = 0;
  private acceptFrom = 0;
  private bytes = 0;
  private text: string | null = null;

  constructor(
    private readonly file: FileFacts,
    private readonly options: EngineOptions,
  ) {}

  push(chunk: Uint8Array, final = false): void {
    let piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.binary === null) {
      // Whether the content is binary is decided on its first 8000 bytes, however it is chunked.
      if (!final && this.early.length + piece.length < BINARY_SAMPLE) {
        this.early = Buffer.concat([this.early, piece]);
        return;
      }
      if (this.early.length > 0) piece = Buffer.concat([this.early, piece]);
      this.early = Buffer.alloc(0);
      this.binary = looksBinary(piece);
    }
    const window = this.tailLength === 0 ? piece : this.joinTail(piece);
    const windowAt = this.tailLength === 0 ? this.bytes : this.tailAt;
    this.bytes += piece.length;
    const windowEnd = windowAt + window.length;
    const acceptTo = final ? windowEnd : Math.max(this.acceptFrom, windowEnd - WINDOW_OVERLAP);
    this.scanWindow(window, windowAt, acceptTo);
    // Text for text rules: only files that arrive whole, and only when a keyword occurs.
    if (final && windowAt === 0 && textWanted(this.file, window, this.options)) this.text = window.toString("utf8");
    if (final) {
      this.tailLength = 0;
      return;
    }
    if (!this.binary) this.lines.advance(window, windowAt, acceptTo);
    const keepFrom = Math.max(0, window.length - KEEP_BYTES);
    // Keep the tail in our own buffer: the caller may reuse the chunk's memory for the next read.
    this.tailLength = window.length - keepFrom;
    this.tailAt = windowAt + keepFrom;
    const buffer = this.bufferFor(this.tailLength);
    window.copy(buffer, 0, keepFrom);
  }

  private joinTail(piece: Buffer): Buffer {
    const buffer = this.bufferFor(this.tailLength + piece.length);
    piece.copy(buffer, this.tailLength);
    return buffer.subarray(0, this.tailLength + piece.length);
  }

  private bufferFor(length: number): Buffer {
    if (!this.buffer || this.buffer.length < length) {
      const grown = Buffer.allocUnsafe(Math.max(length, KEEP_BYTES + (1 << 20)));
      if (this.buffer && this.tailLength > 0) this.buffer.copy(grown, 0, 0, this.tailLength);
      this.buffer = grown;
    }
    return this.buffer;
  }

  end(): FileOutcome {
    if (this.binary === null) this.push(Buffer.alloc(0), true);
    if (this.tailLength > 0 && this.buffer) this.scanWindow(this.buffer.subarray(0, this.tailLength), this.tailAt, this.tailAt + this.tailLength);
    this.tailLength = 0;
    this.buffer = null;
    return applyRules(this.file, this.located, this.bytes, this.options, this.text);
  }

  private scanWindow(window: Buffer, windowAt: number, acceptTo: number): void {
    if (acceptTo <= this.acceptFrom) return;
    const from = this.acceptFrom - windowAt;
    const hits = findKeys(window, from, acceptTo - windowAt, windowAt);
    for (const pattern of this.options.customPatterns ?? []) hits.push(...findCustomSecrets(window, from, acceptTo - windowAt, pattern));
    if (hits.length > 1) hits.sort((a, b) => a.start - b.start);
    for (const hit of hits) {
      const { line, column, lineStartAt } = this.binary
        ? { line: 1, column: windowAt + hit.start + 1, lineStartAt: 0 }
        : this.lines.locate(window, windowAt, windowAt + hit.start);
      const utf16 = hit.encoding === "utf16le" || hit.encoding === "utf16be";
      this.located.push({
        hit: { ...hit, start: windowAt + hit.start, end: windowAt + hit.end },
        line,
        column: utf16 ? Math.floor((windowAt + hit.start - lineStartAt) / 2) + 1 : column,
        allow: findInlineAllow(window, hit.start, hit.end),
        snippet: utf16 ? undefined : snippetAround(window, hit.start, hit.end, redactMatch(hit)),
      });
    }
    this.acceptFrom = acceptTo;
  }
}

/**
 * git's test for binary content — a NUL byte in the first 8000 — except UTF-16 text (a BOM, or
 * NULs in every other byte), which has lines. A compiled 130 MB native module has a quarter of
 * a million 0x0A bytes; counting them as lines cost more than scanning it.
 */
const BINARY_SAMPLE = 8000;

export function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, BINARY_SAMPLE);
  if (sample.indexOf(0) === -1) return false;
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) (i % 2 === 0 ? even++ : odd++);
  const half = sample.length / 2;
  return !(even > half * 0.9 || odd > half * 0.9);
}

/** Scans a whole buffer in one window. */
export function scanBuffer(file: FileFacts, bytes: Uint8Array, options: EngineOptions): FileOutcome {
  const scanner = new FileScanner(file, options);
  scanner.push(bytes, true);
  return scanner.end();
}

function toOccurrence({ hit, line, column, snippet }: LocatedHit): KeyOccurrence {
  const secret = describeSecret(hit);
  const width = hit.encoding === "utf16le" || hit.encoding === "utf16be" ? (hit.end - hit.start) / 2 : hit.end - hit.start;
  return {
    line,
    column,
    endLine: line,
    endColumn: column + width,
    keyId: secret.keyId,
    lastFour: secret.lastFour,
    fingerprint: secret.fingerprint,
    redacted: secret.redacted,
    confidence: secret.confidence,
    encoding: hit.encoding,
    placeholder: hit.placeholder,
    detector: hit.detector ?? "lumenfall",
    ...(snippet ? { snippet } : {}),
  };
}

function applyRules(file: FileFacts, located: LocatedHit[], bytes: number, options: EngineOptions, text: string | null): FileOutcome {
  const outcome: FileOutcome = { findings: [], suppressed: [], bytes };
  // Most files hold no key; rules that judge a file by its name or text say which files they want.
  if (located.length === 0 && text === null && !options.rules.some((rule) => rule.wantsFile?.(file))) return outcome;
  const allowed = new Map<KeyOccurrence, InlineAllow>();
  const keys: KeyOccurrence[] = [];
  for (const entry of located) {
    if (entry.hit.placeholder && !options.includePlaceholders) continue;
    const occurrence = toOccurrence(entry);
    keys.push(occurrence);
    // Only Lumenfall's own keys go to the verifier: a custom pattern's secret belongs to another provider.
    if (options.onKey && occurrence.placeholder === null && occurrence.detector === "lumenfall") options.onKey(entry.hit.key, occurrence.fingerprint);
    if (entry.allow) allowed.set(occurrence, entry.allow);
  }
  outcome.keys = keys.filter((key) => key.placeholder === null && key.detector === "lumenfall");
  const chosen = new Map<string, { finding: Finding; precedence: number; key: KeyOccurrence }>();
  const fileLevel: Finding[] = [];
  let allowAt: ((line: number) => InlineAllow | null) | undefined;
  for (const rule of options.rules) {
    const setting = options.ruleSettings?.[rule.meta.id];
    if (setting === "off") continue;
    const severity = setting ?? rule.meta.severity;
    rule.check({
      file,
      keys,
      reportFile({ message, severity: raised }) {
        // A configured severity wins over the rule's own choice.
        fileLevel.push(fileFinding(file, rule, setting ?? raised ?? severity, message));
      },
      reportAt(report) {
        const finding = positionedFinding(file, rule, setting ?? report.severity ?? severity, report);
        allowAt ??= text !== null ? inlineAllowsOf(text) : () => null;
        const allow = allowAt(report.line);
        if (allow) outcome.suppressed.push({ ruleId: rule.meta.id, file: file.path, line: report.line, column: report.column, by: "inline", ...(allow.reason ? { reason: allow.reason } : {}) });
        else fileLevel.push(finding);
      },
      text,
      settings: options.settings ?? DEFAULT_SETTINGS,
      report(key, message) {
        const finding = toFinding(file, rule, severity, key, message ?? rule.message(key));
        const place = `${key.line}:${key.column}:${key.fingerprint}`;
        const previous = chosen.get(place);
        if (!previous || previous.precedence < rule.meta.precedence) {
          chosen.set(place, { finding, precedence: rule.meta.precedence, key });
        }
      },
    });
  }
  outcome.findings.push(...fileLevel);
  for (const { finding, key } of chosen.values()) {
    const allow = allowed.get(key);
    if (allow) {
      outcome.suppressed.push({
        ruleId: finding.ruleId,
        file: finding.file,
        line: finding.line,
        column: finding.column,
        fingerprint: key.fingerprint,
        by: "inline",
        ...(allow.reason ? { reason: allow.reason } : {}),
      });
    } else {
      outcome.findings.push(finding);
    }
  }
  return outcome;
}

function positionedFinding(file: FileFacts, rule: Rule, severity: Severity, report: PositionedReport): Finding {
  const finding: Finding = {
    ruleId: rule.meta.id,
    severity,
    message: report.message,
    file: file.path,
    line: report.line,
    column: report.column,
    endLine: report.endLine ?? report.line,
    endColumn: report.endColumn ?? report.column,
    source: file.source,
  };
  if (report.key) finding.secret = secretOf(report.key);
  return finding;
}

function secretOf(key: KeyOccurrence): NonNullable<Finding["secret"]> {
  return { redacted: key.redacted, fingerprint: key.fingerprint, keyId: key.keyId, lastFour: key.lastFour, confidence: key.confidence };
}

function fileFinding(file: FileFacts, rule: Rule, severity: Severity, message: string): Finding {
  return { ruleId: rule.meta.id, severity, message, file: file.path, line: 1, column: 1, endLine: 1, endColumn: 1, source: file.source };
}

export function toFinding(file: FileFacts, rule: Rule, severity: Severity, key: KeyOccurrence, message: string): Finding {
  const finding: Finding = {
    ruleId: rule.meta.id,
    severity: key.placeholder ? "info" : severity,
    message: key.placeholder ? `Placeholder (${key.placeholder}), not a key: ${key.redacted}` : message,
    file: file.path,
    line: key.line,
    column: key.column,
    endLine: key.endLine,
    endColumn: key.endColumn,
    source: file.source,
    secret: {
      redacted: key.redacted,
      fingerprint: key.fingerprint,
      keyId: key.keyId,
      lastFour: key.lastFour,
      confidence: key.confidence,
    },
  };
  if (key.encoding !== "raw") finding.encoding = key.encoding;
  if (key.snippet) finding.snippet = key.snippet;
  const original = file.original?.(key.line, key.column);
  if (original) finding.original = original;
  if (key.placeholder) finding.placeholder = key.placeholder;
  return finding;
}
