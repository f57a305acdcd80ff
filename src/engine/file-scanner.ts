import { MAX_FINDINGS_PER_FILE } from "./finding-cap.js";
import type { Detector, DetectorNote, SecretHit } from "./detector.js";
import { applyRules, type FileOutcome, type LocatedHit, type LocatedNote } from "./apply-rules.js";
import { BINARY_SAMPLE, looksBinary } from "./binary.js";
import { commentSyntaxFor, type CommentSyntax } from "./comment-syntax.js";
import { holdsMarker, markersInText, markersNear, type AllowMarker } from "./inline-allow.js";
import { LineTracker, lineBreaksIn, type TextLayout } from "./line-tracker.js";
import type { EnginePlan, PlannedRule } from "./plan.js";
import { appliesTo, type FileFacts } from "./rule.js";
import { snippetAround } from "./snippet.js";
import { textWanted } from "./text-gate.js";

/**
 * The pure engine: a file's bytes and facts in, findings out. No fs, no process, no console.
 * Large inputs arrive in chunks; consecutive windows overlap by more than the longest secret
 * any detector can find, and each literal hit is accepted in exactly one window, so a secret
 * straddling a chunk boundary is found once.
 *
 * Positions: lines are 1-based; columns are 1-based UTF-16 code units of the line (as SARIF,
 * ESLint and VS Code count them), and a byte-order mark is not counted. Binary content has no
 * lines: line 1, and the column is the byte offset + 1.
 */
export type { FileOutcome, EngineFinding } from "./apply-rules.js";

interface Found {
  at: number;
  hit?: SecretHit;
  detector?: Detector;
  note?: DetectorNote & { detector: string };
}

/** Scans a file that arrives in chunks: `push()` each chunk in order (the last one may say so), then `end()`. */
export class FileScanner {
  private lines: LineTracker | null = null;
  private readonly located: LocatedHit[] = [];
  /** Hits located per detector, real and placeholder apart; beyond MAX_FINDINGS_PER_FILE each, hits are only counted. */
  private readonly locatedBy = new Map<string, number>();
  private overCap = 0;
  private readonly notes: LocatedNote[] = [];
  private binary: boolean | null = null;
  /** The first bytes of a file that arrives in pieces smaller than the binary sample. */
  private early: Buffer = Buffer.alloc(0);
  /** UTF-16 files: bytes of the byte-order mark at the start (their columns skip it). */
  private utf16Bom = 0;
  /** Where the text starts: after a byte-order mark, if any. */
  private textStart = 0;
  /** Inline allow markers found near secrets, by position (two secrets on a line find the same one). */
  private readonly markers = new Map<string, AllowMarker>();
  private readonly syntax: CommentSyntax | null;
  /** The window being scanned is the whole file. */
  private whole = false;
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
  /** Per-file state the detectors keep (hit counts, time spent). */
  private readonly detectorState: Record<string, unknown> = {};
  private readonly keep: number;
  /** The rules that apply to this file (by scope, git status and name), decided once. */
  private applicable: PlannedRule[] | null = null;

  constructor(
    private readonly file: FileFacts,
    private readonly plan: EnginePlan,
  ) {
    this.keep = plan.overlap + plan.lookbehind;
    this.syntax = commentSyntaxFor(file.path);
  }

