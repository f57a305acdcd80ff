import { scanCi } from "./modes/ci.js";
import { scanPack } from "./modes/pack.js";
import { scanHistory, type HistoryProgress } from "./modes/history.js";
import { scanPrePush } from "./modes/pre-push.js";
import { scanStaged } from "./modes/staged.js";
import { scanWorktree, type WorktreeOptions } from "./modes/worktree.js";
import type { ScanRun } from "./scanning/session.js";
import type { ScanResult } from "./types.js";
import { createKeyVerifier } from "./verify/verify-findings.js";
import type { VerifyTuning } from "./verify/verify-keys.js";

/**
 * One scan, from options to a result: config, sources, engine, suppression. Reads files and
 * runs git, but prints nothing and never touches `process` — the CLI does that.
 */
export interface ScanOptions extends Omit<WorktreeOptions, "onKey"> {
  /** Scan what is staged for the next commit instead of the working tree (SPEC §3.2). */
  staged?: boolean;
  /** Scan git history (SPEC §3.3): every ref, or `revisions` (e.g. `["A..B"]`). */
  history?: boolean;
  revisions?: string[];
  /** Scan the commits being pushed; `prePushRefs` is the pre-push hook's standard input. */
  prePush?: boolean;
  prePushRefs?: string;
  /** The working tree plus the commits of the CI run's pull request or push (`lumenguard ci`). */
  ci?: boolean;
  /** With `ci`: `A..B` instead of the range the CI environment gives. */
  range?: string;
  /** Scan exactly the files `npm pack --dry-run` lists for the package in the path given, or cwd (SPEC §8). */
  pack?: boolean;
  onProgress?: (progress: HistoryProgress) => void;
  /**
   * Ask the Lumenfall API whether each reported key is still live (SPEC §8 `--verify`; network,
   * opt-in): sets `finding.verified`. An object tunes timeout and retries (tests).
   */
  verify?: boolean | Partial<VerifyTuning>;
  /** Keep only findings whose key verified live; implies `verify`. */
  onlyLive?: boolean;
}

export type { ScanRun };
export { configuredBaseline, compareFindings } from "./scanning/session.js";

export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  return (await runScan(options)).result;
}

export async function runScan(options: ScanOptions): Promise<ScanRun> {
  if (!options.verify && !options.onlyLive) return runMode(options);
  // The engine hands keys to the verifier, never to the result (src/verify/verify-findings.ts).
  const verifier = createKeyVerifier(options.env ?? process.env, typeof options.verify === "object" ? options.verify : {});
  try {
    const run = await runMode({ ...options, onKey: (key, fingerprint) => verifier.collect(key, fingerprint) });
    return await verifier.finish(run, options.onlyLive ?? false);
  } finally {
    verifier.discard();
  }
}

function runMode(options: ScanOptions & Pick<WorktreeOptions, "onKey">): Promise<ScanRun> {
  if (options.staged) return scanStaged(options);
  if (options.prePush) return scanPrePush({ ...options, refs: options.prePushRefs ?? "" });
  if (options.history) return scanHistory(options);
  if (options.ci) return scanCi(options);
  if (options.pack) return scanPack(options);
  return scanWorktree(options);
}
