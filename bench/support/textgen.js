// Synthetic source files that look like real code: identifiers, strings, URLs and comments.
// Each generator returns an array of lines, grown until it reaches roughly `targetBytes`.
import { camel, pascal, snake, noun, sentence, literal, url, decoyLine } from './words.js';

function grow(targetBytes, header, unit) {
  const lines = [...header];
  let size = lines.reduce((n, l) => n + l.length + 1, 0);
  while (size < targetBytes) {
    for (const line of unit()) {
      lines.push(line);
      size += line.length + 1;
    }
  }
  return lines;
}

/** TypeScript, or plain JavaScript when `typed` is false (same shapes, no annotations). */
function tsLines(rng, targetBytes, typed = true) {
  const t = (annotation) => (typed ? annotation : '');
  const header = [`// ${sentence(rng)}`];
  for (let i = rng.between(1, 5); i > 0; i--) {
    header.push(`import { ${pascal(rng)}, ${camel(rng)} } from "${rng.chance(0.5) ? '../' : './'}${noun(rng)}/${noun(rng)}.js";`);
  }
  header.push('');
  const fn = () => {
    const name = camel(rng);
    const arg = noun(rng);
    return [`export async function ${name}(${arg}${t(`: ${pascal(rng)}`)}, options = {})${t(`: Promise<${pascal(rng)}>`)} {`,
      `  const ${camel(rng, 2)} = await ${arg}.${camel(rng)}("${literal(rng)}", options);`,
      `  if (!${arg}.${camel(rng, 1)}) {`,
      `    throw new Error("${sentence(rng, 3, 8)}");`,
      '  }',
      `  const response = await fetch("${url(rng)}", { method: "${rng.pick(['GET', 'POST', 'PUT'])}" });`,
      `  return { ...${arg}, ${noun(rng)}: response.status, ${camel(rng, 2)}: ${rng.between(0, 9999)} };`,
      '}', ''];
  };
  const cls = () => [`/** ${sentence(rng)} */`, `export class ${pascal(rng)} {`,
    `  ${t('private readonly ')}${camel(rng, 2)} = new Map${t(`<string, ${pascal(rng)}>`)}();`,
    `  ${camel(rng)}(${noun(rng)}${t(': string')})${t(': boolean')} {`,
    `    return this.${camel(rng, 2)}.has(${JSON.stringify(literal(rng))});`, '  }', '}', ''];
  const iface = () => [`export interface ${pascal(rng)} {`, `  ${noun(rng)}: string;`,
    `  ${camel(rng, 2)}?: number;`, `  ${noun(rng)}Url: "${url(rng)}";`, '}', ''];
  return grow(targetBytes, header, () => rng.weighted([[5, fn], [2, cls], [typed ? 2 : 0, iface]])());
}

function pyLines(rng, targetBytes) {
  const header = [`"""${sentence(rng)}."""`, 'import os', `from ${noun(rng)}.${noun(rng)} import ${pascal(rng)}`, ''];
  const fn = () => [`def ${snake(rng)}(${noun(rng)}, ${noun(rng)}=None):`,
    `    """${sentence(rng)}."""`,
    `    ${snake(rng, 2)} = ${pascal(rng)}(${JSON.stringify(literal(rng))})`,
    `    if ${noun(rng)} is None:`, `        raise ValueError(${JSON.stringify(sentence(rng, 3, 7))})`,
    `    return requests.get("${url(rng)}", timeout=${rng.between(2, 30)})`, '', ''];
  const cls = () => [`class ${pascal(rng)}:`, `    ${noun(rng).toUpperCase()}_LIMIT = ${rng.between(1, 1000)}`, '',
    `    def ${snake(rng)}(self, ${noun(rng)}):`, `        # ${sentence(rng)}`,
    `        return self.${snake(rng, 2)}.get(${JSON.stringify(literal(rng))})`, '', ''];
  return grow(targetBytes, header, () => rng.weighted([[3, fn], [2, cls]])());
}

