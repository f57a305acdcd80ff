import type { ScanRun } from "../scanning/session.js";
import type { Finding, SecretInfo, Warning } from "../types.js";
import { verifyEndpoint, type VerifyEndpoint } from "./endpoint.js";
import { verifyKeys, type VerifyTuning } from "./verify-keys.js";

/**
 * How a key reaches the verifier without reaching a report:
 *
 * 1. The scan runs with `onKey` (EngineOptions): the engine hands each real Lumenfall key it
 *    finds, with its fingerprint, to `collect`, which keeps one key per fingerprint in a Map in
 *    memory. Worker threads send theirs back in their result message (scanning/parallel.ts).
 * 2. When the scan is done, only the keys behind a reported finding are kept — suppressed,
 *    baselined and placeholder matches are never sent anywhere — and every other key is dropped.
 * 3. `verifyKeys` sends each once; its answer is keyed by fingerprint, and the keys are dropped.
 * 4. Findings get `verified` by fingerprint. They never held the key, so no reporter can print it.
 */
export interface KeyVerifier {
  /** EngineOptions.onKey for the scan. */
  collect(key: string, fingerprint: string): void;
  /** Verifies the reported keys, marks the findings, and forgets every key. */
  finish(run: ScanRun, onlyLive: boolean): Promise<ScanRun>;
  /** Forgets every key (a scan that failed). */
  discard(): void;
}

/** Checks the endpoint first, so a refused override is a usage error before anything is read. */
export function createKeyVerifier(env: NodeJS.ProcessEnv, tuning: Partial<VerifyTuning> = {}): KeyVerifier {
  const endpoint: VerifyEndpoint = verifyEndpoint(env);
  const keys = new Map<string, string>();
  return {
    collect(key, fingerprint) {
      if (!keys.has(fingerprint)) keys.set(fingerprint, key);
    },
    async finish(run, onlyLive) {
      const reported = new Map<string, string>();
      for (const fingerprint of reportedFingerprints(run.result.findings)) {
        const key = keys.get(fingerprint);
        if (key !== undefined) reported.set(fingerprint, key);
      }
      keys.clear();
      const verdicts = await verifyKeys(reported, endpoint, tuning).finally(() => reported.clear());
      const warnings: Warning[] = [];
      const warned = new Set<string>();
      for (const finding of run.result.findings) {
        if (finding.secret?.partial && !finding.placeholder) {
          // A fragment is never sent: asking about it would call a live key revoked.
          finding.verified = "unknown";
          if (!warned.has(finding.secret.fingerprint)) {
            warned.add(finding.secret.fingerprint);
            warnings.push({ code: "verify-partial", message: `--verify: could not verify ${dashboardName(finding.secret)}: partial key (it goes on past a line break or a string at ${finding.file}:${finding.line}, and only part of it was found); treat it as live and revoke it` });
          }
          continue;
        }
        const verification = finding.secret ? verdicts.get(finding.secret.fingerprint) : undefined;
        if (!verification || !finding.secret) continue;
        finding.verified = verification.verdict;
        if (verification.verdict === "unknown" && !warned.has(finding.secret.fingerprint)) {
          warned.add(finding.secret.fingerprint);
          warnings.push({ code: "verify-unknown", message: `--verify: could not tell whether ${dashboardName(finding.secret)} is live (${verification.detail ?? "no answer"}); treat it as live and revoke it` });
        }
      }
      return onlyLive ? keepLive(run, warnings) : withWarnings(run, warnings);
    },
    discard() {
      keys.clear();
    },
  };
}

/** As the dashboard lists it — not the redacted form, which stderr's key scrubbing would blur. */
function dashboardName(secret: SecretInfo): string {
  if (secret.partial) return secret.keyId === null ? "a dotless key" : `key id ${secret.keyId}`;
  return secret.keyId === null ? `the dotless key ending ${secret.lastFour}` : `key id ${secret.keyId} (last four ${secret.lastFour})`;
}

/** Real keys in the report: placeholders (`--include-placeholders`) are never sent. */
function reportedFingerprints(findings: readonly Finding[]): Set<string> {
  return new Set(findings.flatMap((finding) => (finding.secret && !finding.placeholder ? [finding.secret.fingerprint] : [])));
}

/**
 * `--only-live`, failing closed: a finding is left out only when its key was verified not live
 * (`revoked`: 401/403), or when it has no key (an unignored `.env` file). A key that could not
 * be verified (`unknown`: the API unreachable, a timeout, a 5xx, a partial key) is kept, as if
 * it were live — an outage must never pass a gate — and a warning says how many were kept so.
 */
function keepLive(run: ScanRun, warnings: Warning[]): ScanRun {
  const kept = (finding: Finding) => finding.verified === "live" || (finding.secret !== undefined && !finding.placeholder && finding.verified !== "revoked");
  const dropped = run.result.findings.filter((finding) => !kept(finding)).length;
  const unverified = run.result.findings.filter((finding) => kept(finding) && finding.verified !== "live");
  const partial = unverified.filter((finding) => finding.secret?.partial).length;
  const partialNote = partial > 0 ? `; ${partial} of them partial keys, which cannot be verified` : "";
  if (unverified.length > 0) {
    warnings.push({ code: "only-live-unverified", message: `--only-live: ${unverified.length} finding(s) kept because their key could not be verified (treated as live${partialNote})` });
  }
  if (dropped > 0) warnings.push({ code: "only-live", message: `--only-live: ${dropped} finding(s) not shown (key verified revoked, or no key)` });
  const out = withWarnings(run, warnings);
  return { ...out, placed: run.placed.filter((place) => kept(place.finding)), result: { ...out.result, findings: run.result.findings.filter(kept) } };
}

function withWarnings(run: ScanRun, warnings: Warning[]): ScanRun {
  return warnings.length === 0 ? run : { ...run, result: { ...run.result, warnings: [...run.result.warnings, ...warnings] } };
}
