import { describe, expect, it } from "vitest";
import { planScan, resolveConfig } from "../src/config/resolve-config.js";
import { findKeys } from "../src/detectors/lumenfall/find-keys.js";
import { fingerprintSecret as fingerprintKey } from "../src/engine/fingerprint.js";
import { scanText as scanThroughLoop } from "./helpers/engine.js";
import { keyIdOf, lastFour, makeDotlessKey, makeKey, randomString } from "./helpers/keys.js";

/** A tracked file `a.txt`, through the scanning loop's own entry. */
const scanText = (text: string | Buffer, extra: { includePlaceholders?: boolean } = {}) => scanThroughLoop(text, { path: "a.txt", facts: { git: "tracked" }, ...extra }).outcome;
const scanInChunks = (bytes: Buffer, chunkSize: number) => scanThroughLoop(bytes, { path: "a.txt", facts: { git: "tracked" }, chunkSize }).outcome;
const WINDOW_OVERLAP = planScan(resolveConfig({ startDir: "/", config: {} })).overlap;

describe("key shape", () => {
  it("finds a dotted key with high confidence and describes it without the key", () => {
    const key = makeKey();
    const [finding] = scanText(`const k = '${key}';`).findings;
    expect(finding?.secret).toEqual({
      redacted: `lmnfl_${keyIdOf(key)}.\u2026${lastFour(key)}`,
      fingerprint: fingerprintKey(key),
      keyId: keyIdOf(key),
      lastFour: lastFour(key),
      confidence: "high",
    });
    expect(JSON.stringify(finding)).not.toContain(key);
  });

  it("accepts key ids of 3 to 64 chars and secrets of 16 to 256", () => {
    for (const [keyIdLength, secretLength] of [[3, 16], [64, 256], [12, 100]] as const) {
      expect(scanText(makeKey({ keyIdLength, secretLength })).findings).toHaveLength(1);
    }
    for (const [keyIdLength, secretLength] of [[2, 40], [65, 40], [10, 15], [10, 257]] as const) {
      expect(scanText(` ${makeKey({ keyIdLength, secretLength })} `).findings).toEqual([]);
    }
  });

  it("finds the dotless form with medium confidence, only with entropy and all classes", () => {
    const key = makeDotlessKey();
    expect(scanText(`token=${key}\n`).findings[0]?.secret?.confidence).toBe("medium");
    expect(scanText(`token=${key}\n`).findings[0]?.secret?.keyId).toBeNull();
    expect(scanText("lmnfl_abcdefghijklmnopqrstuvwxyz").findings).toEqual([]);
    expect(scanText(`lmnfl_${"aB3".repeat(10)}`, { includePlaceholders: true }).findings).toEqual([]);
    expect(scanText(`${makeDotlessKey(23)} `).findings).toEqual([]);
  });

  it("needs both boundaries", () => {
    const key = makeKey();
    expect(scanText(`x${key}`).findings).toEqual([]);
    expect(scanText(`_${key}`).findings).toEqual([]);
    expect(scanText(`${key}é`).findings).toHaveLength(1);
    expect(scanText(`"${key}"`).findings).toHaveLength(1);
    expect(scanText(`%3D${key}&x=1`).findings).toHaveLength(1);
    expect(scanText(`\\u0022${key}\\u0022`).findings).toHaveLength(1);
    expect(scanText(`\\x22${key}`).findings).toHaveLength(1);
    expect(scanText(`line\\n${key}`).findings).toHaveLength(1);
    expect(scanText(`line\\q${key}`).findings).toEqual([]);
  });
});