function goLines(rng, targetBytes) {
  const header = [`// Package ${noun(rng)} ${sentence(rng).toLowerCase()}.`, `package ${noun(rng)}`, '',
    'import (', '\t"context"', '\t"fmt"', '\t"net/http"', ')', ''];
  const fn = () => {
    const recv = pascal(rng);
    return [`// ${pascal(rng)} ${sentence(rng).toLowerCase()}.`,
      `func (s *${recv}) ${pascal(rng)}(ctx context.Context, ${noun(rng)} string) error {`,
      `\treq, err := http.NewRequestWithContext(ctx, "GET", "${url(rng)}", nil)`,
      '\tif err != nil {', `\t\treturn fmt.Errorf("${sentence(rng, 2, 5).toLowerCase()}: %w", err)`, '\t}',
      `\ts.${camel(rng, 2)}(req)`, '\treturn nil', '}', ''];
  };
  return grow(targetBytes, header, fn);
}

function mdLines(rng, targetBytes) {
  const header = [`# ${pascal(rng)}`, '', `${sentence(rng, 8, 20)}.`, ''];
  const section = () => [`## ${sentence(rng, 2, 5)}`, '', `${sentence(rng, 10, 25)}. See [${noun(rng)}](${url(rng)}).`, '',
    ...(rng.chance(0.4) ? ['```sh', `npm run ${rng.pick(['build', 'dev', 'test'])} -- --${noun(rng)}`, '```', ''] : []),
    `- ${sentence(rng, 3, 8)}`, `- ${sentence(rng, 3, 8)}`, ''];
  return grow(targetBytes, header, section);
}

function jsonLines(rng, targetBytes) {
  const entry = () => {
    const fields = [`"id": ${rng.between(1, 99999)}`, `"${noun(rng)}": ${JSON.stringify(literal(rng))}`,
      `"${camel(rng, 2)}": ${rng.chance(0.5)}`, `"url": "${url(rng)}"`];
    return [`    { ${fields.join(', ')} },`];
  };
  const lines = grow(targetBytes - 30, ['{', `  "name": "${noun(rng)}-${noun(rng)}",`, `  "${noun(rng)}s": [`], entry);
  lines[lines.length - 1] = lines[lines.length - 1].replace(/,$/, '');
  return [...lines, '  ]', '}'];
}

function yamlLines(rng, targetBytes) {
  const header = [`# ${sentence(rng)}`, `name: ${noun(rng)}-${noun(rng)}`, 'settings:'];
  const block = () => [`  ${snake(rng, 2)}:`, `    enabled: ${rng.chance(0.5)}`, `    url: "${url(rng)}"`,
    `    retries: ${rng.between(0, 9)}`, `    description: "${sentence(rng, 3, 8)}"`];
  return grow(targetBytes, header, block);
}

export const LANGUAGES = {
  ts: { ext: 'ts', lines: tsLines, decoy: 'ts' },
  js: { ext: 'js', lines: (rng, size) => tsLines(rng, size, false), decoy: 'ts' },
  py: { ext: 'py', lines: pyLines, decoy: 'py' },
  go: { ext: 'go', lines: goLines, decoy: 'go' },
  md: { ext: 'md', lines: mdLines, decoy: 'md' },
  json: { ext: 'json', lines: jsonLines, decoy: 'json' },
  yaml: { ext: 'yaml', lines: yamlLines, decoy: 'yaml' },
};

/**
 * Sprinkle decoys into `lines`. JSON gets its decoy as an extra member after line 1
 * so the file stays valid JSON. Returns how many were added.
 */
export function addDecoys(rng, lang, lines, count) {
  for (let i = 0; i < count; i++) {
    const at = lang === 'json' ? 1 : rng.between(1, Math.max(1, lines.length - 1));
    lines.splice(at, 0, lang === 'json' ? `  ${decoyLine(rng, 'json')}` : decoyLine(rng, LANGUAGES[lang].decoy));
  }
  return count;
}

export function joinLines(lines) {
  return lines.join('\n') + '\n';
}
