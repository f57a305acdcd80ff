/**
 * git's test for binary content — a NUL byte in the first 8000 bytes
 * (https://git-scm.com/docs/gitattributes#_marking_files_as_binary) — except UTF-16 text (a
 * BOM, NULs in every other byte, or — without a BOM, mostly outside ASCII — NULs on one side
 * only and every code unit plausible text), which has lines. A compiled 130 MB native module has a
 * quarter of a million 0x0A bytes; counting them as lines would cost more than scanning it.
 */
export const BINARY_SAMPLE = 8000;

export function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, BINARY_SAMPLE);
  if (sample.indexOf(0) === -1) return false;
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) (i % 2 === 0 ? even++ : odd++);
  const half = sample.length / 2;
  if (even > half * 0.9 || odd > half * 0.9) return false;
  // UTF-16 without a BOM whose text is mostly outside ASCII (CJK): NULs only in the high byte of
  // the few ASCII characters, all on one side, and every code unit plausible text.
  if (even === 0 && plausibleUtf16(sample, "le")) return false;
  if (odd === 0 && plausibleUtf16(sample, "be")) return false;
  return true;
}

/**
 * Whether the bytes read as UTF-16 in that byte order are text: no control characters but tab,
 * line feed, form feed and carriage return, no noncharacter U+FFFE/U+FFFF, no private-use
 * characters, and every surrogate paired. Random binary fails this within a few dozen units.
 */
function plausibleUtf16(bytes: Uint8Array, order: "le" | "be"): boolean {
  const units = Math.floor(bytes.length / 2);
  if (units < 16) return false;
  for (let i = 0; i < units; i++) {
    const unit = order === "le" ? bytes[2 * i]! | (bytes[2 * i + 1]! << 8) : (bytes[2 * i]! << 8) | bytes[2 * i + 1]!;
    if (unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0c && unit !== 0x0d) return false;
    if ((unit >= 0x7f && unit < 0xa0) || unit === 0xfffe || unit === 0xffff || (unit >= 0xe000 && unit <= 0xf8ff)) return false;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = i + 1 < units ? (order === "le" ? bytes[2 * i + 2]! | (bytes[2 * i + 3]! << 8) : (bytes[2 * i + 2]! << 8) | bytes[2 * i + 3]!) : 0xdc00;
      if (next < 0xdc00 || next > 0xdfff) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return false;
  }
  return true;
}
