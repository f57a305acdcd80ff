// The `bundles` scenario's corpus: a real node_modules (next + react + react-dom + three +
// @mui/material with the @emotion packages it needs, at pinned versions, installed with
// `npm install --ignore-scripts` into <corpus root>/bundles-real/), plus a few keys planted in
// copies of real bundle files under node_modules/.lumenguard-bench/ so that accuracy can be checked.
//
// - The install is reused while node_modules/<pkg>/package.json has the pinned version of every
//   package; the installed packages' own files are never modified. Plant files are rebuilt from
//   the seed on every setup (same bytes for the same seed and PLANT_VERSION; a file is only
//   rewritten when its bytes differ).
// - Keys are generated at run time (plants.js), like the other scenarios; manifest.json beside
//   node_modules records fingerprints and positions, never a key.
// - A lumenguard.config.json `{}` beside node_modules stops lumenguard's upward config search, so
//   the project's own config (which ignores bench/.corpus/**) does not apply.
// - Positions: line and column are 1-based, columns in UTF-16 code units (lumenguard's), of the
//   raw file; for the `.gz` plant, of the decompressed text (the finding names the `.gz` file).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fingerprint, makeKey } from './plants.js';
import { Rng } from './prng.js';

// @mui/material needs @emotion/react and @emotion/styled (peer dependencies); all support react 18.
export const BUNDLE_PACKAGES = { next: '14.2.5', react: '18.3.1', 'react-dom': '18.3.1', three: '0.187.0',
  '@mui/material': '9.5.0', '@emotion/react': '11.14.0', '@emotion/styled': '11.14.1' };
export const BUNDLES_DIR = 'bundles-real';
// Bump when the plants change (which files, where, how), so the manifest says which layout it describes.
export const PLANT_VERSION = 1;
export const PLANT_DIR = '.lumenguard-bench';
const MiB = 1024 * 1024;

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

function installedVersions(nodeModules) {
  const versions = {};
  for (const name of Object.keys(BUNDLE_PACKAGES)) {
    try {
      versions[name] = readJson(join(nodeModules, name, 'package.json')).version;
    } catch {
      versions[name] = null;
    }
  }
  return versions;
}

const isPinned = (versions) => Object.entries(BUNDLE_PACKAGES).every(([name, version]) => versions[name] === version);

