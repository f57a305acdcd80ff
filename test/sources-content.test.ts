import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MapContentScanner } from "../src/sources/map-content-index.js";
import { sourcesContentFileMapper, sourcesContentMapper } from "../src/sources/sources-content.js";
import { createDir } from "./helpers/repo.js";

/**
 * Tracing a position inside a map's `sourcesContent` by streaming the map: checked against
 * JSON.parse on maps of every shape — escapes (`\n`, `\u000a`, `\"`, `\\n`, surrogate pairs),
 * raw UTF-8, pretty-printed or not, `sources` before or after — and across chunk boundaries.
 */
const MARK = "lmnfl_";
const piece = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("\n", "\r\n", '"', "\\", "\\n", "é", "😀", "\u2028", "\t", "</script>", "\u0000", MARK),
);
const source = fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join(""));

/** Where each MARK starts in the map text (line, 1-based UTF-16 column) and in its source. */
function expectedPlaces(mapText: string, contents: readonly (string | null)[]): Array<{ at: [number, number]; want: [number, number, number] }> {
  const places: Array<{ at: [number, number]; want: [number, number, number] }> = [];
  const parsed = JSON.parse(mapText) as { sourcesContent: Array<string | null> };
  let from = mapText.indexOf('"sourcesContent"');
  parsed.sourcesContent.forEach((content, index) => {
    if (content === null) return;
    const encoded = JSON.stringify(content);
    const start = mapText.indexOf(encoded, from);
    from = start + encoded.length;
    for (let inSource = content.indexOf(MARK); inSource !== -1; inSource = content.indexOf(MARK, inSource + 1)) {
      const inEncoded = JSON.stringify(content.slice(0, inSource)).length - 1;
      const mapAt = start + inEncoded;
      const before = mapText.slice(0, mapAt);
      const mapLine = before.split("\n").length;
      const mapColumn = mapAt - before.lastIndexOf("\n");
      const prefix = content.slice(0, inSource);
      places.push({ at: [mapLine, mapColumn], want: [index, prefix.split("\n").length, inSource - prefix.lastIndexOf("\n")] });
    }
  });
  expect(contents).toEqual(parsed.sourcesContent);
  return places;
}

describe("sourcesContent traced by streaming the map", () => {
  it("agrees with JSON.parse on every position of a key, whatever the map holds (fixed seed)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(source, fc.constant(null)), { minLength: 1, maxLength: 4 }), fc.boolean(), fc.boolean(), (contents, pretty, sourcesFirst) => {
        const sources = contents.map((_, i) => `src/file-${i}.ts`);
        const map = sourcesFirst ? { version: 3, sources, sourcesContent: contents, mappings: "AAAA" } : { version: 3, sourcesContent: contents, names: [], sources, mappings: "AAAA" };
        const text = JSON.stringify(map, null, pretty ? 2 : undefined);
        const mapper = sourcesContentMapper(text, "/r", "/r");
        for (const { at, want } of expectedPlaces(text, contents)) {
          expect(mapper(at[0], at[1])).toEqual({ file: `src/file-${want[0]}.ts`, line: want[1], column: want[2] });
        }
        // A place outside every content string traces to nothing.
        expect(mapper(1, 1)).toBeNull();
      }),
      { numRuns: 500, seed: 97_531 },
    );
  });

  it("indexes the same whatever the chunks the map arrives in", () => {
    fc.assert(
      fc.property(fc.array(source, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 17 }), (contents, size) => {
        const bytes = Buffer.from(JSON.stringify({ version: 3, sources: contents.map((_, i) => `s${i}`), sourcesContent: contents, mappings: "" }));
        const whole = MapContentScanner.scan({ size: bytes.length, read: (at, length) => bytes.subarray(at, at + length) });
        const chunked = new MapContentScanner();
        for (let at = 0; at < bytes.length; at += size) chunked.push(bytes.subarray(at, at + size));
        chunked.finish();
        expect(chunked.index).toEqual(whole);
      }),
      { numRuns: 300, seed: 8_642 },
    );
  });

  it("sourceRoot, escaped source names, and a position in `sources` or `mappings` (not content)", () => {
    const text = JSON.stringify({ version: 3, sourceRoot: "webpack://app/", sources: ["a\u00e9\\b.ts"], sourcesContent: [`x\n  ${MARK}k`], mappings: `${MARK}` });
    const mapper = sourcesContentMapper(text);
    const at = text.indexOf(MARK) + 1;
    expect(mapper(1, at)).toEqual({ file: "webpack://app/a\u00e9\\b.ts", line: 2, column: 3 });
    expect(mapper(1, text.lastIndexOf(MARK) + 1)).toBeNull();
  });

  it("a 200 MB map with the key at the end of its last source: traced from disk in one streaming pass, asked again without a second", () => {
    const dir = createDir();
    const path = join(dir, "big.js.map");
    const line = "export const value = 'lorem ipsum dolor sit amet, consectetur adipiscing elit';\n";
    const block = JSON.stringify(line.repeat(100_000)).slice(1, -1);
    const blocks = Math.ceil((200 << 20) / block.length);
    const fd = openSync(path, "w");
    writeSync(fd, '{"version":3,"sources":["src/filler.ts","src/key.ts"],"sourcesContent":["');
    for (let i = 0; i < blocks; i++) writeSync(fd, block);
    const tail = `${JSON.stringify(`// end\nconst k = "${MARK}here";\n`).slice(1, -1)}"],"mappings":""}`;
    writeSync(fd, tail);
    closeSync(fd);
    const keyColumn = 1 + Buffer.byteLength('{"version":3,"sources":["src/filler.ts","src/key.ts"],"sourcesContent":["') + blocks * block.length + tail.indexOf(MARK);
    const mapper = sourcesContentFileMapper(path, dir, dir);
    const started = performance.now();
    expect(mapper(1, keyColumn)).toEqual({ file: "src/filler.ts", line: blocks * 100_000 + 2, column: 12 });
    const first = performance.now() - started;
    const again = performance.now();
    expect(mapper(1, keyColumn)).toEqual({ file: "src/filler.ts", line: blocks * 100_000 + 2, column: 12 });
    expect(performance.now() - again).toBeLessThan(first / 10);
  }, 120_000);
});
