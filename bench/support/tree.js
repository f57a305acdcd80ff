// The final working tree of the corpus: paths, text files, bundles, large files, binaries.
// Files are plain records { path, lang?, lines?, content?, older: [contents] } until
// `finalizeTree` turns lines into content; plants edit `lines` before that.
import { LANGUAGES, addDecoys, joinLines } from './textgen.js';
import { minifiedBundle, largeJsonLines, binaryAsset } from './bigfiles.js';
import { camel, snake, noun, sentence, ADJECTIVES } from './words.js';

const MB = 1024 * 1024;

export const SCALES = {
  full: { textFiles: 8900, mediumShare: 0.025, binaryFiles: 120, bundlesMB: [4.6, 3.1, 2.4, 1.7, 1.2],
    largeMB: [2.6, 2.2, 1.8], commits: 2500, sourcePlants: 8, historyPlants: 6, transientShare: 0.02 },
  small: { textFiles: 300, mediumShare: 0.03, binaryFiles: 10, bundlesMB: [1.3],
    largeMB: [1.2], commits: 100, sourcePlants: 4, historyPlants: 3, transientShare: 0.02 },
};

const LANG_MIX = [[30, 'ts'], [14, 'js'], [14, 'py'], [10, 'go'], [12, 'md'], [10, 'json'], [10, 'yaml']];
const kebab = (rng) => `${rng.pick(ADJECTIVES)}-${noun(rng)}`;

/** Directory templates per language; shared pools below make folders hold ~12 files each. */
function dirTemplates(rng) {
  const pkgs = Array.from({ length: 24 }, () => `${noun(rng)}-${rng.pick(['core', 'sdk', 'utils', 'ui', 'client', 'server'])}`);
  const services = Array.from({ length: 10 }, () => `${noun(rng)}-service`);
  const opt = (p, text) => (rng.chance(p) ? `/${text}` : '');
  const ts = () => rng.chance(0.6)
    ? `packages/${rng.pick(pkgs)}/src/${noun(rng)}${opt(0.6, noun(rng))}${opt(0.3, rng.pick(ADJECTIVES))}`
    : `apps/${rng.pick(['web', 'admin', 'api', 'worker'])}/src/${rng.pick(['components', 'routes', 'lib', 'hooks', 'store'])}/${noun(rng)}${opt(0.4, noun(rng))}`;
  return {
    ts, js: ts,
    py: () => `services/${rng.pick(services)}/app/${noun(rng)}${opt(0.5, noun(rng))}`,
    go: () => `services/${rng.pick(services)}/internal/${noun(rng)}${opt(0.4, noun(rng))}`,
    md: () => (rng.chance(0.7) ? `docs/${noun(rng)}${opt(0.5, noun(rng))}` : `packages/${rng.pick(pkgs)}/docs`),
    json: () => (rng.chance(0.6) ? `packages/${rng.pick(pkgs)}/fixtures/${noun(rng)}` : `config/${noun(rng)}`),
    yaml: () => (rng.chance(0.6) ? `deploy/k8s/${rng.pick(services)}` : `config/${noun(rng)}${opt(0.5, rng.pick(ADJECTIVES))}`),
    pkgs, services,
  };
}

function fileName(rng, lang) {
  const base = { ts: camel(rng), js: camel(rng), py: snake(rng), go: `${noun(rng)}_${rng.pick(['store', 'handler', 'client'])}`,
    md: kebab(rng), json: kebab(rng), yaml: kebab(rng) }[lang];
  const test = (lang === 'ts' || lang === 'js') && rng.chance(0.15) ? '.test' : '';
  return `${base}${test}.${LANGUAGES[lang].ext}`;
}

/** Reserve a unique path (a numeric suffix resolves the rare clash). */
export function uniquePath(used, path) {
  let candidate = path;
  for (let i = 2; used.has(candidate); i++) candidate = path.replace(/(\.[^./]+)$/, `-${i}$1`);
  used.add(candidate);
  return candidate;
}

function textFileSize(rng, params) {
  if (rng.chance(params.mediumShare)) return rng.between(8000, 30000);
  return Math.min(16000, Math.max(120, Math.round(rng.logNormal(900, 0.85))));
}

/** Older versions for history: a prefix of the file plus a different last line. */
function olderVersions(rng, lines) {
  if (!rng.chance(0.35)) return [];
  return Array.from({ length: rng.between(1, 3) }, (_, i) => {
    const cut = Math.max(1, Math.floor(lines.length * (0.3 + 0.2 * i + 0.2 * rng.float())));
    return joinLines([...lines.slice(0, cut), `// TODO(${noun(rng)}): ${sentence(rng, 3, 7)}`]);
  });
}

