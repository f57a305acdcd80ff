/**
 * The secrets found in one file, used to scrub what the engine echoes from that file (allow
 * reasons, snippets): whatever shape a scrubber looks for, text that holds one of these secrets
 * — plain (the secret part alone, without `lmnfl_` or the key id, or a custom pattern's secret
 * without its prefix), hex-encoded, base64-encoded or escaped (percent, `\uXXXX`, `\xXX`, HTML
 * references) — has it cut out. A reason such as `fixture, secret <the secret>` or
 * `<the key with &#46; for its dot>` never reaches a report.
 *
 * Any run of at least WINDOW characters taken from a secret counts (a secret shorter than that
 * counts whole): a secret quoted without its prefix, or cut short, is still cut.
 */
const MIN_SECRET = 8;
const WINDOW = 16;
const CUT = "\u2026";

export class KnownSecrets {
  /** Every WINDOW-long piece of the secrets, and the secrets shorter than WINDOW whole. */
  private readonly pieces = new Set<string>();
  private readonly lengths: number[];

  constructor(secrets: Iterable<string>) {
    const lengths = new Set<number>();
    for (const secret of secrets) {
      if (secret.length < MIN_SECRET) continue;
      const width = Math.min(WINDOW, secret.length);
      lengths.add(width);
      for (let at = 0; at + width <= secret.length; at++) this.pieces.add(secret.slice(at, at + width));
    }
    this.lengths = [...lengths].sort((a, b) => b - a);
  }

  get empty(): boolean {
    return this.pieces.size === 0;
  }

  /** `text` with every known secret cut out, in every form above. */
  scrub(text: string): string {
    if (this.pieces.size === 0 || text.length < MIN_SECRET) return text;
    let out = this.cutPlain(text);
    out = this.cutEncodedRuns(out, /[0-9A-Fa-f]{16,}/g, (run) => [0, 1].map((shift) => Buffer.from(run.slice(shift, shift + ((run.length - shift) & ~1)), "hex").toString("latin1")));
    out = this.cutEncodedRuns(out, /[A-Za-z0-9+/_-]{12,}={0,2}/g, (run) => [0, 1, 2, 3].map((shift) => Buffer.from(run.slice(shift), "base64").toString("latin1")));
    if (/%[0-9A-Fa-f]{2}|\\[ux]|&#|&[a-zA-Z]+;/.test(out)) out = this.cutEscaped(out);
    return out;
  }

  /** The span [start, end) of the first run of known secret pieces inside `text`, or null. */
  private find(text: string): [number, number] | null {
    for (const length of this.lengths) {
      for (let at = 0; at + length <= text.length; at++) {
        if (!this.pieces.has(text.slice(at, at + length))) continue;
        let end = at + length;
        // Overlapping pieces make one run: a whole secret is one cut.
        while (end < text.length && this.pieces.has(text.slice(end + 1 - length, end + 1))) end++;
        return [at, end];
      }
    }
    return null;
  }

  private cutPlain(text: string): string {
    let out = text;
    for (let span = this.find(out); span; span = this.find(out)) out = out.slice(0, span[0]) + CUT + out.slice(span[1]);
    return out;
  }

  /** Runs of an encoding whose decoded forms hold a known secret are cut whole. */
  private cutEncodedRuns(text: string, runs: RegExp, decodings: (run: string) => string[]): string {
    return text.replace(runs, (run) => (decodings(run).some((decoded) => this.find(decoded) !== null) ? CUT : run));
  }

  /** Escapes decoded one level; a known secret there is cut from where it was written. */
  private cutEscaped(text: string): string {
    const view = decodeEscapes(text);
    const span = this.find(view.text);
    if (!span) return text;
    const cut = text.slice(0, view.from[span[0]]) + CUT + text.slice(view.to[span[1] - 1]);
    return cut === text ? text : this.cutEscaped(cut);
  }
}

const ESCAPE = /^(?:%([0-9A-Fa-f]{2})|\\u\{([0-9A-Fa-f]{1,6})\}|\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2})|&#[xX]([0-9A-Fa-f]{1,6});|&#([0-9]{1,7});|&(period|lowbar|UnderBar);)/;
const NAMED: Record<string, string> = { period: ".", lowbar: "_", UnderBar: "_" };

/** One level of escapes decoded, with where each decoded character was written. */
function decodeEscapes(text: string): { text: string; from: number[]; to: number[] } {
  let out = "";
  const from: number[] = [];
  const to: number[] = [];
  for (let at = 0; at < text.length; ) {
    const match = ESCAPE.exec(text.slice(at, at + 12));
    let char = text[at] as string;
    let length = 1;
    if (match) {
      length = match[0].length;
      const hex = match[1] ?? match[2] ?? match[3] ?? match[4] ?? match[5];
      const code = hex !== undefined ? parseInt(hex, 16) : parseInt(match[6] as string, 10);
      char = match[7] !== undefined ? (NAMED[match[7]] as string) : code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
    }
    for (let i = 0; i < char.length; i++) {
      out += char[i];
      from.push(at);
      to.push(at + length);
    }
    at += length;
  }
  return { text: out, from, to };
}
