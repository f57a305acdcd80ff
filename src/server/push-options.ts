/**
 * A pusher's request to let findings through, as GitHub push protection lets a pusher bypass a
 * block with a reason: `git push -o lumenguard.allow=<fingerprint prefix> -o
 * lumenguard.reason="…"`. git hands push options to the pre-receive hook as
 * GIT_PUSH_OPTION_COUNT and GIT_PUSH_OPTION_<i> when the server sets
 * `receive.advertisePushOptions` (https://git-scm.com/docs/githooks#pre-receive).
 *
 * A prefix is at least {@link MIN_PREFIX} hex digits of a finding's fingerprint (the SHA-256 of
 * the key the rejection names): short enough to type, long enough that it cannot name another
 * key by chance. Several `lumenguard.allow` options name several keys; one reason covers them.
 */
export interface BypassRequest {
  /** Lower-case hex prefixes, as given (validated). */
  allow: string[];
  /** The pusher's reason, or null when none was given. */
  reason: string | null;
  /** What was wrong with the options (a short prefix, an unknown lumenguard.* option). */
  problems: string[];
  /** Any `lumenguard.allow` or `lumenguard.reason` was given, valid or not: the pusher asked for a bypass. */
  requested: boolean;
}

export const MIN_PREFIX = 12;
/** Longer reasons are cut: an audit log entry is for a sentence, not a file. */
export const MAX_REASON = 500;

export function readBypassRequest(env: NodeJS.ProcessEnv): BypassRequest {
  const request: BypassRequest = { allow: [], reason: null, problems: [], requested: false };
  const count = Number(env["GIT_PUSH_OPTION_COUNT"] ?? "0");
  if (!Number.isInteger(count) || count < 0) return request;
  // git caps push options by size; this caps how many are read, whatever the environment says.
  for (let index = 0; index < Math.min(count, 100); index++) {
    const option = env[`GIT_PUSH_OPTION_${index}`] ?? "";
    const equals = option.indexOf("=");
    const name = equals === -1 ? option : option.slice(0, equals);
    const value = equals === -1 ? "" : option.slice(equals + 1);
    if (name === "lumenguard.allow" || name === "lumenguard.reason") request.requested = true;
    if (name === "lumenguard.allow") {
      const prefix = value.trim().toLowerCase();
      if (/^[0-9a-f]+$/.test(prefix) && prefix.length >= MIN_PREFIX && prefix.length <= 64) request.allow.push(prefix);
      else request.problems.push(`lumenguard.allow=${value.slice(0, 80)} is not a fingerprint prefix (${MIN_PREFIX} to 64 hex digits, as the rejection shows them)`);
    } else if (name === "lumenguard.reason") {
      const reason = value.trim();
      if (reason !== "") request.reason = reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason;
    } else if (name.startsWith("lumenguard.")) {
      request.problems.push(`${name.slice(0, 80)} is not a lumenguard push option (lumenguard.allow, lumenguard.reason)`);
    }
  }
  return request;
}
