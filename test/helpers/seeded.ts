/**
 * Keys from a fixed seed, for tests whose expected output is written down (snapshots): the same
 * keys on every run, and still no key literal in the repository. mulberry32, a 32-bit PRNG
 * (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c).
 */
const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` dotted keys, `lmnfl_` + 12 base62 + `.` + 44 base62, the same for the same seed. */
export function seededKeys(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  const chars = (n: number) => Array.from({ length: n }, () => BASE62[Math.floor(random() * 62)]).join("");
  // Upper case, lower case and a digit in every secret: the shape real keys have.
  return Array.from({ length: count }, () => `${"lmnfl"}_${chars(12)}.Qz7${chars(41)}`);
}
