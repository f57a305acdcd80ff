// Generated keys and where they go. Keys exist only at run time: nothing under bench/
// that is committed holds one, and the manifest stores fingerprints, never keys.
import { createHash } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_ALPHABET = BASE62 + '_-';
// Placeholder words (a key holding one as a token is not a finding); a random key containing one would (rightly) not be reported.
const PLACEHOLDER_WORDS = /your|example|placeholder|dummy|fake|sample|redacted|xxxx/i;

export function fingerprint(key) {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * `lmnfl_` + `idLength` base62 + `.` + `secretLength` secret chars (default 10 and 40), redrawn if
 * it reads as a placeholder.
 */
export function makeKey(rng, { idLength = 10, secretLength = 40 } = {}) {
  for (;;) {
    const key = `lmnfl_${rng.string(BASE62, idLength)}.${rng.string(SECRET_ALPHABET, secretLength)}`;
    if (!PLACEHOLDER_WORDS.test(key)) return key;
  }
}

/** 1-based line and column of a byte offset in ASCII text. */
export function lineColumnAt(text, offset) {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Lines that carry a key, per language. `{key}` marks where the (possibly encoded) key goes;
 * the column is computed from it. Each form is how keys really end up in code.
 */
export const KEY_LINES = {
  ts: ['const LUMENFALL_API_KEY = "{key}";', '  apiKey: "{key}",', "  headers: { Authorization: 'Bearer {key}' },",
    'const client = new OpenAI({ baseURL: "https://api.lumenfall.ai/openai/v1", apiKey: "{key}" });'],
  py: ['LUMENFALL_API_KEY = "{key}"', '    client = OpenAI(base_url="https://api.lumenfall.ai/openai/v1", api_key="{key}")'],
  go: ['\tconst apiKey = "{key}"', '\treq.Header.Set("Authorization", "Bearer {key}")'],
  md: ['export LUMENFALL_API_KEY={key}'],
  json: ['  "lumenfallApiKey": "{key}",'],
  yaml: ['  apiKey: {key}'],
};

/** Insert `template` (with `{key}` → `text`) at line index `at`; returns its line/column. */
export function insertKeyLine(lines, at, template, text) {
  const column = template.indexOf('{key}') + 1;
  lines.splice(at, 0, template.replace('{key}', text));
  return { line: at + 1, column };
}
