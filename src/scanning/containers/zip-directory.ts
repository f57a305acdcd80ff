/**
 * Reading a zip archive's central directory (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT,
 * 4.3.12–4.3.16), zip64 included (4.3.14, 4.5.3): where each entry's local header is, its
 * method, flags and CRC-32. The sizes it states are kept only to compare with what really
 * inflates: the scanner never trusts them. A directory too large to hold, or with more entries
 * than {@link MAX_ENTRIES}, is refused (the archive is then scanned as bytes, with a warning).
 */
export interface RandomAccess {
  size: number;
  /** `length` bytes at `offset` (fewer at the end). */
  read(offset: number, length: number): Buffer;
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the local header, counted from the start of the zip data. */
  localOffset: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Where the central directory starts (counted from the start of the zip data): no entry's data runs past it. */
  offset: number;
  /**
   * Where the zip data starts in the file: the `base` asked for, or — for a zip with other bytes
   * before it whose offsets count from the zip's own start (a self-extracting stub and a zip,
   * concatenated) — where the end record shows it starts, as unzip finds it. Negative when the
   * offsets count from before the bytes read (a zip adjusted with `zip -A`, read from its first
   * local header on).
   */
  base: number;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const ZIP64_EXTRA = 0x0001;
const FULL32 = 0xffffffff;
const FULL16 = 0xffff;
/** The central directory is held in memory while entries are read: no larger than this. */
export const MAX_DIRECTORY_BYTES = 64 << 20;
export const MAX_ENTRIES = 1_000_000;

/**
 * The central directory of the zip whose data starts `base` bytes into `archive` (a Chrome
 * extension's header comes first).
 * @throws Error naming what is wrong: no end record, a damaged or oversized directory.
 */
export function readCentralDirectory(archive: RandomAccess, base: number): ZipDirectory {
  const end = findEndRecord(archive);
  let { count, size, offset } = end;
  if (count === FULL16 || size === FULL32 || offset === FULL32) ({ count, size, offset } = zip64EndRecord(archive, end.at, base));
  // The directory ends where the end record starts: when it is not where its offset says, bytes came before the zip.
  else if (base === 0 && end.at - size - offset !== 0 && readsAt(archive, end.at - size, CENTRAL)) base = end.at - size - offset;
  if (size > MAX_DIRECTORY_BYTES) throw new Error(`its central directory is larger than ${MAX_DIRECTORY_BYTES >> 20} MiB`);
  if (count > MAX_ENTRIES) throw new Error(`it lists more than ${MAX_ENTRIES} entries`);
  const directory = archive.read(base + offset, size);
  const entries: ZipEntry[] = [];
  for (let at = 0; entries.length < count; ) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) throw new Error("its central directory is damaged");
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const entry: ZipEntry = {
      flags: directory.readUInt16LE(at + 8),
      method: directory.readUInt16LE(at + 10),
      crc: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localOffset: directory.readUInt32LE(at + 42),
      name: directory.toString("utf8", at + 46, at + 46 + nameLength),
    };
    applyZip64Extra(entry, directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    entries.push(entry);
    at += 46 + nameLength + extraLength + directory.readUInt16LE(at + 32);
  }
  return { entries, offset, base };
}

/** Whether the four bytes at `at` are the signature `signature`. */
function readsAt(archive: RandomAccess, at: number, signature: number): boolean {
  if (at < 0) return false;
  const bytes = archive.read(at, 4);
  return bytes.length === 4 && bytes.readUInt32LE(0) === signature;
}

/** The end of central directory record: how many entries, and where the directory is. */
function findEndRecord(archive: RandomAccess): { count: number; size: number; offset: number; at: number } {
  const tailLength = Math.min(archive.size, 22 + 0xffff);
  const tailStart = archive.size - tailLength;
  const tail = archive.read(tailStart, tailLength);
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) === EOCD) return { count: tail.readUInt16LE(at + 10), size: tail.readUInt32LE(at + 12), offset: tail.readUInt32LE(at + 16), at: tailStart + at };
  }
  throw new Error("not a zip archive (no end of central directory)");
}

/** A zip64 archive: the 64-bit end record, found through the locator just before the classic one. */
function zip64EndRecord(archive: RandomAccess, eocdAt: number, base: number): { count: number; size: number; offset: number } {
  const locator = archive.read(eocdAt - 20, 20);
  if (locator.length < 20 || locator.readUInt32LE(0) !== EOCD64_LOCATOR) throw new Error("its end record says zip64, but the zip64 locator is missing");
  const recordAt = toNumber(locator.readBigUInt64LE(8));
  const record = archive.read(base + recordAt, 56);
  if (record.length < 56 || record.readUInt32LE(0) !== EOCD64) throw new Error("its zip64 end record is missing");
  return { count: toNumber(record.readBigUInt64LE(32)), size: toNumber(record.readBigUInt64LE(40)), offset: toNumber(record.readBigUInt64LE(48)) };
}

/** The zip64 extra field holds, in this order, each of size, compressed size and offset that is 0xFFFFFFFF above. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  if (entry.size !== FULL32 && entry.compressedSize !== FULL32 && entry.localOffset !== FULL32) return;
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === ZIP64_EXTRA) {
      let field = at + 4;
      const next = () => {
        const value = field + 8 <= at + 4 + length && field + 8 <= extra.length ? toNumber(extra.readBigUInt64LE(field)) : FULL32;
        field += 8;
        return value;
      };
      if (entry.size === FULL32) entry.size = next();
      if (entry.compressedSize === FULL32) entry.compressedSize = next();
      if (entry.localOffset === FULL32) entry.localOffset = next();
      return;
    }
    at += 4 + length;
  }
}

/** 64-bit values beyond what a JavaScript number holds exactly cannot be real offsets or counts. */
function toNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("its zip64 records hold impossible sizes");
  return Number(value);
}