/** `npm install` the pinned packages into `dir` (its own package.json, so npm does not climb to the project's). */
function install(dir, log) {
  mkdirSync(dir, { recursive: true });
  for (const stale of ['node_modules', 'package-lock.json']) rmSync(join(dir, stale), { recursive: true, force: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'lumenguard-bench-bundles', version: '0.0.0', private: true }, null, 2) + '\n');
  const specs = Object.entries(BUNDLE_PACKAGES).map(([name, version]) => `${name}@${version}`);
  const args = ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--save-exact', ...specs];
  log(`  installing ${specs.join(' ')} into ${dir} (npm ${args.slice(1, 5).join(' ')})`);
  const started = Date.now();
  const run = spawnSync('npm', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  if (run.error || run.status !== 0) {
    const detail = (run.error?.message ?? `${run.stdout}\n${run.stderr}`).trim().split('\n').slice(-6).join(' | ');
    throw new Error(`npm install failed (exit ${run.status}): ${detail}`);
  }
  log(`  installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** 1-based line and UTF-16 column of byte `offset` in `buf` (UTF-8). */
function positionAt(buf, offset) {
  let line = 1;
  let lineStart = 0;
  for (let i = buf.indexOf(10); i !== -1 && i < offset; i = buf.indexOf(10, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: buf.toString('utf8', lineStart, offset).length + 1 };
}

const LEAD = Buffer.from('var LUMENFALL_API_KEY="');

/**
 * A statement `var LUMENFALL_API_KEY="<key>";` inserted right after the last `;` that leaves room
 * before byte `wanted`. With `exact`, a `/* … *\/` comment pads it so the key starts at `wanted`
 * (to straddle a read-chunk boundary). The copy is scanned as text, not parsed: a `;` inside a
 * string or a `for(;;)` is as good as any. Returns the new bytes and the key's byte offset.
 */
function insertStatement(buf, wanted, key, { exact = false } = {}) {
  const semi = buf.lastIndexOf(0x3b, wanted - LEAD.length - 5);
  if (semi === -1 || wanted - semi > 64 * 1024) throw new Error(`no ';' shortly before byte ${wanted}`);
  const at = semi + 1;
  const pad = exact ? Buffer.from(`/*${' '.repeat(wanted - at - LEAD.length - 4)}*/`) : Buffer.alloc(0);
  const insertion = Buffer.concat([pad, LEAD, Buffer.from(`${key}";`)]);
  return { bytes: Buffer.concat([buf.subarray(0, at), insertion, buf.subarray(at)]), offset: at + pad.length + LEAD.length };
}

/**
 * A new line `const LUMENFALL_API_KEY = "<key>";` inside one `sourcesContent` string of a source
 * map (JSON-escaped, right after an escaped newline past the middle of that source). Returns the
 * new bytes, the key's byte offset in the map, and which source and line of it hold the key.
 */
function plantInSourcesContent(buf, rng, key) {
  const text = buf.toString('latin1'); // one char per byte: indexes are byte offsets
  const open = text.indexOf('[', text.indexOf('"sourcesContent"'));
  if (open === -1) throw new Error('no sourcesContent');
  const spans = [];
  for (let at = open + 1, index = 0; at < text.length && text[at] !== ']'; at++) {
    if (text[at] === ',') index++;
    else if (text[at] === '"') {
      const start = at + 1;
      const newlines = [];
      for (at = start; text[at] !== '"'; at++) {
        if (text[at] === '\\') {
          if (text[at + 1] === 'n') newlines.push(at + 2);
          at++;
        }
      }
      spans.push({ index, start, end: at, newlines });
    }
  }
  const candidates = spans.filter((s) => s.end - s.start > 4000 && s.newlines.length > 20);
  if (candidates.length === 0) throw new Error('no sourcesContent string long enough');
  const span = rng.pick(candidates);
  const middle = (span.start + span.end) / 2;
  const at = span.newlines.find((n) => n >= middle) ?? span.newlines[span.newlines.length - 1];
  const lead = 'const LUMENFALL_API_KEY = \\"';
  const bytes = Buffer.concat([buf.subarray(0, at), Buffer.from(`${lead}${key}\\";\\n`), buf.subarray(at)]);
  const sourceLine = JSON.parse(`"${text.slice(span.start, at)}"`).split('\n').length;
  const map = JSON.parse(bytes.toString('utf8')); // still valid JSON, and the source now holds the key
  if (!map.sourcesContent[span.index].includes(`LUMENFALL_API_KEY = "${key}"`)) throw new Error('sourcesContent plant did not land');
  return { bytes, offset: at + lead.length, source: { index: span.index, name: map.sources?.[span.index] ?? null, line: sourceLine, column: 28 } };
}

/**
 * The plants: copies of real files of this node_modules, each with one key. `from` is relative to
 * node_modules; `name` is the copy's name in PLANT_DIR.
 */
const PLANTS = [
  { kind: 'chunk-middle', from: 'next/dist/compiled/next-server/app-page.runtime.prod.js', name: 'plant-app-page.runtime.prod.js',
    make: (buf, key) => insertStatement(buf, buf.length >> 1, key) },
  { kind: 'chunk-across-1MiB', from: 'next/dist/compiled/webpack/bundle5.js', name: 'plant-webpack-bundle5.js',
    make: (buf, key) => insertStatement(buf, MiB - 20, key, { exact: true }) },
  { kind: 'gzip-chunk', from: 'react-dom/cjs/react-dom.production.min.js', name: 'plant-react-dom.production.min.js.gz', gzip: true,
    make: (buf, key) => insertStatement(buf, Math.floor(buf.length * 0.6), key) },
  { kind: 'map-sourcesContent', from: 'next/dist/compiled/next-server/app-page.runtime.prod.js.map', name: 'plant-app-page.runtime.prod.js.map',
    make: (buf, key, rng) => plantInSourcesContent(buf, rng, key) },
  { kind: 'chunk-end-no-newline', from: 'react/cjs/react.production.min.js', name: 'plant-react.production.min.js',
    make: (buf, key) => {
      const base = buf.subarray(0, buf.length - (buf[buf.length - 1] === 10 ? 1 : 0));
      const lead = Buffer.from(';self.__LUMENFALL_API_KEY__="');
      return { bytes: Buffer.concat([base, lead, Buffer.from(`${key}"`)]), offset: base.length + lead.length };
    } },
];

/** Writes the plant files (only those whose bytes differ) and returns their manifest entries. */
function plantKeys(nodeModules, seed) {
  const rng = new Rng(seed).fork('bundles');
  const dir = join(nodeModules, PLANT_DIR);
  mkdirSync(dir, { recursive: true });
  const wanted = new Set(PLANTS.map((p) => p.name));
  for (const stale of readdirSync(dir)) if (!wanted.has(stale)) rmSync(join(dir, stale), { recursive: true, force: true });
  let written = 0;
  const planted = PLANTS.map((plant) => {
    const key = makeKey(rng);
    const { bytes, offset, source } = plant.make(readFileSync(join(nodeModules, plant.from)), key, rng.fork(plant.kind));
    const file = join(dir, plant.name);
    // mtime 0 and level 9: the .gz bytes depend only on the input
    const onDisk = plant.gzip ? gzipSync(bytes, { level: 9 }) : bytes;
    if (plant.gzip && !gunzipSync(onDisk).equals(bytes)) throw new Error('gzip round trip');
    if (!existsSync(file) || !readFileSync(file).equals(onDisk)) {
      writeFileSync(file, onDisk);
      written++;
    }
    return { kind: plant.kind, file: `node_modules/${PLANT_DIR}/${plant.name}`, copyOf: `node_modules/${plant.from}`,
      ...positionAt(bytes, offset), byteOffset: offset, fingerprint: fingerprint(key), encoding: plant.gzip ? 'gzip' : 'raw',
      ...(source && { source }) };
  });
  return { planted, written };
}

/**
 * Regular files under node_modules (symlinks such as .bin/* are not followed, as rg and lumenguard
 * do not), their bytes, and those that look binary (a NUL in the first 8 KiB, rg's and git's test).
 */
export function countTree(root) {
  const stats = { files: 0, bytes: 0, binaryFiles: 0, binaryBytes: 0, largest: { file: null, bytes: 0 }, nestedNodeModules: 0 };
  const head = Buffer.alloc(8192);
  const visit = (dir, rel) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules') stats.nestedNodeModules++;
        visit(path, relPath);
      } else if (entry.isFile()) {
        const size = lstatSync(path).size;
        stats.files++;
        stats.bytes += size;
        if (size > stats.largest.bytes) stats.largest = { file: relPath, bytes: size };
        const fd = openSync(path, 'r');
        try {
          const n = readSync(fd, head, 0, head.length, 0);
          if (head.subarray(0, n).includes(0)) {
            stats.binaryFiles++;
            stats.binaryBytes += size;
          }
        } finally {
          closeSync(fd);
        }
      }
    }
  };
  visit(root, '');
  return stats;
}

/**
 * Install (or reuse) the corpus under `<root>/bundles-real/`, plant the keys from `seed`, count
 * the tree, write manifest.json. Returns { dir, nodeModules, versions, installed, planted, written, stats }.
 */
export function prepareBundlesCorpus({ root, seed, log = console.log }) {
  const dir = join(root, BUNDLES_DIR);
  const nodeModules = join(dir, 'node_modules');
  let versions = installedVersions(nodeModules);
  const installed = !isPinned(versions);
  if (installed) {
    install(dir, log);
    versions = installedVersions(nodeModules);
    if (!isPinned(versions)) throw new Error(`npm installed ${JSON.stringify(versions)}, wanted ${JSON.stringify(BUNDLE_PACKAGES)}`);
  }
  // lumenguard looks for its config from the scan root (the cwd for `scan --bundles`) upward.
  writeFileSync(join(dir, 'lumenguard.config.json'), '{}\n');
  const { planted, written } = plantKeys(nodeModules, seed);
  const stats = countTree(nodeModules);
  const manifest = { seed, plantVersion: PLANT_VERSION, packages: versions, stats, planted };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { dir, nodeModules, versions, installed, planted, written, stats };
}
