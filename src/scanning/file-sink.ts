import { FileScanner, type FileOutcome } from "../engine/file-scanner.js";
import type { EnginePlan } from "../engine/plan.js";
import type { FileFacts } from "../engine/rule.js";
import { containerOf, containerSink, MAX_NESTING, scanZip, sniff, SNIFF_BYTES, startsLikeZip, type FileSink, type Nesting, type RandomAccess, type ScannedFile, type SinkHooks } from "./containers/index.js";
import { unscannedWarning } from "./containers/unscanned.js";
import { FILE_SIZE_LIMIT, MEGABYTE } from "./limits.js";
import { factsOf, type SourceFile } from "./source-file.js";

/**
 * Where every file's bytes enter the engine, whatever source they come from: a plain file is
 * fed to the one FileScanner made for it here; a compressed file or archive — known by its
 * first bytes (containers/index.ts) — is decompressed or unpacked first, and each thing inside
 * is opened the same way, one level deeper, until {@link MAX_NESTING}.
 */
export function openSink(file: SourceFile, hooks: SinkHooks): FileSink {
  return openAt(file, hooks, { depth: 0, spent: { inflated: 0 } }, true);
}

/**
 * An archive on disk, read at any offset instead of streamed: entries are found from its
 * directory, then the archive's own bytes are scanned as plain bytes (see {@link RawScan}),
 * read {@link RAW_PIECE} at a time.
 */
export function scanArchive(file: SourceFile, archive: RandomAccess, hooks: SinkHooks): void {
  const nesting: Nesting = { depth: 0, spent: { inflated: 0 } };
  const raw = new RawScan(file, hooks);
  const inner = raw.innerHooks;
  scanZip(file, archive, inner, (member) => openAt(member, inner, { depth: 1, spent: nesting.spent }, true), nesting.spent, (self) => openPlain(self, inner));
  for (let at = 0; at < archive.size && !raw.sink.stopped; at += RAW_PIECE) raw.sink.push(archive.read(at, RAW_PIECE), false);
  raw.sink.push(new Uint8Array(0), true);
  raw.flush();
}

/** A container on disk is read as plain bytes this much at a time. */
const RAW_PIECE = 1 << 20;

/**
 * A container's own bytes, scanned as plain bytes beside what it holds: a key in a gzip header
 * (its file name or comment, RFC 1952 section 2.3), a zip's archive or entry comment, an extra
 * field, bytes before or after the archive, a tar header (a symlink's target, a pax record, a
 * GNU long name) is found under the container's own name, its place counted in the container's
 * bytes. A key that is also found inside the container (a stored entry's data is in both, a
 * deflate stream may keep a short text as it is) is reported once, from inside: the raw
 * outcome is held until the container is read, and its findings whose fingerprint (or, for a
 * finding without a secret, whose rule and message under the same name) were found inside
 * are dropped. Memory: one more FileScanner, streamed; nothing is held but the outcome.
 */
class RawScan {
  readonly sink: FileSink;
  readonly innerHooks: SinkHooks;
  private readonly fingerprints = new Set<string>();
  private readonly messages = new Set<string>();
  /**
   * Key ids found inside: in the raw bytes a key may run on into the bytes after it (a stored
   * entry's `k=<key>` followed by the next header's `PK`), a longer "key" with another
   * fingerprint but the same key id — the same key, reported from inside.
   */
  private readonly keyIds = new Set<string>();
  private outcome: ScannedFile | null = null;
  private flushed = false;

  /** `deferring`: false while the raw outcome may go straight to the report (nothing inside has been found yet). */
  constructor(
    file: SourceFile,
    private readonly hooks: SinkHooks,
    public deferring = true,
  ) {
    this.sink = openPlain(file, {
      ...hooks,
      done: (scanned) => {
        if (!this.deferring) {
          this.flushed = true;
          hooks.done(scanned);
        } else this.outcome = scanned;
      },
    });
    this.innerHooks = {
      ...hooks,
      done: (scanned) => {
        for (const fingerprint of scanned.outcome.fingerprints) this.fingerprints.add(fingerprint);
        for (const key of scanned.outcome.keys) if (key.keyId) this.keyIds.add(key.keyId);
        for (const finding of scanned.outcome.findings) {
          if (finding.secret?.fingerprint) this.fingerprints.add(finding.secret.fingerprint);
          if (finding.secret?.keyId) this.keyIds.add(finding.secret.keyId);
          if (!finding.secret && scanned.file.path === file.path) this.messages.add(`${finding.ruleId}\u0000${finding.messageId}`);
        }
        hooks.done(scanned);
      },
    };
  }

