// Large files: one-line minified bundles, multi-megabyte text, and binary assets.
// Keys are placed at exact byte offsets so that some straddle the scanner's 64 KiB and
// 1 MiB read boundaries (a key across a chunk boundary must still be found).
import { camel, pascal, noun, sentence, literal, url, DECOY_VALUES } from './words.js';

/** Filler of exactly `n` characters drawn from prose (letters and spaces only). */
function filler(rng, n) {
  let text = '';
  while (text.length < n) text += sentence(rng, 6, 14) + ' ';
  return text.slice(0, n);
}

/**
 * Build text of about `size` bytes from `chunk()` calls, placing each plant's key at exactly
 * `plant.offset`. `wrap(pad)` returns [before, after] around the key, with `pad` characters of
 * filler inside `before` so the key lands on the offset. Returns the text and the offsets.
 */
function placeAtOffsets(rng, { size, plants, chunk, wrap, head = '', tail = '' }) {
  const parts = [];
  let length = push(head);
  const offsets = [];
  for (const plant of [...plants].sort((a, b) => a.offset - b.offset)) {
    const [before0] = wrap('');
    for (;;) {
      const next = chunk();
      if (length + next.length + before0.length > plant.offset) break;
      length += push(next);
    }
    const [before, after] = wrap(filler(rng, plant.offset - length - before0.length));
    length += push(before);
    offsets.push(length);
    length += push(plant.text + after);
  }
  while (length < size - tail.length) length += push(chunk());
  push(tail);
  return { text: parts.join(''), offsets };

  function push(s) {
    parts.push(s);
    return s.length;
  }
}

function bundleChunk(rng) {
  const id = rng.between(1, 9999);
  const strings = [JSON.stringify(literal(rng)), JSON.stringify(url(rng)), JSON.stringify(sentence(rng, 2, 6))];
  let body = `${id}:function(e,t,n){"use strict";var r=n(${rng.between(1, 9999)}),o=n(${rng.between(1, 9999)});`
    + `function ${camel(rng, 2)}(a,i){return a.${noun(rng)}?o.${camel(rng)}(a,${strings[0]}):r(${strings[1]},i||{})}`
    + `t.${pascal(rng)}=function(){throw new Error(${strings[2]})};`;
  if (rng.chance(0.02)) body += `var k=${JSON.stringify(rng.pick(DECOY_VALUES))};`;
  return body + '},';
}

/** A single-line minified bundle (no newline at all) with keys at the given offsets. */
export function minifiedBundle(rng, size, plants) {
  const wrap = (pad) => [`99999:function(e){var _m="${pad}";e.exports.apiKey="`, '"},'];
  const head = `(self.webpackChunk=self.webpackChunk||[]).push([[${rng.between(1, 999)}],{`;
  return placeAtOffsets(rng, { size, plants, chunk: () => bundleChunk(rng), wrap, head, tail: '0:0}]);' });
}

function logLine(rng, i) {
  const ts = new Date(Date.UTC(2024, 0, 1) + i * 1373).toISOString();
  return `{"ts":"${ts}","level":"${rng.pick(['info', 'debug', 'warn'])}","msg":${JSON.stringify(sentence(rng, 4, 12))},`
    + `"${noun(rng)}":${JSON.stringify(literal(rng))},"url":"${url(rng)}"}\n`;
}

/** A large JSON-lines fixture (many short lines) with keys at the given offsets. */
export function largeJsonLines(rng, size, plants) {
  let i = 0;
  const wrap = (pad) => [`{"ts":"2024-02-01T00:00:00.000Z","level":"debug","msg":"${pad}","token":"`, '"}\n'];
  return placeAtOffsets(rng, { size, plants, chunk: () => logLine(rng, i++), wrap });
}

const MAGIC = {
  png: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  jpg: Buffer.from('ffd8ffe000104a464946', 'hex'),
  woff2: Buffer.from('774f4632', 'hex'),
  ico: Buffer.from('00000100', 'hex'),
};

/** A binary asset: the format's magic bytes, then random bytes (incompressible, NULs included). */
export function binaryAsset(rng, ext, size) {
  return Buffer.concat([MAGIC[ext], rng.bytes(size)]);
}
