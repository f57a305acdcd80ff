// Keys that live only in history: committed, then removed by a later commit, either by editing
// the line (the file stays, clean) or by deleting the file. A history scan must still find them.
import { makeKey, fingerprint, insertKeyLine, KEY_LINES } from './plants.js';
import { LANGUAGES, joinLines } from './textgen.js';
import { uniquePath } from './tree.js';
import { noun } from './words.js';

/**
 * Returns { plants, chains } where each chain is { path, versions, commitAt: [indexes] }:
 * the versions are written at those commit indexes (spread over the history), outside the
 * random schedule so that adding and removing a key never fall into the same commit.
 */
export function planHistoryPlants(rng, tree, params) {
  const plants = [];
  const chains = [];
  for (let i = 0; i < params.historyPlants; i++) {
    const key = makeKey(rng);
    const introduce = Math.floor(params.commits * (0.1 + (0.75 * i) / params.historyPlants));
    const remove = introduce + rng.between(2, Math.max(3, Math.floor(params.commits / 50)));
    if (i % 2 === 0) {
      const path = uniquePath(tree.used, `packages/${rng.pick(tree.dirs.pkgs)}/src/config/local-${noun(rng)}.ts`);
      const clean = LANGUAGES.ts.lines(rng, rng.between(400, 1500));
      const at = rng.between(2, clean.length - 1);
      const keyed = [...clean];
      const position = insertKeyLine(keyed, at, KEY_LINES.ts[0], key);
      const fixed = [...clean];
      fixed.splice(at, 0, 'const LUMENFALL_API_KEY = process.env.LUMENFALL_API_KEY;');
      // The fixed version stays in the final tree, so it is a tree file too.
      tree.extra.push({ path, content: joinLines(fixed), older: [], scheduledByHistory: true });
      chains.push({ path, versions: [{ content: joinLines(clean) }, { content: joinLines(keyed) }, { content: joinLines(fixed) }],
        commitAt: [Math.max(0, introduce - rng.between(1, 10)), introduce, remove] });
      plants.push({ kind: 'removed-by-edit', file: path, ...position, fingerprint: fingerprint(key), introduce, remove });
    } else {
      const path = uniquePath(tree.used, `scripts/debug-${noun(rng)}-${i}.py`);
      const lines = LANGUAGES.py.lines(rng, rng.between(300, 1200));
      const position = insertKeyLine(lines, rng.between(2, lines.length - 1), KEY_LINES.py[0], key);
      chains.push({ path, versions: [{ content: joinLines(lines) }, { delete: true }], commitAt: [introduce, remove] });
      plants.push({ kind: 'file-deleted', file: path, ...position, fingerprint: fingerprint(key), introduce, remove });
    }
  }
  return { plants, chains };
}
