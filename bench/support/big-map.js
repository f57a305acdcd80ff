// The big-map corpus: client build output whose source map is ~400 MB, with one generated key in
// one of its `sourcesContent` strings. It measures whether lumenguard's memory stays bounded when
// one file is large (a map is one JSON line, so line-based reading does not help).
//
//   <corpus root>/big-map-seed<seed>/
//     lumenguard.config.json           {} (stops the upward config search before the project's)
//     manifest.json                    sizes, and the key's fingerprint and position (never the key)
//     dist/assets/app.<hash>.js        the bundle (~6 MB): one line per module, then sourceMappingURL
//     dist/assets/app.<hash>.js.map    { version, file, mappings, sources, sourcesContent, names }
//
// Modules are webpack-style (`webpack://app/./src/...`); their text comes from a pool of generated
// JavaScript modules, each source starting with its own header comment. `mappings` is valid VLQ:
// per bundle line (one per module), SEGMENTS segments mapping to successive lines of that module.
// The map is written in chunks, never built as one string. Same seed → the same bytes.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprint, makeKey } from './plants.js';
import { Rng } from './prng.js';
import { LANGUAGES, joinLines } from './textgen.js';
import { noun, camel } from './words.js';

export const BIG_MAP_VERSION = 1;
export const BIG_MAP = { targetBytes: 400e6, poolSize: 96, segments: 200, step: 10 };
const KEY_LINE = 'const LUMENFALL_API_KEY = "{key}";';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 VLQ of one signed integer (the source map v3 encoding). */
function vlq(value) {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

function reusableManifest(target, seed) {
  try {
    const manifest = JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8'));
    if (manifest.version !== BIG_MAP_VERSION || manifest.seed !== seed) return null;
    if (statSync(join(target, manifest.map)).size !== manifest.stats.mapBytes) return null;
    if (statSync(join(target, manifest.bundle)).size !== manifest.stats.bundleBytes) return null;
    return manifest;
  } catch {
    return null;
  }
}

/** Generate (or reuse) the corpus. Returns { dir, distDir, map, bundle, stats, planted, reused }. */
export function prepareBigMap({ root, seed, log = console.log }) {
  const target = join(root, `big-map-seed${seed}`);
  const existing = reusableManifest(target, seed);
  if (existing) return { ...existing, dir: target, distDir: join(target, 'dist'), reused: true };

  const started = Date.now();
  const rng = new Rng(seed).fork('big-map');
  const poolRng = rng.fork('pool');
  // A pool of modules (60–200 KB of JavaScript each), JSON-escaped once.
  const pool = Array.from({ length: BIG_MAP.poolSize }, () => joinLines(LANGUAGES.js.lines(poolRng, poolRng.between(60000, 200000))));
  if (pool.some((text) => Buffer.byteLength(text) !== text.length)) throw new Error('pool text is not ASCII');
  const average = pool.reduce((n, t) => n + t.length, 0) / pool.length;
  const count = Math.ceil(BIG_MAP.targetBytes / (average * 1.04)); // JSON escaping adds a few %
  const names = Array.from({ length: count }, (_, i) => `webpack://app/./src/${noun(rng)}/${camel(rng)}-${i}.js`);
  const sourceText = (i) => `// ${names[i].slice('webpack://app/./'.length)}\n${pool[i % pool.length]}`;

  // The key goes into the middle source, on a new line in its middle.
  const plantIndex = count >> 1;
  const key = makeKey(rng.fork('key'));
  const plantLines = sourceText(plantIndex).split('\n');
  const plantAt = plantLines.length >> 1;
  plantLines.splice(plantAt, 0, KEY_LINE.replace('{key}', key));
  const plantedSource = plantLines.join('\n');

  const hash = rng.fork('hash').string('0123456789abcdef', 8);
  const bundleName = `app.${hash}.js`;
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const assets = join(tmp, 'dist', 'assets');
  mkdirSync(assets, { recursive: true });
  writeFileSync(join(tmp, 'lumenguard.config.json'), '{}\n');

  // The bundle: one line per module, each `segments × step` characters; then the map comment.
  const bundleLines = names.map((name, i) => {
    const head = `/*${i}*/__webpack_modules__[${i}]=function(e,t,n){"use strict";`;
    let body = head;
    while (body.length < BIG_MAP.segments * BIG_MAP.step - 2) body += `var ${camel(rng).slice(0, 12)}=n(${rng.between(1, 9999)});`;
    return `${body.slice(0, BIG_MAP.segments * BIG_MAP.step - 2)}};`;
  });
  const bundle = `${bundleLines.join('\n')}\n//# sourceMappingURL=${bundleName}.map\n`;
  writeFileSync(join(assets, bundleName), bundle);

  // mappings: line i maps column k*step to source i, line k, column 0 (fields relative, per spec).
  const mappingLines = [];
  let prevSource = 0;
  let prevLine = 0;
  for (let i = 0; i < count; i++) {
    const segments = [];
    let prevColumn = 0;
    for (let k = 0; k < BIG_MAP.segments; k++) {
      const column = k * BIG_MAP.step;
      segments.push(vlq(column - prevColumn) + vlq(i - prevSource) + vlq(k - prevLine) + vlq(0));
      prevColumn = column;
      prevSource = i;
      prevLine = k;
    }
    mappingLines.push(segments.join(','));
  }

  const fd = openSync(join(assets, `${bundleName}.map`), 'w');
  let written = 0;
  const write = (text) => {
    written += writeSync(fd, text);
  };
  let planted;
  try {
    write(`{"version":3,"file":${JSON.stringify(bundleName)},"mappings":${JSON.stringify(mappingLines.join(';'))},`);
    write(`"sources":${JSON.stringify(names)},"sourcesContent":[`);
    for (let i = 0; i < count; i++) {
      const escaped = JSON.stringify(i === plantIndex ? plantedSource : sourceText(i));
      if (i === plantIndex) {
        const offset = written + (i > 0 ? 1 : 0) + escaped.indexOf(key);
        planted = { kind: 'map-sourcesContent', line: 1, column: offset + 1, byteOffset: offset, fingerprint: fingerprint(key), encoding: 'raw',
          source: { index: i, name: names[i], line: plantAt + 1, column: KEY_LINE.indexOf('{key}') + 1 } };
      }
      write(i > 0 ? `,${escaped}` : escaped);
    }
    write(`],"names":[],"sourceRoot":""}\n`);
  } finally {
    closeSync(fd);
  }
  const manifest = { generator: 'lumenguard-bench-big-map', version: BIG_MAP_VERSION, seed,
    bundle: `dist/assets/${bundleName}`, map: `dist/assets/${bundleName}.map`,
    stats: { sources: count, mapBytes: written, bundleBytes: Buffer.byteLength(bundle), mappingsBytes: mappingLines.reduce((n, l) => n + l.length + 1, 0) },
    planted: [{ ...planted, file: `dist/assets/${bundleName}.map` }] };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  if (existsSync(target)) rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  log(`  big-map: ${count} sources, map ${(written / 1e6).toFixed(1)} MB, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ...manifest, dir: target, distDir: join(target, 'dist'), reused: false };
}
