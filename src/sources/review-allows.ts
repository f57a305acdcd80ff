import { relative, resolve } from "node:path";
import { ScanError } from "../errors.js";
import { readFilesAtCommit } from "../git/read-at-commit.js";
import type { ScanSession } from "../scanning/session.js";
import type { Finding, Severity, Suppression } from "../types.js";
import { toPosix } from "./paths.js";

/**
 * A change under review cannot quietly allow its own key either. `lumenguard-allow` is written
 * next to the key it hides, so a pull request that adds a key can add the marker with it, and
 * the check that reviews it would pass in silence. The marker still counts — it is how a team
 * accepts a test fixture — but in `ci` for a pull request, merge request or merge queue entry,
 * every inline suppression that the base commit does not already have (the same key, or the
 * same rule where no key is involved, allowed in the same file) is shown to the reviewer as an
 * `info` finding of `scan-settings-changed` at the place it hides, with the reason the marker
 * gives — beside the configuration and baseline changes the same rule reports.
 */
export interface ReviewAllowsInput {
  /** The repository root. */
  root: string;
  /** The commit the change is proposed against (full object id). */
  base: string;
  /** What the suppressions' paths are relative to. */
  displayRoot: string;
  env: NodeJS.ProcessEnv;
  /** The suppressions of the change's scan (working tree first, then its commits). */
  suppressed: readonly Suppression[];
  /** Runs the engine on the base's version of a file (its outcome goes aside, never into the report). */
  session: ScanSession;
  /** The base's setting for `scan-settings-changed` (`off`: nothing is reported). */
  severity: Severity | "off";
}

/** The inline suppressions the change adds, as `scan-settings-changed` findings (message `inlineAllow`), one per place. */
export async function inlineAllowsAdded(input: ReviewAllowsInput): Promise<Finding[]> {
  if (input.severity === "off") return [];
  const inline = new Map<string, Suppression>();
  for (const suppression of input.suppressed) {
    const key = identity(suppression);
    if (suppression.by === "inline" && !inline.has(key)) inline.set(key, suppression);
  }
  if (inline.size === 0) return [];
  const inBase = await baseSuppressions(input, [...new Set([...inline.values()].map((suppression) => suppression.file))]);
  const findings: Finding[] = [];
  for (const [key, suppression] of inline) {
    if (!inBase.has(key)) findings.push(findingOf(suppression, input));
  }
  return findings;
}

/** One suppression as the same key (or rule) allowed in the same file: lines move between base and head. */
function identity(suppression: Suppression): string {
  return `${suppression.file}\u0000${suppression.fingerprint ?? suppression.ruleId}`;
}

/**
 * The identities of the inline suppressions the base's versions of `files` have. A file the base
 * lacks, or holds too large to read here, or that a partial clone lacks, has none: every
 * suppression in it is shown (the reviewer sees more, never less).
 */
async function baseSuppressions(input: ReviewAllowsInput, files: string[]): Promise<Set<string>> {
  const repoPaths = new Map(files.map((file) => [file, repoPathOf(input.root, resolve(input.displayRoot, file))]));
  const asked = [...new Set([...repoPaths.values()].filter((path): path is string => path !== null))];
  const contents = await readEach(input, asked);
  const found = new Set<string>();
  for (const [file, repoPath] of repoPaths) {
    const content = repoPath === null ? null : contents.get(repoPath);
    if (!content) continue;
    const sink = input.session.openAside({ path: file, kind: "tracked", absPath: resolve(input.displayRoot, file), repoPath: repoPath! }, (scanned) => {
      for (const suppression of scanned.outcome.suppressed) if (suppression.by === "inline") found.add(identity(suppression));
    });
    sink.push(content, true);
  }
  await input.session.settle();
  return found;
}

/** The base's versions of `paths`, in one read; where a partial clone lacks one, each on its own (the missing ones as null). */
async function readEach(input: ReviewAllowsInput, paths: string[]): Promise<Map<string, Buffer | null>> {
  const read = (asked: string[]) => readFilesAtCommit(input.base, asked, input.root, input.env, input.session.resolved.limits.fileBytes);
  try {
    return await read(paths);
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
  }
  const contents = new Map<string, Buffer | null>();
  for (const path of paths) {
    try {
      contents.set(path, (await read([path])).get(path) ?? null);
    } catch (error) {
      if (!(error instanceof ScanError)) throw error;
      contents.set(path, null);
    }
  }
  return contents;
}

function findingOf(suppression: Suppression, input: ReviewAllowsInput): Finding {
  const finding: Finding = {
    ruleId: "scan-settings-changed",
    severity: input.severity as Severity,
    messageId: "inlineAllow",
    data: { rule: suppression.ruleId, reason: suppression.reason ?? "no reason given", base: input.base.slice(0, 12) },
    file: suppression.file,
    line: suppression.line,
    column: suppression.column,
    endLine: suppression.line,
    endColumn: suppression.column,
    source: "worktree",
  };
  const repoPath = repoPathOf(input.root, resolve(input.displayRoot, suppression.file));
  if (repoPath !== null) finding.repoPath = repoPath;
  return finding;
}

function repoPathOf(root: string, file: string): string | null {
  const rel = relative(root, file);
  return rel === "" || rel.startsWith("..") ? null : toPosix(rel);
}
