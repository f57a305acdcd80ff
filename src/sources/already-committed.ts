import type { EngineFinding } from "../engine/apply-rules.js";
import type { StagedBlob } from "../git/list-staged.js";
import { readBlobsQuickly } from "../git/read-blobs.js";
import type { ScannedFile } from "../scanning/file-sink.js";
import type { ScanSession } from "../scanning/session.js";

/**
 * A commit is judged on the keys it adds. A key that HEAD already has in the same file is not
 * this commit's doing — blocking every later edit of the file would only teach `--no-verify` —
 * but it is leaked all the same: it is reported as already committed, at low severity, with the
 * advice to revoke it (the `key-in-history` rule, message `alreadyCommitted`).
 *
 * Counted per file and key: when the staged file holds a key more often than HEAD's version
 * does, the commit adds a copy, and every occurrence of it stays a `lumenfall-key` finding.
 * Only files with a key finding and a HEAD version cost anything (one `git cat-file`).
 */
export const ALREADY_COMMITTED = { ruleId: "key-in-history", messageId: "alreadyCommitted", severity: "low" } as const;

const KEY_RULE = "lumenfall-key";

export async function markAlreadyCommitted(results: ReadonlyArray<{ scanned: ScannedFile; blob: StagedBlob }>, root: string, env: NodeJS.ProcessEnv, session: ScanSession): Promise<void> {
  const candidates = results.filter(({ scanned, blob }) => blob.headOid !== null && scanned.outcome.findings.some(isKeyFinding));
  if (candidates.length === 0) return;
  const inHead = new Map<string, Map<string, number>>();
  let next = 0;
  await readBlobsQuickly(candidates.map(({ blob }) => blob.headOid!), root, env, {
    begin: () => {
      const { scanned, blob } = candidates[next++]!;
      const sink = session.openAside(scanned.file, (head) => void inHead.set(blob.path, countOf(head.outcome.fingerprints)));
      return (chunk, final) => sink.push(chunk, final);
    },
    // HEAD's blob is gone (a damaged or partial repository): nothing is known to be old.
    missing: () => void next++,
  });
  await session.settle();
  for (const { scanned, blob } of candidates) {
    const head = inHead.get(blob.path);
    if (!head) continue;
    const staged = countOf(scanned.outcome.fingerprints);
    scanned.outcome.findings = scanned.outcome.findings.map((finding) => {
      const fingerprint = finding.secret?.fingerprint;
      if (!isKeyFinding(finding) || fingerprint === undefined) return finding;
      return (head.get(fingerprint) ?? 0) >= (staged.get(fingerprint) ?? 0) ? { ...finding, ...ALREADY_COMMITTED } : finding;
    });
  }
}

function isKeyFinding(finding: EngineFinding): boolean {
  return finding.ruleId === KEY_RULE && finding.secret !== undefined && finding.placeholder === undefined;
}

function countOf(fingerprints: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const fingerprint of fingerprints) counts.set(fingerprint, (counts.get(fingerprint) ?? 0) + 1);
  return counts;
}
