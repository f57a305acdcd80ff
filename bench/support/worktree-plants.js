// Keys planted in the final working tree, each recorded as { kind, file, line, column,
// fingerprint, encoding } for the accuracy check. Places are chosen to exercise the key grammar and the chunked reader:
// ordinary source, configs, base64 in a k8s Secret, escapes before the key, file edges,
// the middle of a one-line bundle, and 64 KiB / 1 MiB chunk boundaries.
import { makeKey, fingerprint, lineColumnAt, insertKeyLine, KEY_LINES } from './plants.js';
import { uniquePath } from './tree.js';
import { noun, sentence } from './words.js';

const KiB = 1024;
const MiB = 1024 * KiB;

function record(planted, kind, file, position, key, encoding = 'raw') {
  planted.push({ kind, file, line: position.line, column: position.column, fingerprint: fingerprint(key), encoding });
}

/** A text file of one of `langs`, not planted yet, long enough to hide a line in. */
function pickTextFile(rng, tree, langs, taken) {
  const candidates = tree.text.filter((f) => langs.includes(f.lang) && !taken.has(f.path) && f.lines.length > 6);
  const file = rng.pick(candidates);
  taken.add(file.path);
  file.older = []; // one version only, so the commit that introduced the key is unambiguous
  return file;
}

function plantInSources(rng, tree, params, planted, taken) {
  for (let i = 0; i < params.sourcePlants; i++) {
    const file = pickTextFile(rng, tree, ['ts', 'js', 'py', 'go'], taken);
    const key = makeKey(rng);
    const template = rng.pick(KEY_LINES[file.lang === 'js' ? 'ts' : file.lang]);
    record(planted, 'source', file.path, insertKeyLine(file.lines, rng.between(2, file.lines.length - 1), template, key), key);
  }
  const pair = pickTextFile(rng, tree, ['ts'], taken);
  const [k1, k2] = [makeKey(rng), makeKey(rng)];
  const prefix = 'const LUMENFALL_KEYS = ["';
  const at = rng.between(2, pair.lines.length - 1);
  pair.lines.splice(at, 0, `${prefix}${k1}", "${k2}"];`);
  record(planted, 'same-line-1', pair.path, { line: at + 1, column: prefix.length + 1 }, k1);
  record(planted, 'same-line-2', pair.path, { line: at + 1, column: prefix.length + k1.length + 5 }, k2);
}

function plantInConfigs(rng, tree, planted, taken) {
  const md = pickTextFile(rng, tree, ['md'], taken);
  let key = makeKey(rng);
  record(planted, 'markdown', md.path, insertKeyLine(md.lines, rng.between(2, md.lines.length - 1), KEY_LINES.md[0], key), key);
  const json = pickTextFile(rng, tree, ['json'], taken);
  key = makeKey(rng);
  record(planted, 'json', json.path, insertKeyLine(json.lines, 1, KEY_LINES.json[0], key), key); // right after "{"
  const yaml = pickTextFile(rng, tree, ['yaml'], taken);
  key = makeKey(rng);
  record(planted, 'yaml', yaml.path, insertKeyLine(yaml.lines, 3, KEY_LINES.yaml[0], key), key); // under "settings:"
}

/** New small files for the encoded and edge-of-file cases. */
function plantInNewFiles(rng, tree, planted) {
  const add = (path, lines, content) => {
    const file = { path: uniquePath(tree.used, path), lines, content, older: [] };
    tree.extra.push(file);
    return file.path;
  };
  const service = rng.pick(tree.dirs.services);
  let key = makeKey(rng);
  const secret = ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: lumenfall-api', `  namespace: ${service}`, 'type: Opaque', 'data:',
    `  DATABASE_HOST: ${Buffer.from(`${noun(rng)}.db.internal`).toString('base64')}`];
  const b64 = insertKeyLine(secret, 7, '  LUMENFALL_API_KEY: {key}', Buffer.from(key).toString('base64'));
  record(planted, 'k8s-secret', add(`deploy/k8s/${service}/lumenfall-secret.yaml`, secret), b64, key, 'base64');

  key = makeKey(rng);
  const ticket = ['{', `  "id": ${rng.between(1000, 9999)},`, `  "subject": "${sentence(rng, 3, 6)}",`];
  const escaped = insertKeyLine(ticket, 3, '  "body": "Hi, this is the key we use:\\n{key}\\nThanks"', key);
  ticket.push('}');
  record(planted, 'after-backslash-n', add(`test/fixtures/support-ticket-${rng.between(100, 999)}.json`, ticket), escaped, key);

  key = makeKey(rng);
  const callback = [`// ${sentence(rng)}`, 'export const CALLBACK_URL ='];
  const pct = insertKeyLine(callback, 2, '  "https://app.example.com/oauth/callback?state=auth%3D{key}%26step%3D2";', key);
  record(planted, 'after-percent-escape', add(`apps/web/src/lib/${noun(rng)}/callback-url.ts`, callback), pct, key);

  key = makeKey(rng);
  record(planted, 'file-start', add('ops/secrets/lumenfall-prod.txt', null, `${key}\n# rotated ${rng.between(1, 28)} March\n`), { line: 1, column: 1 }, key);

  key = makeKey(rng);
  const notes = [sentence(rng), sentence(rng), `token=${key}`];
  record(planted, 'file-end-no-newline', add(`tools/notes/${noun(rng)}.txt`, null, notes.join('\n')), { line: 3, column: 7 }, key);
}

/** Keys inside big files go in at fixed byte offsets; positions are computed once content exists. */
function plantInBigFiles(rng, tree) {
  const [b0, b1, b2] = tree.bundles;
  const add = (file, kind, offset) => file.size > offset + 200 && file.plants.push({ kind, offset, text: makeKey(rng) });
  add(b0, 'bundle-middle', Math.floor(b0.size / 2));
  add(b1 ?? b0, 'bundle-across-1MiB', MiB - 20);
  if (b2) add(b2, 'bundle-near-end', b2.size - 5000);
  const large = tree.large[0];
  add(large, 'across-64KiB', 64 * KiB - 25);
  add(large, 'across-1MiB', MiB - 30);
  add(large, 'prefix-across-2MiB', 2 * MiB - 3);
}

export function plantWorktreeKeys(rng, tree, params) {
  const planted = [];
  const taken = new Set();
  plantInSources(rng.fork('sources'), tree, params, planted, taken);
  plantInConfigs(rng.fork('configs'), tree, planted, taken);
  plantInNewFiles(rng.fork('new-files'), tree, planted);
  plantInBigFiles(rng.fork('big-files'), tree);
  return planted;
}

/** After `finalizeTree`: record the big-file plants now that their offsets are known. */
export function recordBigFilePlants(tree, planted) {
  for (const file of [...tree.bundles, ...tree.large]) {
    const sorted = [...file.plants].sort((a, b) => a.offset - b.offset);
    sorted.forEach((plant, i) => {
      if (file.offsets[i] !== plant.offset) throw new Error(`plant landed at ${file.offsets[i]}, wanted ${plant.offset} in ${file.path}`);
      const position = file.kind === 'bundle' ? { line: 1, column: plant.offset + 1 } : lineColumnAt(file.content, plant.offset);
      record(planted, plant.kind, file.path, position, plant.text);
    });
  }
}
