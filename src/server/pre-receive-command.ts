import { ConfigError, exitCodeOf } from "../errors.js";
import type { CliIO } from "../cli/io.js";
import { runScan } from "../scan.js";
import { atOrAbove, unjudged } from "../severity.js";
import { parseRefUpdates } from "../sources/pre-receive.js";
import type { Finding } from "../types.js";
import { LFS_POINTER_ONLY } from "../sources/lfs-content.js";
import { appendAuditEntry, type AuditEntry } from "./audit-log.js";
import { readBypassRequest, type BypassRequest } from "./push-options.js";
import { messages } from "../cli/messages.js";
import { rejectionMessage } from "./rejection.js";
import { loadServerConfig, type ServerConfig } from "./server-config.js";

/**
 * `lumenguard scan --pre-receive`: server-side push protection, run by git as the receiving
 * repository's pre-receive hook. It scans the commits that are new to the server, and:
 *
 * - accepts the push (exit 0) when nothing reaches the failing severity;
 * - rejects it (exit 1) with what the pusher needs to act, and records the rejection;
 * - accepts it when every blocking finding's key is named by a `lumenguard.allow` push option
 *   with a `lumenguard.reason`, the server allows bypasses, and the bypass is recorded in the
 *   audit log (a bypass that cannot be recorded is refused);
 * - when the time budget runs out, rejects (the default) or accepts as the server's settings say;
 * - rejects when it cannot scan (exit 3): a hook that cannot look fails closed.
 *
 * Only the server's own settings are read (src/server/server-config.ts); the pushed
 * repository's lumenguard.config.json and baseline are the pusher's and are never looked at,
 * and a `lumenguard-allow` comment in a pushed file lets nothing through unless the server's
 * settings say so (`inlineAllow`), each such finding then recorded in the audit log.
 * Without that setting, the rejection says which findings carry a comment it did not honour.
 */
export interface PreReceiveFlags {
  "server-config"?: string;
}

