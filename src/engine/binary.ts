/**
 * git's test for binary content — a NUL byte in the first 8000 bytes
 * (https://git-scm.com/docs/gitattributes#_marking_files_as_binary) — except UTF-16 text (a
 * BOM, or NULs in every other byte), which has lines. A compiled 130 MB native module has a
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
  return !(even > half * 0.9 || odd > half * 0.9);
}