function textFiles(rng, params, used, dirs) {
  const pools = {};
  const files = [];
  let decoys = 0;
  for (let i = 0; i < params.textFiles; i++) {
    const lang = rng.weighted(LANG_MIX);
    const share = LANG_MIX.find(([, l]) => l === lang)[0] / 100;
    pools[lang] ??= Array.from({ length: Math.ceil((params.textFiles * share) / 12) }, () => dirs[lang]());
    const path = uniquePath(used, `${rng.pick(pools[lang])}/${fileName(rng, lang)}`);
    const lines = LANGUAGES[lang].lines(rng, textFileSize(rng, params));
    if (rng.chance(0.08)) decoys += addDecoys(rng, lang, lines, rng.between(1, 2));
    files.push({ path, lang, lines, older: olderVersions(rng, lines) });
  }
  return { files, decoys };
}

function rootFiles(used) {
  const files = [
    ['README.md', '# Monorepo\n\nSet `LUMENFALL_API_KEY=lmnfl_your_api_key` in `.env` (never commit it).\n'],
    ['package.json', `${JSON.stringify({ name: 'bench-monorepo', private: true, workspaces: ['packages/*', 'apps/*'],
      dependencies: { react: '^18.3.1', openai: '^4.52.0' } }, null, 2)}\n`],
    ['.gitignore', 'node_modules/\ndist/\n.env\n.env.*\n!.env.example\n'],
    ['.env.example', 'LUMENFALL_API_KEY=lmnfl_your_api_key\nLUMENFALL_BASE_URL=https://api.lumenfall.ai/openai/v1\n'],
    // The corpus's own (empty) config. Config is looked up from the scanned folder upward, and
    // without this one lumenguard would find the project's, which ignores bench/.corpus/**.
    ['lumenguard.config.json', '{}\n'],
  ];
  return files.map(([path, content]) => ({ path: uniquePath(used, path), content, older: [], root: true }));
}

function bundleFiles(rng, params, used) {
  const names = ['vendor', 'main', 'charts', 'editor', 'polyfills'];
  return params.bundlesMB.map((mb, i) => ({
    path: uniquePath(used, `apps/web/public/static/js/${names[i % names.length]}.${rng.string('0123456789abcdef', 8)}.min.js`),
    size: Math.round(mb * MB), kind: 'bundle', plants: [], older: [],
  }));
}

function largeFiles(rng, params, used, dirs) {
  const paths = ['test/fixtures/events-large.jsonl', 'test/fixtures/audit-log.jsonl', `packages/${dirs.pkgs[0]}/src/generated/schema.generated.ts`];
  return params.largeMB.map((mb, i) => ({ path: uniquePath(used, paths[i]), size: Math.round(mb * MB), kind: i === 2 ? 'large-ts' : 'large-jsonl', plants: [], older: [] }));
}

function binaryFiles(rng, params, used) {
  const places = [['apps/web/public/images', 'png'], ['assets/fonts', 'woff2'], ['docs/img', 'jpg'], ['apps/web/public', 'ico']];
  return Array.from({ length: params.binaryFiles }, () => {
    const [dir, ext] = rng.weighted([[6, places[0]], [1, places[1]], [3, places[2]], [1, places[3]]]);
    const size = Math.min(200000, Math.max(500, Math.round(rng.logNormal(12000, 1))));
    return { path: uniquePath(used, `${dir}/${noun(rng)}-${rng.between(1, 999)}.${ext}`), content: binaryAsset(rng, ext, size), older: [] };
  });
}

/** Plan the whole tree. Big files get their content in `finalizeTree`, after plants are chosen. */
export function planTree(rng, params) {
  const used = new Set();
  const dirs = dirTemplates(rng.fork('dirs'));
  const text = textFiles(rng.fork('text'), params, used, dirs);
  return {
    used, dirs, decoys: text.decoys, text: text.files, root: rootFiles(used),
    bundles: bundleFiles(rng.fork('bundles'), params, used),
    large: largeFiles(rng.fork('large'), params, used, dirs),
    binary: binaryFiles(rng.fork('binary'), params, used),
    extra: [],
  };
}

/** Generate big files (placing their plants) and join text lines. Returns the list of files. */
export function finalizeTree(rng, tree) {
  for (const big of [...tree.bundles, ...tree.large]) {
    const r = rng.fork(big.path);
    const make = big.kind === 'bundle' ? minifiedBundle : big.kind === 'large-jsonl' ? largeJsonLines : null;
    const built = make ? make(r, big.size, big.plants) : { text: joinLines(LANGUAGES.ts.lines(r, big.size)), offsets: [] };
    big.content = built.text;
    big.offsets = built.offsets;
    if (big.plants.length === 0 && make) big.older = [make(r, Math.round(big.size * 0.9), []).text];
  }
  for (const file of [...tree.text, ...tree.extra]) file.content ??= joinLines(file.lines);
  return [...tree.root, ...tree.text, ...tree.extra, ...tree.bundles, ...tree.large, ...tree.binary];
}
