import { spawnSync } from "node:child_process";
import { GIT_SAFETY_ARGS, gitEnv, throwIfNotTrusted } from "./run-git.js";

/**
 * What a remote has, in its own words: `git ls-remote <remote or URL>`
 * (https://git-scm.com/docs/git-ls-remote), run by a pre-push check right before the push's
 * own transfer. Remote-tracking refs are only a memory of an earlier fetch — git does not prune
 * them by default, so a branch deleted on the server lives on in `refs/remotes/<name>/*` — and
 * cannot stand for what the server has.
 *
 * Every other git command lumenguard runs has every transport off (GIT_SAFETY_ARGS in
 * run-git.ts). This one must reach the remote, so for it alone the transports a push itself
 * uses are allowed — `file`, `git`, `ssh`, `http`, `https` — and every other one stays off:
 * `ext::` (runs a command named in the URL), `fd::`, and remote helpers (`<helper>::<address>`).
 * The user's own settings for those transports apply (`core.sshCommand`, `credential.helper`,
 * `url.<base>.insteadOf`, proxies): the push that runs the hook uses them too, so asking the
 * same server once more with them is no worse than the push. `--upload-pack=git-upload-pack`
 * pins the program run for a local path or over ssh, so a `remote.<name>.uploadpack` setting
 * (a command line, run locally for a local path) is never run. No password prompt is shown
 * (GIT_TERMINAL_PROMPT=0), and the call gives up after {@link LS_REMOTE_TIMEOUT_MS}.
 */

/** How long ls-remote may take, in milliseconds, before the remote counts as unreachable. */
export const LS_REMOTE_TIMEOUT_MS = 60_000;

/** The remote's refs: ref name → object id (a peeled tag's `^{}` line is its own entry). */
export type RemoteRefs = { ok: true; refs: Map<string, string> } | { ok: false; reason: string };

const TRANSPORT_SETTINGS = [
  "protocol.allow=never",
  ...["file", "git", "ssh", "http", "https"].map((name) => `protocol.${name}.allow=always`),
  ...["ext", "fd"].map((name) => `protocol.${name}.allow=never`),
];

/** GIT_SAFETY_ARGS without its transport lines, then the ones above. */
function lsRemoteArgs(target: string): string[] {
  const kept: string[] = [];
  for (let index = 0; index < GIT_SAFETY_ARGS.length; index++) {
    const arg = GIT_SAFETY_ARGS[index]!;
    if (arg === "-c") {
      const setting = GIT_SAFETY_ARGS[index + 1]!;
      index++;
      if (/^(protocol\.|core\.sshCommand=|credential\.helper=|core\.askPass=)/.test(setting)) continue;
      kept.push("-c", setting);
    } else kept.push(arg);
  }
  return [...kept, ...TRANSPORT_SETTINGS.flatMap((setting) => ["-c", setting]), "ls-remote", "--upload-pack=git-upload-pack", target];
}

/**
 * Lists the refs of `target` (a remote's name or URL, as git passes a pre-push hook).
 * Never throws for an unreachable or refusing remote: `{ ok: false, reason }` (git's first
 * error line, or why the target was not asked).
 * @throws RepositoryNotTrustedError when git refuses the repository itself.
 */
export function listRemoteRefs(target: string, cwd: string, env: NodeJS.ProcessEnv): RemoteRefs {
  if (target === "" || target.startsWith("-")) return { ok: false, reason: `${JSON.stringify(target)} is not a remote git can be asked about` };
  const result = spawnSync("git", lsRemoteArgs(target), {
    cwd,
    env: gitEnv(env),
    encoding: "utf8",
    maxBuffer: 1 << 28,
    timeout: LS_REMOTE_TIMEOUT_MS,
    windowsHide: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.error) return { ok: false, reason: (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? `no answer within ${LS_REMOTE_TIMEOUT_MS / 1000} s` : result.error.message };
  const stderr = (result.stderr ?? "").trim();
  if (result.status !== 0) {
    throwIfNotTrusted(stderr);
    const line = stderr.split("\n").find((text) => text.trim() !== "") ?? `git ls-remote exited with ${result.status ?? result.signal}`;
    return { ok: false, reason: line.replace(/^fatal: /, "") };
  }
  const refs = new Map<string, string>();
  for (const line of (result.stdout ?? "").split("\n")) {
    const tab = line.indexOf("\t");
    if (tab > 0 && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i.test(line.slice(0, tab))) refs.set(line.slice(tab + 1), line.slice(0, tab).toLowerCase());
  }
  return { ok: true, refs };
}
