import { join } from "node:path";
import type { EngineFinding } from "../engine/apply-rules.js";
import type { StagedBlob } from "../git/list-staged.js";
import { readBlobsQuickly } from "../git/read-blobs.js";
import type { ScannedFile } from "../scanning/file-sink.js";
import type { ScanSession } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";

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
  // HEAD's blob is gone (a damaged or partial repository): nothing is known to be old.
  const counts = await keyCountsOf(candidates.map(({ scanned, blob }) => ({ name: blob.headOid!, file: scanned.file })), root, env, session);
  candidates.forEach(({ scanned }, index) => {
    const head = counts[index];
    if (!head) return;
    const staged = countOf(scanned.outcome.fingerprints);
    scanned.outcome.findings = scanned.outcome.findings.map((finding) => {
      const fingerprint = finding.secret?.fingerprint;
      if (!isKeyFinding(finding) || fingerprint === undefined) return finding;
      return (head.get(fingerprint) ?? 0) >= (staged.get(fingerprint) ?? 0) ? { ...finding, ...ALREADY_COMMITTED } : finding;
    });
  });
}

/**
 * A push is judged as a commit is, on the keys it brings (`scan --pre-push`, `scan
 * --pre-receive`): a key that the receiving side already has in the same file is reported as
 * already there, at low severity, with the advice to revoke it (the `key-in-history` rule,
 * message `alreadyPushed`), not as a new leak — otherwise every later edit of the file would
 * need a bypass. What the receiving side has is read at the walk's boundary: each commit it
 * has whose child is pushed (`git rev-list --boundary`), the version HEAD is for a commit.
 * Unlike a commit's copies, a second copy of a key the file already holds there adds nothing
 * the remote lacks: it counts as already there.
 */
export const ALREADY_PUSHED = { ruleId: "key-in-history", messageId: "alreadyPushed", severity: "low" } as const;

/** At most this many `<commit>:<path>` versions are read; beyond it nothing counts as already there (the findings stay as they are). */
export const MAX_BOUNDARY_LOOKUPS = 2000;

/**
 * The key fingerprints that the versions of `paths` (from the repository root) at the
 * `boundary` commits hold, by path. A path that no boundary commit has, a name git cannot
 * address on one line, or a lookup beyond {@link MAX_BOUNDARY_LOOKUPS}, holds none.
 */
export async function keysAlreadyThere(paths: readonly string[], boundary: readonly string[], root: string, env: NodeJS.ProcessEnv, session: ScanSession): Promise<Map<string, Set<string>>> {
  const wanted = paths.filter((path) => !/[\n\r]/.test(path)).flatMap((path) => boundary.map((commit) => ({ path, name: `${commit}:${path}` })));
  const found = new Map<string, Set<string>>();
  if (wanted.length === 0 || wanted.length > MAX_BOUNDARY_LOOKUPS) return found;
  const counts = await keyCountsOf(
    wanted.map(({ path, name }) => ({ name, file: { path, kind: "history" as const, absPath: join(root, path), repoPath: path } })),
    root,
    env,
    session,
  );
  wanted.forEach(({ path }, index) => {
    const held = counts[index];
    if (!held) return;
    const set = found.get(path) ?? new Set<string>();
    for (const fingerprint of held.keys()) set.add(fingerprint);
    found.set(path, set);
  });
  return found;
}

/**
 * Reads the objects `items` name as git names them (`<oid>`, `<commit>:<path>`) through one `git
 * cat-file --batch`, runs each through the engine aside (never into the report) as its `file`,
 * and returns how often each key fingerprint occurs in it — null for one git does not have or
 * that is not a blob. An archive's members are counted together.
 */
async function keyCountsOf(items: ReadonlyArray<{ name: string; file: SourceFile }>, root: string, env: NodeJS.ProcessEnv, session: ScanSession): Promise<Array<Map<string, number> | null>> {
  const counts: Array<Map<string, number> | null> = items.map(() => null);
  let next = 0;
  await readBlobsQuickly(items.map((item) => item.name), root, env, {
    begin: (_oid, _size, type) => {
      const index = next++;
      if (type !== "blob") return () => undefined;
      counts[index] = new Map();
      const sink = session.openAside(items[index]!.file, (scanned) => {
        const into = counts[index]!;
        for (const [fingerprint, count] of countOf(scanned.outcome.fingerprints)) into.set(fingerprint, (into.get(fingerprint) ?? 0) + count);
      });
      return (chunk, final) => sink.push(chunk, final);
    },
    missing: () => void next++,
  });
  await session.settle();
  return counts;
}

function isKeyFinding(finding: EngineFinding): boolean {
  return finding.ruleId === KEY_RULE && finding.secret !== undefined && finding.placeholder === undefined;
}

function countOf(fingerprints: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const fingerprint of fingerprints) counts.set(fingerprint, (counts.get(fingerprint) ?? 0) + 1);
  return counts;
}
