import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactKey, scrubKeys } from "../src/detectors/lumenfall/redact.js";
import { ENCODINGS, encodeKey, leakIn } from "./helpers/leaks.js";
import { seededKeys } from "./helpers/seeded.js";

/**
 * scrubKeys, the one scrubber for text lumenguard echoes: a key in any encoding the detector
 * reads, with anything around it, comes out redacted; text without a key comes out unchanged.
 */

const ID = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
const SECRET = `${ID}-`;
const charsOf = (alphabet: string, min: number, max: number) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });

/** Dotted keys of every legal length, and dotless ones (24–256 characters, as the detector reads them). */
const keyArb = fc.oneof(
  fc.tuple(charsOf(ID, 3, 64), charsOf(SECRET, 16, 256)).map(([id, secret]) => `lmnfl_${id}.${secret}`),
  charsOf(SECRET, 24, 256).map((body) => `lmnfl_${body}`),
);
const textArb = fc.string({ unit: "binary", maxLength: 40 });

describe("scrubKeys", () => {
  it("leaves no key readable, in any encoding, whatever text surrounds it", () => {
    fc.assert(
      fc.property(keyArb, fc.constantFrom(...ENCODINGS), textArb, textArb, (key, encoding, before, after) => {
        const scrubbed = scrubKeys(`${before}${encodeKey(key, encoding)}${after}`);
        expect(leakIn(scrubbed, [key])).toBeNull();
      }),
      { numRuns: 3000, seed: 20250601 },
    );
  });

  it("shows a scrubbed key as its redacted form, so the reader still knows which key to revoke", () => {
    const [key] = seededKeys(7, 1) as [string];
    const redacted = redactKey(key.slice(6, key.indexOf(".")), key.slice(-4));
    for (const encoding of ["plain", "json-escaped", "percent-dot", "percent-every-char", "base64", "utf16le"] as const) {
      // In UTF-16 text the key's last character keeps its NUL half; the key itself is gone.
      expect(scrubKeys(`name=${encodeKey(key, encoding)};`).replace("\0;", ";"), encoding).toBe(`name=${redacted};`);
    }
    // A key-shaped run the engine would not report (low entropy, glued to a word) is scrubbed all the same.
    const body = "Ab1".repeat(10);
    expect(scrubKeys(`x${"lmnfl"}_${body}`)).toBe(`x${redactKey(null, body.slice(-4))}`);
  });

  it("keeps redacted forms and text without keys exactly as they are", () => {
    fc.assert(
      fc.property(charsOf(ID, 3, 64), charsOf(SECRET, 4, 4), textArb, (id, last4, around) => {
        const text = `${around}${redactKey(id, last4)} and ${redactKey(null, last4)}${around}`;
        fc.pre(!/lmnfl_|%|\\|\0|[A-Za-z0-9+/_-]{24}/.test(around));
        expect(scrubKeys(text)).toBe(text);
      }),
      { numRuns: 2000, seed: 11 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        fc.pre(!text.includes("lmnfl_"));
        expect(scrubKeys(text)).toBe(text);
      }),
      { numRuns: 2000, seed: 12 },
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(keyArb, fc.constantFrom(...ENCODINGS), textArb, (key, encoding, around) => {
        const once = scrubKeys(`${around}${encodeKey(key, encoding)}${around}`);
        expect(scrubKeys(once)).toBe(once);
      }),
      { numRuns: 500, seed: 13 },
    );
  });

  it("scrubs long text in windows and misses no key at a window boundary", () => {
    const keys = seededKeys(99, 40);
    // Keys every 16,371 characters: they straddle the 64 KiB windows at every offset.
    const text = keys.map((key, i) => `${"x".repeat(16_371 - (i % 7))}${i % 2 === 0 ? key : encodeKey(key, "base64")}`).join("\n");
    expect(text.length).toBeGreaterThan(600_000);
    const scrubbed = scrubKeys(text);
    expect(leakIn(scrubbed, keys)).toBeNull();
    expect(scrubbed.length).toBeLessThan(text.length);
    expect(scrubbed.match(/lmnfl_[A-Za-z0-9]{12}\.…/g)).toHaveLength(40);
  });

  it("does not take a key followed by an ellipsis for a redacted form", () => {
    fc.assert(
      fc.property(charsOf(SECRET, 24, 120), fc.constantFrom("\u2026", "\u2026.py", ".\u2026", ".\u2026 ", "\u2026\u2026", ".\u2026ab"), textArb, (body, tail, before) => {
        const key = `lmnfl_${body}`;
        const scrubbed = scrubKeys(`${before}${key}${tail}`);
        expect(leakIn(scrubbed, [key])).toBeNull();
        expect(scrubbed).toContain(redactKey(null, body.slice(-4)));
      }),
      { numRuns: 1000, seed: 14 },
    );
  });
});