  /** Reports the raw outcome (once the container and the raw bytes are both read), without what was found inside. */
  flush(): void {
    if (this.flushed || this.outcome === null) return;
    this.flushed = true;
    const { file, outcome } = this.outcome;
    const seen = (finding: ScannedFile["outcome"]["findings"][number]) =>
      finding.secret
        ? this.fingerprints.has(finding.secret.fingerprint) || (finding.secret.keyId !== null && this.keyIds.has(finding.secret.keyId))
        : this.messages.has(`${finding.ruleId}\u0000${finding.messageId}`);
    this.hooks.done({
      file,
      outcome: {
        ...outcome,
        findings: outcome.findings.filter((finding) => !seen(finding)),
        suppressed: outcome.suppressed.filter((allowed) => !(allowed.fingerprint && this.fingerprints.has(allowed.fingerprint))),
        fingerprints: outcome.fingerprints.filter((fingerprint) => !this.fingerprints.has(fingerprint)),
        keys: outcome.keys.filter((key) => !this.fingerprints.has(key.fingerprint) && !(key.keyId !== null && this.keyIds.has(key.keyId))),
      },
    });
  }
}

/** Bytes scanned as the text they are, whatever the file's name says (a Git LFS pointer standing in for an archive). */
export function scanAsPlain(file: SourceFile, bytes: Uint8Array, hooks: SinkHooks): void {
  openPlain(file, hooks).push(bytes, true);
}

/**
 * Bytes held whole, scanned as the plain text they are — no container sniffing, no size limit,
 * no prefilter — for text that is not a file's content (a file's name, file-name-keys.ts).
 */
export function scanTextWhole(facts: FileFacts, bytes: Uint8Array, plan: EnginePlan): FileOutcome {
  const scanner = newScanner(facts, plan);
  scanner.push(bytes, true);
  return scanner.end();
}

/** Whether a file is an archive read from its directory by its name (a source that can read at any offset uses scanArchive). */
export function isArchive(path: string): boolean {
  return containerOf(path) === "zip";
}

/** Whether a file's first bytes are a zip's (a source that can read at any offset then uses scanArchive, whatever the name). */
export { startsLikeZip };

/** A sink that decides, from the file's first bytes, whether it is plain or a container, then passes every byte on. */
function openAt(file: SourceFile, hooks: SinkHooks, nesting: Nesting, byName: boolean): FileSink {
  let target: FileSink | null = null;
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  const decide = (head: Uint8Array): FileSink => {
    const found = sniff(file.path, head, byName);
    if (found === null) return nesting.depth < MAX_NESTING ? plainOrLateZip(file, hooks, nesting) : openPlain(file, hooks);
    if ("unreadable" in found) {
      hooks.warn(unscannedWarning(file, "archive", `compressed as ${found.unreadable}, which lumenguard cannot decompress; what it holds was not scanned`, "unpack"));
      return openPlain(file, hooks);
    }
    if (nesting.depth >= MAX_NESTING) {
      hooks.warn(unscannedWarning(file, "archive", `a ${found.kind} archive nested ${nesting.depth} deep in other archives (the limit); scanned as bytes, not opened`, "unpack"));
      return openPlain(file, hooks);
    }
    const inner: Nesting = { depth: nesting.depth + 1, spent: nesting.spent };
    // What the container holds, and its own bytes as plain bytes (headers, comments, what lies around it).
    const raw = new RawScan(file, hooks);
    const innerHooks = raw.innerHooks;
    // A tar hands its bytes on itself, its headers' type flags marked apart from the link target after them.
    const tar = found.kind === "tar";
    const container = containerSink(found.kind, file, innerHooks, (member, named) => openAt(member, innerHooks, inner, named), nesting, (self) => openPlain(self, innerHooks), raw.sink);
    return {
      get stopped() {
        return (container.stopped ?? false) && (raw.sink.stopped ?? false);
      },
      push(chunk, final = false) {
        container.push(chunk, final);
        if (!tar) raw.sink.push(chunk, final);
        // A source stops reading once both take no more bytes: the outcome is reported then.
        if (final || (container.stopped && raw.sink.stopped)) raw.flush();
      },
    };
  };
  return {
    get stopped() {
      return target?.stopped ?? false;
    },
    push(chunk, final = false) {
      if (target !== null) return target.push(chunk, final);
      // Almost always the first chunk decides: it is whole, or longer than a header.
      if (held.length === 0 && (final || chunk.length >= SNIFF_BYTES)) {
        target = decide(chunk);
        return target.push(chunk, final);
      }
      held.push(chunk.slice());
      heldBytes += chunk.length;
      if (!final && heldBytes < SNIFF_BYTES) return;
      const head = Buffer.concat(held);
      held = [];
      target = decide(head);
      target.push(head, final);
    },
  };
}

const LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const END_RECORD = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
/** The end record (22 bytes) and the longest comment it may have: where it must lie from a zip's end. */
const END_WINDOW = 22 + 0xffff;

/**
 * A file that does not start like an archive is scanned as plain bytes — and may still be a zip
 * with other bytes before it (a self-extracting installer: a shell or executable stub, then a
 * zip that `unzip` opens). From the file's first zip local header (`PK 03 04`) on, its bytes are
 * held, up to the limits' `bufferedBytes` (halved at each level of nesting) — a file on disk
 * holds nothing and is read again at the zip's offsets (`hooks.reopen`); when the file ends
 * with a zip's end of central directory record, the zip is opened where it starts and its
 * entries are scanned like any archive's. The plain scan of the file's bytes is kept, and a key
 * found both ways is reported once, from inside ({@link RawScan}). A file that holds no local
 * header costs one byte search per chunk. Such a zip larger than the bound is a warning naming
 * the file (a gate fails closed on it).
 */
function plainOrLateZip(file: SourceFile, hooks: SinkHooks, nesting: Nesting): FileSink {
  const raw = new RawScan(file, hooks, false);
  /** Offset of the file's first local header, once seen. */
  let start = -1;
  /** The bytes from `start` on, while within the bound; then only the last END_WINDOW of them. */
  let held: Buffer[] = [];
  let heldBytes = 0;
  let overflow = false;
  let tail = Buffer.alloc(0);
  /** The last three bytes of the previous chunk: a header may straddle two chunks. */
  let carry = Buffer.alloc(0);
  let offset = 0;
  const limit = Math.floor(hooks.limits.bufferedBytes / 2 ** nesting.depth);
  // A file on disk is read again at the zip's offsets when it turns out to hold one: nothing is
  // held but the last END_WINDOW bytes (a native module holds `PK 03 04` by chance, and is large).
  const reopen = nesting.depth === 0 ? hooks.reopen : undefined;
  let ended = false;
  return {
    get stopped() {
      return raw.sink.stopped ?? false;
    },
    push(chunk, final = false) {
      if (ended) return;
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (start === -1) {
        // A header across the seam is looked for in the carried bytes and the chunk's first three
        // alone: the chunk itself is searched where it lies (no copy of every chunk of every file).
        const seam = carry.length > 0 ? Buffer.concat([carry, bytes.subarray(0, 3)]).indexOf(LOCAL_HEADER) : -1;
        const at = seam !== -1 ? seam - carry.length : bytes.indexOf(LOCAL_HEADER);
        if (at === -1) carry = Buffer.from(bytes.length >= 3 ? bytes.subarray(bytes.length - 3) : Buffer.concat([carry, bytes]).subarray(-3));
        else {
          start = offset + at;
          const from = at < 0 ? Buffer.concat([carry.subarray(carry.length + at), bytes]) : Buffer.from(bytes.subarray(at));
          held = [from];
          heldBytes = from.length;
          // From here the plain outcome waits for the zip's entries (a key found both ways is said once).
          raw.deferring = true;
        }
      } else if (!overflow) {
        held.push(Buffer.from(bytes));
        heldBytes += bytes.length;
      } else {
        tail = bytes.length >= END_WINDOW ? Buffer.from(bytes.subarray(bytes.length - END_WINDOW)) : Buffer.from(Buffer.concat([tail, bytes]).subarray(-END_WINDOW));
      }
      if (start !== -1 && !overflow && reopen !== undefined) {
        overflow = true;
        tail = Buffer.from(Buffer.concat(held).subarray(-END_WINDOW));
        held = [];
      }
      if (start !== -1 && !overflow && heldBytes > limit) {
        overflow = true;
        tail = Buffer.from(Buffer.concat(held).subarray(-END_WINDOW));
        held = [];
      }
      offset += bytes.length;
      raw.sink.push(chunk, final);
      // The scan stopped taking bytes (the file size limit): the zip is not whole, its entries are not read.
      if (!final && !raw.sink.stopped) return;
      ended = true;
      if (final && start !== -1) {
        const zip = overflow ? null : Buffer.concat(held);
        held = [];
        const again = zip === null && reopen !== undefined && endsWithEndRecord(tail) ? reopen(file, offset) : null;
        try {
          const access: RandomAccess | null = zip !== null ? bufferAccess(zip) : again === null ? null : { size: offset - start, read: (at, length) => again.access.read(start + at, length) };
          openZipFound(file, raw.innerHooks, nesting, start, access, zip ?? tail, limit);
        } finally {
          again?.close();
        }
      }
      raw.flush();
    },
  };
}

