import { SEVERITIES, type Finding, type SecretInfo, type Severity } from "../types.js";

/**
 * The HTML report's view of a scan: findings grouped by the key they are about (its SHA-256
 * fingerprint), because a leaked key is revoked once however many places hold it. Findings
 * about a file rather than a key (a tracked or unignored `.env`, an SDK client built for the
 * browser) and `--include-placeholders` matches are listed apart: there is nothing to revoke.
 */
export interface KeyGroup {
  secret: SecretInfo;
  /** A Lumenfall key (revoked on the Lumenfall dashboard); false for a `customPatterns` secret of another provider. */
  lumenfall: boolean;
  /** Every finding with this fingerprint, in report order. */
  findings: Finding[];
  /** The highest severity among them. */
  severity: Severity;
  /** `--verify`'s answer for the key (the same for every finding with it), when it ran. */
  verified?: NonNullable<Finding["verified"]>;
  /** Rule ids, in order of first appearance. */
  ruleIds: string[];
}

export interface ReportGroups {
  /** Live keys first, then by severity (highest first), then by number of places (most first). */
  keys: KeyGroup[];
  /** Findings that carry no key: env-file hygiene, SDK-in-browser, variables read in client code. */
  withoutKey: Finding[];
  /** Placeholder matches (`--include-placeholders`): never keys. */
  placeholders: Finding[];
}

const VERDICT_ORDER = { live: 0, unknown: 1, revoked: 2 } as const;

export function groupFindings(findings: readonly Finding[]): ReportGroups {
  const byFingerprint = new Map<string, KeyGroup>();
  const withoutKey: Finding[] = [];
  const placeholders: Finding[] = [];
  for (const finding of findings) {
    if (finding.placeholder !== undefined) placeholders.push(finding);
    else if (!finding.secret) withoutKey.push(finding);
    else {
      const group = byFingerprint.get(finding.secret.fingerprint) ?? newGroup(finding.secret);
      byFingerprint.set(finding.secret.fingerprint, group);
      group.findings.push(finding);
      if (rank(finding.severity) > rank(group.severity)) group.severity = finding.severity;
      if (!group.ruleIds.includes(finding.ruleId)) group.ruleIds.push(finding.ruleId);
      if (finding.verified !== undefined) group.verified ??= finding.verified;
    }
  }
  const keys = [...byFingerprint.values()].sort(
    (a, b) =>
      verdictRank(a) - verdictRank(b) ||
      rank(b.severity) - rank(a.severity) ||
      b.findings.length - a.findings.length ||
      a.secret.redacted.localeCompare(b.secret.redacted),
  );
  return { keys, withoutKey, placeholders };
}

/** Severity order, higher is worse. */
export function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function newGroup(secret: SecretInfo): KeyGroup {
  // The engine writes every Lumenfall key as `lmnfl_…` and another provider's secret by its own ends.
  return { secret, lumenfall: secret.redacted.startsWith("lmnfl_"), findings: [], severity: "info", ruleIds: [] };
}

function verdictRank(group: KeyGroup): number {
  return group.verified === undefined ? 1 : VERDICT_ORDER[group.verified];
}