export async function preReceiveCommand(paths: string[], flags: PreReceiveFlags, io: CliIO): Promise<number> {
  const say = (text: string) => io.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  if (paths.length > 0) {
    say(messages.preReceiveNoPaths(paths[0]!));
    return 2;
  }
  let server: ServerConfig;
  try {
    server = loadServerConfig(flags["server-config"], io.cwd);
  } catch (error) {
    say(messages.preReceiveMisconfigured((error as Error).message));
    return error instanceof ConfigError ? 2 : 3;
  }
  const input = await readAll(io.stdin);
  const { updates } = parseRefUpdates(input);
  const refs = updates.map((update) => update.ref);
  const audit = (entry: Omit<AuditEntry, "time" | "repository" | "pusher" | "refs">) =>
    appendAuditEntry(server.auditLog, { time: new Date().toISOString(), repository: io.cwd, pusher: pusherOf(io.env), refs, ...entry });

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new BudgetSpent(server.budgetMs)), server.budgetMs);
  let outcome: Awaited<ReturnType<typeof runScan>>;
  try {
    outcome = await runScan({
      mode: { kind: "pre-receive", updates: input, signal: controller.signal, acceptedRefs: server.acceptedRefs, ...(server.lfs !== null ? { lfs: server.lfs } : {}) },
      cwd: io.cwd,
      env: io.env,
      ...(server.config !== null ? { configFile: server.config } : { config: {} }),
    });
  } catch (error) {
    if (error instanceof BudgetSpent) return overrun(server, error, audit, say);
    say(messages.preReceiveScanFailed((error as Error).message, server.contact));
    return exitCodeOf(error) === 2 ? 2 : 3;
  } finally {
    clearTimeout(timer);
  }
  const { result, resolved } = outcome;
  for (const warning of result.warnings) say(messages.warning(warning.message));
  if (unjudged(result).length > 0) {
    say(messages.preReceiveUnreadable(server.contact));
    return 3;
  }
  // A lumenguard-allow comment is the pusher's own word: it lets a finding through only where the
  // server's settings say so (inlineAllow), and only once it is recorded in the audit log.
  const inline = server.inlineAllow ? result.findings.filter((finding) => finding.inlineAllow !== undefined) : [];
  const blocks = (finding: Finding) => atOrAbove(finding.severity, resolved.failOn);
  const blocking = result.findings.filter((finding) => blocks(finding) && !inline.includes(finding));
  // The report goes to standard output, as every report does; git forwards it to the pusher too.
  const report = (text: string) => io.stdout.write(text);
  const message = (findings: readonly Finding[], allowed: ReadonlySet<string>, problems: string[], refused = true) =>
    rejectionMessage({
      findings,
      revokeUrl: (finding) => resolved.ruleMeta(finding.ruleId)?.revokeUrl ?? null,
      allowBypass: server.allowBypass,
      allowed,
      bypassProblems: problems,
      bypassRefused: refused,
      contact: server.contact,
      inlineAllowSetting: server.inlineAllow,
    });
  // LFS files whose content the server does not scan ("lfs": "pointer-only"): accepted, and recorded.
  const pointerOnly = result.warnings.filter((warning) => warning.code === LFS_POINTER_ONLY && warning.file !== undefined);
  /**
   * Records what a push is let through with besides a bypass — findings allowed inline, LFS files
   * taken on their pointer — before it is accepted; when that fails, the push is rejected.
   */
  const recordLetThrough = async (): Promise<boolean> => {
    if (inline.length > 0) {
      try {
        await audit({ decision: "inline-allowed", findings: auditFindings(inline) });
      } catch (error) {
        const unrecorded = inline.filter(blocks);
        if (unrecorded.length > 0) {
          report(message([...blocking, ...unrecorded], new Set(), [messages.inlineAllowUnrecorded((error as Error).message)], false));
          return false;
        }
      }
    }
    if (pointerOnly.length > 0) {
      try {
        await audit({ decision: "lfs-pointer-only", findings: pointerOnly.map((warning) => ({ fingerprint: "", ruleId: LFS_POINTER_ONLY, file: warning.file! })) });
      } catch (error) {
        say(messages.preReceiveLfsUnrecorded((error as Error).message, server.contact));
        return false;
      }
    }
    return true;
  };
  // Keys the server already had in those files: not this push's doing, but leaked all the same.
  const alreadyThere = result.findings.filter((finding) => finding.messageId === "alreadyPushed" && finding.secret !== undefined && !blocking.includes(finding));
  if (alreadyThere.length > 0) say(messages.preReceiveAlreadyThere(alreadyThere.map((finding) => `${finding.file}: key ${finding.secret!.redacted}`), resolved.ruleMeta(alreadyThere[0]!.ruleId)?.revokeUrl ?? null));
  if (blocking.length === 0) {
    if (!(await recordLetThrough())) return 1;
    say(inline.length > 0 ? messages.preReceiveInlineAllowed(result.stats.commits ?? 0, inline.length) : messages.preReceiveClean(result.stats.commits ?? 0, alreadyThere.length));
    return 0;
  }
  const request = readBypassRequest(io.env);
  const decision = decideBypass(blocking, request, server);
  const recorded = auditFindings(blocking);
  if (decision.kind === "bypassed") {
    if (!(await recordLetThrough())) return 1;
    try {
      await audit({ decision: "bypassed", reason: request.reason!, findings: recorded });
    } catch (error) {
      report(message(blocking, new Set(), [messages.bypassUnrecorded((error as Error).message)]));
      return 1;
    }
    say(messages.preReceiveBypassed(blocking.length));
    return 0;
  }
  await audit({ decision: decision.kind === "refused" ? "bypass-refused" : "rejected", findings: recorded, ...(request.reason !== null ? { reason: request.reason } : {}) }).catch((error: Error) =>
    say(messages.preReceiveRejectionUnrecorded(error.message)),
  );
  report(message(blocking, decision.allowed, decision.problems, decision.kind === "refused"));
  return 1;
}

