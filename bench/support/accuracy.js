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

const short = (sha) => (sha ? sha.slice(0, 10) : '-');

/**
 * History findings against every key the corpus ever held (tree plants and history-only ones).
 * A key counts as found when a finding has its file and fingerprint and, where the manifest
 * records the introducing commit, that commit's sha. Returns { found, wrongCommit, missed, extra, other }
 * where found entries carry `exact` (same line and column in the introducing blob).
 */
export function compareHistoryFindings(findings, expected) {
  const keyed = findings.filter((f) => f.secret?.fingerprint);
  const unused = new Set(keyed);
  const found = [];
  const wrongCommit = [];
  const missed = [];
  for (const p of expected) {
    const candidates = [...unused].filter((f) => same(f, p));
    const right = candidates.filter((f) => !p.commit || f.commit?.sha === p.commit);
    const pick = right.find((f) => f.line === p.line && f.column === p.column) ?? right[0];
    if (pick) {
      unused.delete(pick);
      found.push({ planted: p, finding: pick, exact: pick.line === p.line && pick.column === p.column });
    } else if (candidates.length) {
      unused.delete(candidates[0]);
      wrongCommit.push({ planted: p, finding: candidates[0] });
    } else {
      missed.push(p);
    }
  }
  const other = findings.filter((f) => !f.secret?.fingerprint);
  return { found, wrongCommit, missed, extra: [...unused], other };
}

/** Human lines for the history report: counts, then every mismatch. Fingerprints shortened, never a key. */
export function describeHistoryAccuracy(result, total) {
  const exact = result.found.filter((f) => f.exact).length;
  const lines = [`found ${result.found.length}/${total} keys with file, fingerprint and introducing commit `
    + `(${exact} at the exact line and column), ${result.wrongCommit.length} with another commit, `
    + `${result.extra.length} extra key findings, ${result.other.length} findings without a key`];
  for (const { planted, finding } of result.wrongCommit) {
    lines.push(`  commit:    ${planted.kind} at ${planted.file} introduced in ${short(planted.commit)}, reported with ${short(finding.commit?.sha)}`);
  }
  for (const { planted, finding } of result.found.filter((f) => !f.exact)) {
    lines.push(`  elsewhere: ${planted.kind} planted at ${at(planted)}, reported at ${at(finding)}`);
  }
  for (const p of result.missed) lines.push(`  missed:    ${p.kind} at ${at(p)} (commit ${short(p.commit)}) fp ${p.fingerprint.slice(0, 12)}`);
  for (const f of result.extra) lines.push(`  extra:     ${f.ruleId} at ${at(f)} (commit ${short(f.commit?.sha)}) fp ${f.secret.fingerprint.slice(0, 12)}`);
  for (const f of result.other.slice(0, 10)) lines.push(`  other:     ${f.ruleId} at ${at(f)}`);
  if (result.other.length > 10) lines.push(`  ... and ${result.other.length - 10} more findings without a key`);
  return lines;
}