/** Whether `end` — a file's last bytes — is a zip's end of central directory record, its comment reaching the file's end. */
function endsWithEndRecord(end: Buffer): boolean {
  const window = end.subarray(-END_WINDOW);
  const at = window.lastIndexOf(END_RECORD);
  // Four bytes alone may be chance: only an end record that reaches the file's end (its comment included) makes a zip.
  return at !== -1 && at + 22 <= window.length && at + 22 + window.readUInt16LE(at + 20) === window.length;
}

function bufferAccess(zip: Buffer): RandomAccess {
  return { size: zip.length, read: (offset, length) => zip.subarray(Math.max(0, offset), Math.max(0, offset + length)) };
}

/**
 * Opens the zip that starts `start` bytes into `file` (`zip`: its bytes to the file's end, held or
 * read again from disk; null when they were more than `limit` and cannot be read again), when
 * `end` — the file's last bytes — is a zip's end record.
 */
function openZipFound(file: SourceFile, hooks: SinkHooks, nesting: Nesting, start: number, zip: RandomAccess | null, end: Buffer, limit: number): void {
  if (!endsWithEndRecord(end)) return;
  if (zip === null) {
    const size = limit >= 1 << 20 ? `${Math.round(limit / (1 << 20))} MiB` : `${limit} bytes`;
    hooks.warn(unscannedWarning(file, "decompress-limit", `holds a zip archive after ${start} bytes of other data, larger than ${size}; its entries were not scanned`, "unpack"));
    return;
  }
  const inner: Nesting = { depth: nesting.depth + 1, spent: nesting.spent };
  // The file's bytes were scanned as they are already: a directory that cannot be read adds nothing more.
  const nothing: FileSink = { push() {} };
  scanZip(file, zip, hooks, (member) => openAt(member, hooks, inner, true), nesting.spent, () => nothing);
}

/**
 * Where a file's bytes meet the engine. A file longer than the scanned-bytes limit
 * (`maxFileMegabytes`) is scanned up to it: what was found there is kept, the rest is skipped
 * and said (a {@link FILE_SIZE_LIMIT} warning, counted in `stats.skipped`).
 */
function openPlain(file: SourceFile, hooks: SinkHooks): FileSink {
  let scanner: FileScanner | null = null;
  const limit = hooks.limits.fileBytes;
  let taken = 0;
  let ended = false;
  return {
    get stopped() {
      return ended;
    },
    push(chunk, final = false) {
      if (ended) return;
      // A file that arrives whole, within the limit, and holds none of its rules' literals needs no engine: nothing to find.
      if (scanner === null && final && chunk.length <= limit && hooks.worthReading && !hooks.worthReading(file, chunk)) {
        ended = true;
        hooks.done({ file, outcome: nothingFound(chunk.byteLength) });
        return;
      }
      scanner ??= newScanner(factsOf(file), hooks.plan);
      let piece = chunk;
      if (taken + chunk.length > limit) {
        piece = chunk.subarray(0, Math.max(0, limit - taken));
        hooks.warn({ code: FILE_SIZE_LIMIT, message: `${file.path}: larger than ${formatMegabytes(limit)} (the file size limit); only its first ${formatMegabytes(limit)} were scanned, the rest was skipped`, file: file.path });
      }
      taken += piece.length;
      const last = final || piece !== chunk;
      scanner.push(piece, last);
      if (last) {
        ended = true;
        hooks.done({ file, outcome: scanner.end() });
      }
    },
  };
}

/** The one place a FileScanner is made. */
function newScanner(facts: FileFacts, plan: EnginePlan): FileScanner {
  return new FileScanner(facts, plan);
}

function nothingFound(bytes: number): FileOutcome {
  return { findings: [], suppressed: [], bytes, collected: [], notes: [], fingerprints: [], keys: [], overCap: 0 };
}

function formatMegabytes(bytes: number): string {
  return `${Number((bytes / MEGABYTE).toFixed(3))} MB`;
}

export type { FileSink, ScannedFile, SinkHooks, RandomAccess } from "./containers/index.js";