describe("placeholders are never findings", () => {
  const placeholders = [
    "lmnfl_abc123.xyz789",
    "lmnfl_your_api_key",
    "lmnfl_...",
    "lmnfl_test",
    "Bearer lmnfl_<key_id>.<secret>",
    "lmnfl_${ID}.${SECRET}",
    "lmnfl_key_abc.\u20261234",
    "lmnfl_xxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxx",
    "lmnfl_k3y1d.****************************",
    "lmnfl_aaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "lmnfl_123456.12345678901234567890123456",
    "lmnfl_abcdef.abcdefghijklmnopqrstuvwxyz",
    "lmnfl_k9Xq2.abcdefgh12345678ABCDEFGH",
    "lmnfl_Qw3Rt.test123test123test123test123",
    "lmnfl_Qw3Rt.Zq8vR2mLx0pN4t_EXAMPLE_W6yB1cE3",
    "lmnfl_SAMPLE_01.Zq8vR2mLx0pN4tW6yB1cE3gH5",
    "lmnfl_K3yId.yourSecretGoesHere",
    "lmnfl_K3yId.fakekeyfakekeyfake1",
    "lmnfl_Qw3Rt.Zq8vR2mLx0pN4tW6yB1cE3gH5_redacted",
  ];

  it.each(placeholders)("%s", (text) => {
    expect(scanText(`key = "${text}"\n`).findings).toEqual([]);
  });

  it("a placeholder word counts as a whole token or camelCase word, never as a substring of a random secret", () => {
    for (const word of ["FaKe", "yOuR", "xXxX", "Sample", "EXAMPLE", "dummy", "Redacted", "placeholder"]) {
      const key = makeKey();
      const dot = key.indexOf(".");
      const inSecret = `${key.slice(0, dot + 9)}${word}${key.slice(dot + 9)}`;
      const inId = `${key.slice(0, 9)}${word}${key.slice(9)}`;
      for (const planted of [inSecret, inId]) expect(scanText(`k = "${planted}"`).findings.map((f) => f.secret?.fingerprint), planted).toEqual([fingerprintKey(planted)]);
      const asToken = `${key.slice(0, dot + 9)}_${word}_${key.slice(dot + 9)}`;
      expect(scanText(`k = "${asToken}"`, { includePlaceholders: true }).findings.map((f) => [f.severity, f.placeholder])).toEqual([["info", "placeholder-word"]]);
    }
  });

  it("--include-placeholders shows the guide's own example as written, although its secret is shorter than a key's", () => {
    const findings = scanText("curl -H 'Authorization: Bearer lmnfl_abc123.xyz789'\nLUMENFALL_API_KEY=lmnfl_your_api_key\n", { includePlaceholders: true }).findings;
    expect(findings.map((f) => [f.line, f.column, f.endColumn, f.severity, f.placeholder, f.secret?.redacted])).toEqual([[1, 32, 51, "info", "docs-example", "lmnfl_abc123.\u2026z789"]]);
    // Only as written: a longer id, or more after the secret, is not the example.
    expect(scanText("lmnfl_abc1234.xyz789 lmnfl_abc123.xyz789a", { includePlaceholders: true }).findings).toEqual([]);
  });

  it("masks: a key shown in part, then ..., …, • or ****, is shown, not leaked", () => {
    // What shows of a masked key is shorter than a whole secret (32 characters or more).
    const shown = makeKey({ secretLength: 20 });
    for (const mask of ["...", "\u2026", "\u2022\u2022\u2022", "****"]) {
      expect(scanText(`${shown}${mask}`).findings).toEqual([]);
      expect(scanText(`${shown}${mask}`, { includePlaceholders: true }).findings[0]).toMatchObject({ severity: "info", placeholder: "masked" });
    }
  });

  it("a whole key followed by ..., …, • or **** is a key: a mask hides part of a secret, an ellipsis after a whole one hides nothing", () => {
    for (const mask of ["...", "\u2026", "\u2022\u2022\u2022", "****"]) {
      for (const secretLength of [32, 44]) {
        const key = makeKey({ secretLength });
        const findings = scanText(`console.log("connecting with ${key}${mask}");`).findings;
        expect(findings.map((f) => [f.ruleId, f.severity, f.column, f.secret?.lastFour]), `${secretLength} + ${mask}`).toEqual([["lumenfall-key", "critical", 30, key.slice(-4)]]);
      }
    }
    // The middle masked, the last four after it: shown, not leaked, whatever its length.
    const key = makeKey({ secretLength: 40 });
    expect(scanText(`${key}\u2026Wx9z`).findings).toEqual([]);
    expect(scanText(`${key}****Wx9z, and more`).findings).toEqual([]);
  });

  it("--include-placeholders lists them as info with the reason", () => {
    const findings = scanText("a lmnfl_aaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaa\nb lmnfl_123456.12345678901234567890123456", { includePlaceholders: true }).findings;
    expect(findings.map((f) => [f.severity, f.placeholder, f.line])).toEqual([
      ["info", "low-entropy", 1],
      ["info", "sequential", 2],
    ]);
  });
});

