// Seeded pseudo-random numbers for the corpus generator.
// mulberry32 is tiny, fast and good enough for synthetic text; what matters here is
// that the same seed always yields the same corpus, byte for byte.

/** FNV-1a, used to derive independent sub-streams from a label. */
function hashString(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  constructor(seed) {
    this.seed = seed >>> 0;
    this.float = mulberry32(this.seed);
  }

  /**
   * An independent stream named by `label`. Forking (instead of sharing one stream)
   * keeps parts of the corpus stable when another part changes how much it draws.
   */
  fork(label) {
    return new Rng(hashString(`${this.seed}:${label}`));
  }

  /** Integer in [0, n). */
  int(n) {
    return Math.floor(this.float() * n);
  }

  /** Integer in [lo, hi], both inclusive. */
  between(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }

  chance(p) {
    return this.float() < p;
  }

  pick(items) {
    return items[this.int(items.length)];
  }

  /** `pairs` is [[weight, value], ...]. */
  weighted(pairs) {
    const total = pairs.reduce((sum, [w]) => sum + w, 0);
    let x = this.float() * total;
    for (const [w, value] of pairs) {
      x -= w;
      if (x < 0) return value;
    }
    return pairs[pairs.length - 1][1];
  }

  /** Log-normal sample: most values near `median`, a long tail above it. */
  logNormal(median, sigma) {
    const u1 = this.float() || 1e-12;
    const u2 = this.float();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return median * Math.exp(sigma * normal);
  }

  shuffle(items) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  string(alphabet, length) {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  /** Random bytes, four per draw (binary files are megabytes; keep it cheap). */
  bytes(length) {
    const buf = Buffer.alloc(length);
    let i = 0;
    for (; i + 4 <= length; i += 4) buf.writeUInt32LE(Math.floor(this.float() * 4294967296), i);
    for (; i < length; i++) buf[i] = this.int(256);
    return buf;
  }
}
