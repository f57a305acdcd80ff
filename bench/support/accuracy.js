// Compare lumenguard's JSON findings with the keys the generator planted.
// Matching is by file + fingerprint; position (line, column) is then either exact or "elsewhere",
// so a column off by one shows up as such instead of as one miss plus one extra.
// Nothing here ever sees a key: the manifest and the findings carry fingerprints only.

const same = (f, p) => f.file === p.file && f.secret?.fingerprint === p.fingerprint;
const at = (x) => `${x.file}:${x.line}:${x.column}`;

/** Returns { exact, elsewhere: [{ planted, finding }], missed, extra, other }. */
export function compareFindings(findings, planted) {
  const keyed = findings.filter((f) => f.secret?.fingerprint);
  const unused = new Set(keyed);
  const take = (predicate) => {
    const hit = [...unused].find(predicate);
    if (hit) unused.delete(hit);
    return hit;
  };
  const exact = [];
  const rest = [];
  for (const p of planted) {
    if (take((f) => same(f, p) && f.line === p.line && f.column === p.column)) exact.push(p);
    else rest.push(p);
  }
  const elsewhere = [];
  const missed = [];
  for (const p of rest) {
    const finding = take((f) => same(f, p));
    if (finding) elsewhere.push({ planted: p, finding });
    else missed.push(p);
  }
  const other = findings.filter((f) => !f.secret?.fingerprint);
  return { exact, elsewhere, missed, extra: [...unused], other };
}

/** Human lines for the report; fingerprints are shortened, keys never appear. */
export function describeAccuracy(result, plantedCount) {
  const found = result.exact.length + result.elsewhere.length;
  const lines = [`found ${found}/${plantedCount} planted keys (${result.exact.length} at the exact position), `
    + `${result.extra.length} extra key findings, ${result.other.length} findings without a key`];
  for (const { planted, finding } of result.elsewhere) {
    lines.push(`  elsewhere: ${planted.kind} planted at ${at(planted)}, reported at ${at(finding)}`);
  }
  for (const p of result.missed) lines.push(`  missed:    ${p.kind} at ${at(p)}${p.encoding !== 'raw' ? ` (${p.encoding})` : ''} fp ${p.fingerprint.slice(0, 12)}`);
  for (const f of result.extra) lines.push(`  extra:     ${f.ruleId} at ${at(f)} fp ${f.secret.fingerprint.slice(0, 12)}`);
  for (const f of result.other.slice(0, 10)) lines.push(`  other:     ${f.ruleId} at ${at(f)}`);
  if (result.other.length > 10) lines.push(`  ... and ${result.other.length - 10} more findings without a key`);
  return lines;
}
