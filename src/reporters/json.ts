import { findingMessage } from "./render.js";
import type { Reporter } from "./types.js";

/**
 * The stable, versioned JSON report: `{ version: 1, mode, findings, warnings, suppressed, stats }`.
 * Each finding carries its rendered `message` beside the `messageId` and `data` it was made
 * from, so readers of the JSON need no rule registry. schema/report.schema.json is its JSON
 * Schema (`lumenguard merge` checks its inputs with it).
 *
 * The report of one shard of a sharded scan (`--shard I/N`) has more, for `lumenguard merge`
 * and nothing else (types in src/types.ts):
 * - `shard`: `{ index, total, scan, crossFile, overCapByFile }` — which shard (1-based) of how
 *   many; `scan` identifies the whole scan (mode, revisions, paths, a SHA-256 of the settings,
 *   HEAD, the walk's commit count, first and last commit, and a SHA-256 of every object id or
 *   path every shard chose from); `crossFile` holds what the rules that decide across files kept
 *   from this shard's files (`{ rules: [{ ruleId, severity, options }], facts: [{ ruleId, file:
 *   { path, kind, repoPath?, baselinePath? }, commitIndex?, item }], baseline }`: report paths,
 *   environments, key positions, fingerprints and redacted forms — never a key); `overCapByFile`
 *   counts findings beyond the per-file cap, by file;
 * - history findings (and baseline-accepted entries of `suppressed`) carry `commitIndex`: the
 *   0-based position of their commit in the whole scan's walk (oldest first).
 */
export const jsonReporter: Reporter = (result, context) =>
  `${JSON.stringify(
    {
      version: result.version,
      mode: result.mode,
      findings: result.findings.map((finding) => {
        const { ruleId, severity, messageId, data, ...rest } = finding;
        return { ruleId, severity, message: findingMessage(finding, context), messageId, data, ...rest };
      }),
      warnings: result.warnings,
      suppressed: result.suppressed,
      stats: result.stats,
      ...(result.shard ? { shard: result.shard } : {}),
    },
    null,
    2,
  )}\n`;