  /** Feeds the next chunk (its memory may be reused by the caller once this returns). */
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
      this.start(piece);
    }
    const window = this.tailLength === 0 ? piece : this.joinTail(piece);
    const windowAt = this.tailLength === 0 ? this.bytes : this.tailAt;
    this.bytes += piece.length;
    const windowEnd = windowAt + window.length;
    const acceptTo = final ? windowEnd : Math.max(this.acceptFrom, windowEnd - this.plan.overlap);
    // A file that arrives whole is read for allow markers from its start (strings and comments over lines are followed).
    this.whole = final && windowAt === 0;
    this.scanWindow(window, windowAt, acceptTo);
    // Text for text rules: only files that arrive whole, and only when a keyword occurs.
    if (this.whole && !this.binary && textWanted(this.file, window, this.rules())) this.text = decodeText(window);
    if (this.whole && !this.binary && this.syntax !== null && holdsMarker(window)) {
      for (const marker of markersInText(this.text ?? decodeText(window), this.syntax, this.plan.scrub)) this.markers.set(`${marker.line}:${marker.column}`, marker);
    }
    if (final) {
      this.tailLength = 0;
      return;
    }
    if (!this.binary) this.lines!.advance(window, windowAt, acceptTo);
    const keepFrom = Math.max(0, window.length - this.keep);
    // Keep the tail in our own buffer: the caller may reuse the chunk's memory for the next read.
    this.tailLength = window.length - keepFrom;
    this.tailAt = windowAt + keepFrom;
    const buffer = this.bufferFor(this.tailLength);
    window.copy(buffer, 0, keepFrom);
  }

  /** The file is complete: rules run, and the outcome is returned. */
  end(): FileOutcome {
    if (this.binary === null) this.push(Buffer.alloc(0), true);
    if (this.tailLength > 0 && this.buffer) this.scanWindow(this.buffer.subarray(0, this.tailLength), this.tailAt, this.tailAt + this.tailLength);
    this.tailLength = 0;
    this.buffer = null;
    const outcome = applyRules(this.file, this.rules(), this.located, this.notes, this.bytes, this.plan, this.text, [...this.markers.values()]);
    outcome.overCap += this.overCap;
    return outcome;
  }

  private rules(): PlannedRule[] {
    this.applicable ??= this.plan.rules.filter((planned) => appliesTo(planned.rule.meta, this.file));
    return this.applicable;
  }

  /** The first bytes decide binary or text, and where columns start counting (after a BOM). */
  private start(first: Buffer): void {
    this.binary = looksBinary(first);
    const utf8Bom = first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf;
    this.utf16Bom = (first[0] === 0xff && first[1] === 0xfe) || (first[0] === 0xfe && first[1] === 0xff) ? 2 : 0;
    this.textStart = utf8Bom ? 3 : this.utf16Bom;
    this.lines = new LineTracker(this.textStart, textLayout(first));
  }

  private joinTail(piece: Buffer): Buffer {
    const buffer = this.bufferFor(this.tailLength + piece.length);
    piece.copy(buffer, this.tailLength);
    return buffer.subarray(0, this.tailLength + piece.length);
  }

  private bufferFor(length: number): Buffer {
    if (!this.buffer || this.buffer.length < length) {
      const grown = Buffer.allocUnsafe(Math.max(length, this.keep + (1 << 20)));
      if (this.buffer && this.tailLength > 0) this.buffer.copy(grown, 0, 0, this.tailLength);
      this.buffer = grown;
    }
    return this.buffer;
  }

  private scanWindow(window: Buffer, windowAt: number, acceptTo: number): void {
    if (acceptTo <= this.acceptFrom) return;
    const from = this.acceptFrom - windowAt;
    const found: Found[] = [];
    for (const detector of this.plan.detectors) {
      const search = {
        fileOffset: windowAt,
        path: this.file.path,
        state: this.detectorState,
        note: (note: DetectorNote) => void found.push({ at: note.at, note: { ...note, detector: detector.id } }),
      };
      for (const hit of detector.find(window, from, acceptTo - windowAt, search)) found.push({ at: windowAt + hit.start, hit, detector });
    }
    if (found.length > 1) found.sort((a, b) => a.at - b.at);
    for (const entry of found) this.locate(entry, window, windowAt);
    this.acceptFrom = acceptTo;
  }

  /** Positions are taken in file order: the line tracker only moves forward. */
  private locate(entry: Found, window: Buffer, windowAt: number): void {
    const place = this.binary ? { line: 1, column: entry.at + 1, lineStartAt: 0 } : this.lines!.locate(window, windowAt, entry.at);
    if (entry.note) {
      this.notes.push({ ...entry.note, line: place.line });
      return;
    }
    const hit = entry.hit!;
    // Placeholders that will not be reported are not kept; past the cap, hits are counted, not kept.
    if (hit.placeholder !== null && !this.plan.includePlaceholders) return;
    const bucket = `${entry.detector!.id}\u0000${hit.placeholder === null}`;
    const count = this.locatedBy.get(bucket) ?? 0;
    if (count >= MAX_FINDINGS_PER_FILE) {
      this.overCap++;
      return;
    }
    this.locatedBy.set(bucket, count + 1);
    const start = hit.start;
    const utf16 = hit.encoding === "utf16le" || hit.encoding === "utf16be";
    const redacted = entry.detector!.redact(hit);
    const column = utf16 && !this.binary ? Math.floor((entry.at - place.lineStartAt) / 2) + 1 : place.column;
    // Allow markers are read in UTF-8 text: binary content has no comments. A whole file is read for them at once.
    if (!this.binary && !utf16 && !this.whole) {
      const near = { start, end: hit.end, line: place.line, column, lineStart: place.lineStartAt - windowAt, fileStart: windowAt === 0 ? this.textStart : null };
      for (const marker of markersNear(window, near, this.syntax, this.plan.scrub)) this.markers.set(`${marker.line}:${marker.column}`, marker);
    }
    const located: LocatedHit = {
      hit: { ...hit, start: windowAt + hit.start, end: windowAt + hit.end },
      detector: entry.detector!,
      redacted,
      line: place.line,
      column,
      snippet: utf16 ? undefined : snippetAround(window, start, hit.end, redacted, this.plan.scrub),
    };
    if (!this.binary && !utf16) {
      const end = endOf(window, start, hit.end, place.line);
      if (end) Object.assign(located, end);
    }
    this.located.push(located);
  }
}

/** Where a secret that spans lines (a key joined across a line break) ends: 1-based line, exclusive UTF-16 column. */
function endOf(window: Buffer, start: number, end: number, line: number): { endLine: number; endColumn: number } | null {
  const breaks = lineBreaksIn(window, start, end);
  if (breaks.count === 0) return null;
  return { endLine: line + breaks.count, endColumn: window.toString("utf8", breaks.after, end).length + 1 };
}

/**
 * How a file's text is stored, from its first bytes: a UTF-16 byte-order mark, or ASCII
 * interleaved with NUL bytes (NULs at odd offsets: little endian), else UTF-8.
 */
function textLayout(first: Buffer): TextLayout {
  if (first[0] === 0xff && first[1] === 0xfe) return "utf16le";
  if (first[0] === 0xfe && first[1] === 0xff) return "utf16be";
  const sample = first.subarray(0, BINARY_SAMPLE);
  if (sample.indexOf(0) === -1) return "utf8";
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) (i % 2 === 0 ? even++ : odd++);
  return odd > even * 4 ? "utf16le" : even > odd * 4 ? "utf16be" : "utf8";
}

/** UTF-8 text without its byte-order mark: rule positions then count as the key positions do. */
function decodeText(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
