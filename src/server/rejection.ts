import { printable } from "../reporters/printable.js";
import { COMMIT_HEADER_PATH, COMMIT_MESSAGE_PATH, REF_NAME_PATH } from "../sources/history.js";
import type { Finding } from "../types.js";
import { MIN_PREFIX } from "./push-options.js";

/**
 * What a pusher reads when the server turns a push away (git shows a hook's output prefixed
 * with `remote:`): per key, its dashboard identity (key id and last four) and fingerprint
 * prefix, every file and commit that holds it, the revoke link; then how to take the key out of
 * the commits, and — where the server allows it — how to push anyway with a reason. Every
 * string that came with the push (file names, authors) is scrubbed of keys and has its
 * control characters shown as escapes, so a crafted name cannot rewrite the pusher's terminal.
 */
export interface RejectionInput {
  findings: readonly Finding[];
  revokeUrl: (finding: Finding) => string | null;
  allowBypass: boolean;
  /** Fingerprints the push options let through (shown as allowed). */
  allowed: ReadonlySet<string>;
  /** Why the push options did not let everything through, if they were given. */
  bypassProblems: readonly string[];
  /** The pusher asked for a bypass and it was refused: the message says so first. */
  bypassRefused?: boolean;
  contact: string | null;
  /**
   * The server's `inlineAllow` setting: findings that carry `inlineAllow` (a `lumenguard-allow`
   * comment covers them) are marked, and the message says why the comment did not count — the
   * server does not honour such comments, or (when it does) they could not be recorded.
   */
  inlineAllowSetting?: boolean;
}

export function rejectionMessage(input: RejectionInput): string {
  const byKey = groupByKey(input.findings);
  // Every group blocks the push: one named by lumenguard.allow still does while the bypass is refused.
  const groups = [...byKey.values()];
  const keyCount = groups.filter((group) => group.findings[0]!.secret).length;
  const what = keyCount === groups.length ? (keyCount === 1 ? "a key" : `${keyCount} keys`) : `${groups.length} findings`;
  const headline = input.bypassRefused ? "push rejected, bypass refused" : "push rejected";
  const lines = [`lumenguard: ${headline}: ${what} in the commits of this push (server-side push protection)`];
  if (input.bypassRefused) for (const problem of input.bypassProblems) lines.push(`lumenguard: bypass refused: ${safe(problem)}`);
  lines.push("");
  for (const group of groups) {
    const first = group.findings[0]!;
    const identity = first.secret ? describeKey(first) : `${first.ruleId} (no key to name)`;
    const status = input.allowed.has(group.fingerprint) ? "  [named by lumenguard.allow]" : "";
    lines.push(`  ${identity}${status}`);
    for (const finding of group.findings) lines.push(`    ${place(finding)}  ${finding.ruleId}${finding.inlineAllow ? "  [lumenguard-allow comment not honoured]" : ""}`);
    const url = input.revokeUrl(first);
    if (first.secret && url) lines.push(`    Revoke it at ${url}: it has left the pusher's machine; this rejection only keeps it off the server.`);
    lines.push("");
  }
  lines.push(
    "To take a key out of the commits (every commit that holds it), then push again:",
    "  - in the last commit: remove it from the file, git add the file, git commit --amend",
    "  - in an earlier commit: git rebase -i <commit>^, mark the commit \"edit\", remove the key,",
    "    git add the file, git commit --amend, git rebase --continue",
    "  - in a commit message: git commit --amend (the last commit), or git rebase -i and \"reword\"",
    "  - in an author or committer: git commit --amend --reset-author --no-edit (or git rebase -i with \"exec git commit --amend --reset-author --no-edit\")",
    "  - in a branch or tag name, or an annotated tag: rename the branch (git branch -m), or delete and recreate the tag",
  );
  if (input.findings.some((finding) => finding.inlineAllow !== undefined) && !input.inlineAllowSetting) {
    lines.push(
      "A lumenguard-allow comment in a pushed file does not let a finding through on this server: what passes is the server's decision",
      "(its administrator can honour such comments with \"inlineAllow\": true in lumenguard-server.json).",
    );
  }
  const keyed = groups.filter((group) => group.findings[0]!.secret);
  if (input.allowBypass && keyed.length > 0) {
    const options = keyed.map((group) => `-o lumenguard.allow=${group.fingerprint.slice(0, MIN_PREFIX)}`).join(" ");
    lines.push("If a finding is not a real key (a test fixture, a false positive), push again with a reason; the bypass is recorded:", `  git push ${options} -o lumenguard.reason="<why>" ...`);
  } else if (!input.allowBypass) {
    lines.push("This server does not allow pushing past its findings.");
  }
  if (!input.bypassRefused) for (const problem of input.bypassProblems) lines.push(`lumenguard: ${safe(problem)}`);
  if (input.contact) lines.push(`Questions: ${safe(input.contact)}`);
  return `${lines.join("\n")}\n`;
}

interface KeyGroup {
  fingerprint: string;
  findings: Finding[];
}

/** Findings by key (fingerprint); findings without a key each on their own. */
export function groupByKey(findings: readonly Finding[]): Map<string, KeyGroup> {
  const groups = new Map<string, KeyGroup>();
  findings.forEach((finding, index) => {
    const fingerprint = finding.secret?.fingerprint ?? `finding-${index}`;
    const group = groups.get(fingerprint) ?? { fingerprint, findings: [] };
    group.findings.push(finding);
    groups.set(fingerprint, group);
  });
  return groups;
}

function describeKey(finding: Finding): string {
  const secret = finding.secret!;
  const who = secret.keyId === null ? `last four ${secret.lastFour}` : `key id ${secret.keyId}, last four ${secret.lastFour}`;
  return `key ${secret.redacted} (${who}) · fingerprint ${secret.fingerprint.slice(0, MIN_PREFIX)}`;
}

function place(finding: Finding): string {
  const where =
    finding.file === COMMIT_MESSAGE_PATH
      ? "the commit message"
      : finding.file === COMMIT_HEADER_PATH
        ? `the commit's author, committer or another header (line ${finding.line})`
        : finding.file === REF_NAME_PATH
          ? "the name of a ref being pushed"
          : `${safe(finding.file)}:${finding.line}:${finding.column}`;
  const commit = finding.commit ? ` in commit ${finding.commit.sha.slice(0, 12)} (${safe(finding.commit.author)}, ${finding.commit.date.slice(0, 10)})` : "";
  return `${where}${commit}`;
}

/** Text that came with the push, safe to print: no key, no control character (the reports' own rule). */
export function safe(text: string): string {
  return printable(text);
}
