/**
 * Keys from a fixed seed, for tests whose expected output is written down (snapshots, counts):
 * the same keys on every run, and still no key literal in the repository. mulberry32, a 32-bit
 * PRNG (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c).
 */
const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Words the placeholder rules look for: a seeded key never holds one, so every key is a finding however those rules read them. */
const PLACEHOLDER_WORDS = /your|example|placeholder|dummy|fake|sample|redacted|xxxx/i;

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

/**
 * One dotted key from `random`: `lmnfl_` + `idLength` base62 + `.` + `Qz7` + `secretLength - 3`
 * base62 (upper case, lower case and a digit in every secret, the shape real keys have).
 */
export function seededKey(random: () => number, idLength = 12, secretLength = 44): string {
  const chars = (n: number) => Array.from({ length: n }, () => BASE62[Math.floor(random() * 62)]).join("");
  for (;;) {
    const key = `${"lmnfl"}_${chars(idLength)}.Qz7${chars(secretLength - 3)}`;
    if (!PLACEHOLDER_WORDS.test(key.slice(6))) return key;
  }
}

/** `count` dotted keys (12-character id, 44-character secret), the same for the same seed. */
export function seededKeys(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => seededKey(random));
}

/** Another provider's token for a custom pattern (`prefix` + `length` of [a-z0-9]), never holding a placeholder word. */
export function seededToken(random: () => number, prefix = "acme_", length = 32): string {
  for (;;) {
    const body = Array.from({ length }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(random() * 36)]).join("");
    if (!PLACEHOLDER_WORDS.test(body)) return `${prefix}${body}`;
  }
}