describe("encoded keys", () => {
  it("URL-encoded: the dot as %2E, and every char percent-escaped", () => {
    const key = makeKey();
    const allEscaped = [...key.slice(6)].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`).join("");
    for (const text of [`?k=${key.replace(".", "%2E")}&x`, `?k=${key.replace(".", "%2e")}`, `?k=lmnfl_${allEscaped}`]) {
      const [finding] = scanText(text).findings;
      expect(finding?.secret?.fingerprint).toBe(fingerprintKey(key));
      expect(finding?.encoding).toBe("escaped");
      expect(finding?.column).toBe(4);
      expect(finding?.endColumn).toBe(4 + text.slice(3).replace(/&x$/, "").length);
    }
  });

  it("JSON \\u escapes inside the key", () => {
    const key = makeKey();
    const [finding] = scanText(JSON.stringify({ k: key }).replace(".", "\\u002e")).findings;
    expect(finding?.secret?.fingerprint).toBe(fingerprintKey(key));
  });

  it("base64 at all three alignments, standard and URL-safe alphabets", () => {
    for (let shift = 0; shift < 3; shift++) {
      for (let trailer = 0; trailer < 3; trailer++) {
        const key = makeKey({ secretLength: 40 + trailer });
        const encoded = Buffer.from(`${" ".repeat(shift)}${key}\n`).toString("base64");
        const urlSafe = encoded.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
        for (const text of [`data:\n  key: ${encoded}\n`, `x=${urlSafe}`]) {
          const findings = scanText(text).findings;
          expect(findings, `shift ${shift} in ${text}`).toHaveLength(1);
          expect(findings[0]?.secret?.fingerprint).toBe(fingerprintKey(key));
          expect(findings[0]?.encoding).toBe("base64");
        }
      }
    }
  });

  it("an inline source map whose sourcesContent holds a key", () => {
    const key = makeKey();
    const map = { version: 3, sources: ["src/a.ts"], sourcesContent: [`const k = "${key}";\n`], mappings: "AAAA" };
    const js = `console.log(1);\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
    const [finding] = scanText(js).findings;
    expect(finding).toMatchObject({ line: 2, encoding: "base64" });
    expect(finding?.secret?.fingerprint).toBe(fingerprintKey(key));
  });

  it("UTF-16 LE and BE, with a BOM, at the right line and column", () => {
    const key = makeKey();
    const text = `first line\nkey = "${key}"\n`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le.subarray(2)).swap16();
    for (const [bytes, encoding] of [[le, "utf16le"], [Buffer.concat([Buffer.from([0xfe, 0xff]), be]), "utf16be"]] as const) {
      const [finding] = scanText(bytes).findings;
      expect(finding).toMatchObject({ line: 2, column: 8, encoding });
      expect(finding?.endColumn).toBe(8 + key.length);
      expect(finding?.secret?.fingerprint).toBe(fingerprintKey(key));
    }
  });

  it("UTF-16: a character whose code unit holds a 0x0A byte is not a line break, with or without a BOM", () => {
    const key = makeKey();
    // U+010A (Ċ) is 0A 01 in UTF-16 LE; U+0A2A (ਪ) is 0A 2A in UTF-16 BE.
    const text = `Ċਪ first\r\nĊਪ "${key}"\n`;
    const le = Buffer.from(text, "utf16le");
    const be = Buffer.from(le).swap16();
    for (const [bytes, encoding] of [
      [Buffer.concat([Buffer.from([0xff, 0xfe]), le]), "utf16le"],
      [Buffer.concat([Buffer.from([0xfe, 0xff]), be]), "utf16be"],
      [le, "utf16le"],
      [be, "utf16be"],
    ] as const) {
      for (const chunkSize of [bytes.length, 7, 64]) {
        const [finding] = scanInChunks(bytes, chunkSize).findings;
        expect(finding, `${encoding}, ${bytes.length} bytes in chunks of ${chunkSize}`).toMatchObject({ line: 2, column: 5, endColumn: 5 + key.length, encoding });
      }
    }
  });

  it("binary bytes around a key (a compiled app): line 1 and the byte offset, across chunks too", () => {
    const key = makeKey();
    const bytes = Buffer.concat([Buffer.from([0, 1, 2, 255, 0, 10, 10]), Buffer.alloc(70_000, 10), Buffer.from(key), Buffer.from([0, 0x89, 0x50])]);
    expect(scanText(bytes).findings[0]).toMatchObject({ line: 1, column: 70_008 });
    expect(scanInChunks(bytes, 4096).findings[0]).toMatchObject({ line: 1, column: 70_008 });
  });
});