/**
 * `rejected`: no bypass was asked for. `refused`: the pusher asked for one (any
 * `lumenguard.allow` or `lumenguard.reason`) and it does not let the push through — the server
 * forbids bypasses, the reason is missing, a prefix is malformed or a blocking key is not named.
 */
type Decision = { kind: "bypassed" } | { kind: "rejected" | "refused"; allowed: Set<string>; problems: string[] };

/** Whether the push options let every blocking finding through. */
function decideBypass(blocking: readonly Finding[], request: BypassRequest, server: ServerConfig): Decision {
  const problems = [...request.problems];
  if (!request.requested) return { kind: "rejected", allowed: new Set(), problems };
  if (!server.allowBypass) return { kind: "refused", allowed: new Set(), problems: [...problems, messages.bypassForbidden()] };
  if (request.allow.length === 0) return { kind: "refused", allowed: new Set(), problems: [...problems, messages.bypassNeedsAllow()] };
  const allowed = new Set<string>();
  for (const finding of blocking) {
    const fingerprint = finding.secret?.fingerprint;
    if (fingerprint !== undefined && request.allow.some((prefix) => fingerprint.startsWith(prefix))) allowed.add(fingerprint);
  }
  // A prefix that names nothing is said, but does not block what the others let through.
  for (const prefix of request.allow) {
    if (!blocking.some((finding) => finding.secret?.fingerprint.startsWith(prefix))) problems.push(messages.bypassNamesNothing(prefix));
  }
  if (request.reason === null) problems.push(messages.bypassNeedsReason());
  const uncovered = blocking.filter((finding) => finding.secret === undefined || !allowed.has(finding.secret.fingerprint));
  if (uncovered.length > 0) problems.push(messages.bypassUncovered(new Set(uncovered.map((finding) => finding.secret?.fingerprint ?? finding.ruleId)).size));
  return uncovered.length > 0 || request.reason === null ? { kind: "refused", allowed, problems } : { kind: "bypassed" };
}

function auditFindings(findings: readonly Finding[]): AuditEntry["findings"] {
  return findings.map((finding) => ({
    fingerprint: finding.secret?.fingerprint ?? "",
    ruleId: finding.ruleId,
    file: finding.file,
    ...(finding.commit ? { commit: finding.commit.sha } : {}),
    ...(finding.inlineAllow?.reason !== undefined ? { reason: finding.inlineAllow.reason } : {}),
  }));
}

/** The time budget ran out: the server's setting decides, and the decision is recorded. */
async function overrun(server: ServerConfig, spent: BudgetSpent, audit: (entry: Omit<AuditEntry, "time" | "repository" | "pusher" | "refs">) => Promise<string>, say: (text: string) => void): Promise<number> {
  const accept = server.onTimeout === "accept";
  await audit({ decision: accept ? "timeout-accepted" : "timeout-rejected", findings: [] }).catch((error: Error) => say(messages.preReceiveAuditUnwritable(error.message)));
  if (accept) {
    say(messages.preReceiveTimeoutAccepted(spent.seconds));
    return 0;
  }
  say(messages.preReceiveTimeoutRejected(spent.seconds, server.contact));
  return 1;
}

class BudgetSpent extends Error {
  readonly seconds: number;
  constructor(ms: number) {
    super(`the time budget of ${ms / 1000} s is spent`);
    this.seconds = ms / 1000;
  }
}

/** Who pushed, as the hosting server tells its hooks (GitLab, Gitea/Forgejo, GitHub Enterprise Server, git http-backend), else the system user. */
function pusherOf(env: NodeJS.ProcessEnv): string | null {
  return env["GL_USERNAME"] ?? env["GITEA_PUSHER_NAME"] ?? env["GITHUB_USER_LOGIN"] ?? env["REMOTE_USER"] ?? env["USER"] ?? null;
}

async function readAll(stdin: AsyncIterable<Uint8Array> | undefined): Promise<string> {
  if (!stdin) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
