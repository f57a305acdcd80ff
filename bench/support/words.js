// Vocabulary for synthetic source code: identifiers, sentences, URLs, and the
// decoy strings that look like Lumenfall keys but never are (placeholders a scanner must never report).

export const NOUNS = `user account order invoice session token cache queue worker payment product
cart report metric event stream model image prompt request response client server config router
handler service store index schema record batch job task team project billing auth profile search
filter page layout widget chart dashboard upload asset media message thread channel notification
webhook tenant region cluster node pool buffer parser loader adapter provider registry plugin logger
tracer span retry limit quota usage plan subscription price coupon address shipment inventory
warehouse supplier review rating comment post feed follower tag category locale currency timezone
completion embedding transcript voice avatar gallery thumbnail preview draft template export import`
  .split(/\s+/);

export const VERBS = `get set create update delete load save fetch parse render build resolve validate
normalize compute apply handle dispatch emit subscribe publish flush sync merge split format encode
decode map reduce filter sort find ensure register init start stop reset retry schedule track measure
list refresh upload download stream cancel approve reject archive restore`.split(/\s+/);

export const ADJECTIVES = `default current pending active cached raw next prev local remote max min total
base public internal legacy batch async shared primary fallback stale fresh partial`.split(/\s+/);

const HOSTS = ['api.example.com', 'cdn.example.net', 'hooks.internal.test', 'auth.example.org',
  'status.example.io', 'registry.npmjs.org', 'api.lumenfall.ai', 'docs.example.dev'];

const cap = (w) => w[0].toUpperCase() + w.slice(1);

export function camel(rng, parts = rng.between(1, 3)) {
  const words = [rng.pick(VERBS)];
  for (let i = 1; i < parts; i++) words.push(rng.pick(i === 1 ? NOUNS : ADJECTIVES.concat(NOUNS)));
  return words[0] + words.slice(1).map(cap).join('');
}

export function pascal(rng, parts = rng.between(1, 3)) {
  const words = [];
  for (let i = 0; i < parts; i++) words.push(cap(rng.pick(i === parts - 1 ? NOUNS : ADJECTIVES.concat(NOUNS))));
  return words.join('');
}

export function snake(rng, parts = rng.between(1, 3)) {
  const words = [rng.pick(VERBS)];
  for (let i = 1; i < parts; i++) words.push(rng.pick(NOUNS));
  return words.join('_');
}

export function noun(rng) {
  return rng.pick(NOUNS);
}

export function sentence(rng, min = 4, max = 12) {
  const n = rng.between(min, max);
  const words = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(rng.chance(0.3) ? VERBS : rng.chance(0.2) ? ADJECTIVES : NOUNS));
  words.push(rng.pick(['the', 'a', 'this', 'each']));
  rng.shuffle(words);
  return cap(words.join(' '));
}

export function url(rng) {
  const host = rng.pick(HOSTS);
  const path = [`v${rng.between(1, 3)}`, `${noun(rng)}s`];
  if (rng.chance(0.5)) path.push(String(rng.between(1, 99999)));
  if (rng.chance(0.3)) path.push(rng.pick(VERBS));
  const query = rng.chance(0.25) ? `?${noun(rng)}=${rng.between(1, 500)}&${rng.pick(ADJECTIVES)}=true` : '';
  return `https://${host}/${path.join('/')}${query}`;
}

/** A string literal body: a message, a URL, a path or a short id. */
export function literal(rng) {
  return rng.weighted([
    [4, () => sentence(rng, 2, 7)],
    [2, () => url(rng)],
    [1, () => `/${noun(rng)}s/${rng.pick(VERBS)}`],
    [1, () => `${noun(rng)}.${rng.pick(VERBS)}.${rng.pick(ADJECTIVES)}`],
    [1, () => rng.string('0123456789abcdef', 8)],
  ])();
}

/**
 * Decoys: every one of these appears in real code and must never be a finding
 * (placeholders, and strings that do not match the key shape at all).
 */
export const DECOY_VALUES = [
  'lmnfl_your_api_key',
  'lmnfl_...',
  'lmnfl_test',
  'lmnfl_<key_id>.<secret>',
  'lmnfl_${ID}.${SECRET}',
  'lmnfl_abc123.xyz789',
  'lmnfl_xxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxx',
];

/** One decoy line in the syntax of `lang` ('ts' covers js too). */
export function decoyLine(rng, lang) {
  const value = rng.pick(DECOY_VALUES);
  const bearer = `Bearer ${value}`;
  const forms = {
    ts: [`// Set LUMENFALL_API_KEY=${value} in your .env`, `const fallbackKey = process.env.LUMENFALL_API_KEY ?? "${value}";`,
      `  headers: { Authorization: "${bearer}" },`, `  // e.g. apiKey: "${value}"`,
      value.includes('${') ? `const example = \`${value}\`;` : `console.warn("key looks like ${value}");`],
    py: [`API_KEY = os.environ.get("LUMENFALL_API_KEY", "${value}")`, `# export LUMENFALL_API_KEY=${value}`,
      `    headers = {"Authorization": "${bearer}"}`],
    go: [`// Example: LUMENFALL_API_KEY=${value}`, `\treq.Header.Set("Authorization", "${bearer}")`],
    md: [`export LUMENFALL_API_KEY=${value}`, `curl -H "Authorization: ${bearer}" https://api.lumenfall.ai/openai/v1/models`,
      `Replace \`${value}\` with the key from your dashboard.`],
    json: [`"apiKeyHint": "${value}",`],
    yaml: [`# LUMENFALL_API_KEY: ${value}`, `  apiKeyExample: "${value}"`],
  };
  return rng.pick(forms[lang] ?? forms.ts);
}