describe("positions", () => {
  it("columns count UTF-16 code units after multi-byte characters", () => {
    const key = makeKey();
    const [finding] = scanText(`é😀 "${key}"`).findings;
    expect(finding).toMatchObject({ line: 1, column: 6, endColumn: 6 + key.length });
  });

  it("CRLF line endings", () => {
    const key = makeKey();
    expect(scanText(`a\r\nb\r\n  ${key}\r\n`).findings[0]).toMatchObject({ line: 3, column: 3 });
  });
});

describe("chunked scanning: a key straddling a chunk boundary is found once", () => {
  it("finds every key exactly once for every placement and chunk size", () => {
    const keys = [makeKey(), makeKey({ secretLength: 256, keyIdLength: 64 }), makeDotlessKey(60)];
    const base64Key = makeKey();
    const filler = randomString(5000).replace(/[A-Z]/g, " ");
    for (const chunkSize of [1024, 4099, 65536]) {
      for (const offset of [0, 1, 700, chunkSize - 30, chunkSize - 1, chunkSize + 5]) {
        const text = `${filler.slice(0, offset)}\n"${keys[0]}" ${filler}\n${keys[1]}\n${filler}x\n${keys[2]}\n${Buffer.from(` ${base64Key}`).toString("base64")}\n`;
        const bytes = Buffer.from(text);
        const whole = scanText(bytes).findings;
        const chunked = scanInChunks(bytes, chunkSize).findings;
        expect(whole).toHaveLength(4);
        expect(chunked).toEqual(whole);
      }
    }
  });

  it("keeps more overlap than the longest encoded key", () => {
    const longest = makeKey({ keyIdLength: 64, secretLength: 256 });
    const escaped = [...longest].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    expect(WINDOW_OVERLAP).toBeGreaterThan(escaped.length);
  });

  it("counts lines across chunks", () => {
    const key = makeKey();
    const lines = Array.from({ length: 30_000 }, (_, i) => `line ${i} ${"é".repeat(i % 7)}`);
    lines[25_000] = `  é ${key}`;
    const bytes = Buffer.from(lines.join("\n"));
    expect(bytes.length).toBeGreaterThan(3 * 65536);
    const [finding] = scanInChunks(bytes, 65536).findings;
    expect(finding).toMatchObject({ line: 25_001, column: 5 });
  });

  it("finds a key on a long minified line after several chunks", () => {
    const key = makeKey();
    const bytes = Buffer.from(`${"a=1;".repeat(300_000)}var k="${key}";`);
    const [finding] = scanInChunks(bytes, 1 << 20).findings;
    expect(finding).toMatchObject({ line: 1, column: 1_200_008 });
  });
});

describe("inline suppression", () => {
  it("same line or the line above, with the reason kept", () => {
    const key = makeKey();
    const sameLine = scanText(`const k = "${key}"; // lumenguard-allow: test fixture, revoked\n`);
    expect(sameLine.findings).toEqual([]);
    expect(sameLine.suppressed).toEqual([
      expect.objectContaining({ ruleId: "lumenfall-key", line: 1, by: "inline", reason: "test fixture, revoked" }),
    ]);
    const lineAbove = scanText(`# lumenguard-allow\nkey: ${key}\n`);
    expect(lineAbove.findings).toEqual([]);
    expect(lineAbove.suppressed[0]?.reason).toBeUndefined();
    expect(scanText(`/* lumenguard-allow: fixture */\n\nkey: ${key}\n`).findings).toHaveLength(1);
  });

  it("never keeps a key that sits in the reason", () => {
    const key = makeKey();
    const outcome = scanText(`k = "${key}" # lumenguard-allow: was ${key}\n`);
    expect(JSON.stringify(outcome)).not.toContain(key);
  });
});

describe("findKeys", () => {
  it("only accepts literals in the given range", () => {
    const key = makeKey();
    const bytes = Buffer.from(`${key} ${key}`);
    expect(findKeys(bytes, 1)).toHaveLength(1);
    expect(findKeys(bytes, 0, 1)).toHaveLength(1);
  });
});
