import { constants, deflateRawSync, gzipSync } from "node:zlib";

/**
 * Zip archives built by hand for tests (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT):
 * honest ones, and ones that lie — sizes the directory claims, a wrong CRC-32, an encrypted or
 * unknown method, zip64 records — which no well-behaved zip writer would produce.
 */
export interface MemberSpec {
  name: string;
  /** The entry's content; deflated (method 8) unless `stored`. */
  plain?: Uint8Array;
  stored?: boolean;
  /** The entry's data exactly as written (a deflate stream, or stored bytes), instead of `plain`. */
  data?: Uint8Array;
  method?: number;
  flags?: number;
  /** What the headers claim, when they lie. */
  crc?: number;
  size?: number;
  compressedSize?: number;
}

/** CRC-32 as zip uses it, taken from zlib's gzip trailer (an implementation independent of lumenguard's). */
export function crc32(data: Uint8Array): number {
  const gz = gzipSync(data, { level: 0 });
  return gz.readUInt32LE(gz.length - 8);
}

/**
 * A deflate stream of `mib` MiB of zero bytes, built without holding them: a stream of 64 MiB
 * of zeros ending in a sync flush (byte-aligned, referring only to zeros) is repeated, then a
 * final empty block ends it.
 */
export function deflatedZeros(mib: number): Buffer {
  const unit = Math.min(mib, 64);
  const piece = deflateRawSync(Buffer.alloc(unit << 20), { level: 9, memLevel: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const pieces = Array.from({ length: Math.ceil(mib / unit) }, () => piece);
  // BFINAL=1, BTYPE=01 (fixed Huffman), end-of-block: 3 + 7 bits.
  return Buffer.concat([...pieces, Buffer.from([0x03, 0x00])]);
}

export function buildZip(members: readonly MemberSpec[], options: { zip64?: boolean } = {}): Buffer {
  const zip64 = options.zip64 ?? false;
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const plain = member.plain ?? new Uint8Array(0);
    const method = member.method ?? (member.stored ? 0 : 8);
    const data = Buffer.from(member.data ?? (method === 8 ? deflateRawSync(plain) : plain));
    const crc = member.crc ?? crc32(plain);
    const size = member.size ?? plain.length;
    const compressedSize = member.compressedSize ?? data.length;
    const name = Buffer.from(member.name, "utf8");
    const localExtra = zip64 ? zip64Extra([size, compressedSize]) : Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(member.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(zip64 ? 0xffffffff : compressedSize, 18);
    local.writeUInt32LE(zip64 ? 0xffffffff : size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    const centralExtra = zip64 ? zip64Extra([size, compressedSize, offset]) : Buffer.alloc(0);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(zip64 ? 45 : 20, 4);
    header.writeUInt16LE(zip64 ? 45 : 20, 6);
    header.writeUInt16LE(member.flags ?? 0, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(crc >>> 0, 16);
    header.writeUInt32LE(zip64 ? 0xffffffff : compressedSize, 20);
    header.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(centralExtra.length, 30);
    header.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    central.push(header, name, centralExtra);
    parts.push(local, name, localExtra, data);
    offset += local.length + name.length + localExtra.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(members.length), 24);
    record.writeBigUInt64LE(BigInt(members.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    end.push(record, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(zip64 ? 0xffff : members.length, 8);
  eocd.writeUInt16LE(zip64 ? 0xffff : members.length, 10);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...parts, directory, ...end, eocd]);
}

function zip64Extra(values: number[]): Buffer {
  const extra = Buffer.alloc(4 + values.length * 8);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(values.length * 8, 2);
  values.forEach((value, index) => extra.writeBigUInt64LE(BigInt(value), 4 + index * 8));
  return extra;
}
