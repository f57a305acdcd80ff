import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A temp folder that lives for a whole describe block (the helper in repo.ts empties its
 * folders after every test); remove it with the returned function.
 */
export function lastingDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "lumenguard-server-test-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Real git servers on 127.0.0.1 for push tests: `git daemon` serving a folder of bare
 * repositories (receive-pack enabled), and `sshd` (Debian's openssh-server) with its own host
 * key, config and authorized key, in a temp folder. Each runs as a child of the test and is
 * stopped by its pid.
 */
export interface GitServer {
  /** The URL of a repository in the served folder, by its folder name. */
  url(name: string): string;
  /** Environment a client needs to reach it (ssh: GIT_SSH_COMMAND). */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        done(true);
      });
      socket.once("error", () => done(false));
    });
    if (open) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}: ${log()}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
}

/** `git daemon --enable=receive-pack` serving `base` on 127.0.0.1. */
export async function startGitDaemon(base: string, env: NodeJS.ProcessEnv): Promise<GitServer> {
  const port = await freePort();
  let log = "";
  const child = spawn("git", ["daemon", "--reuseaddr", "--listen=127.0.0.1", `--port=${port}`, `--base-path=${base}`, "--export-all", "--enable=receive-pack", "--informative-errors", base], { env, stdio: ["ignore", "ignore", "pipe"] });
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
  await waitForPort(port, child, () => log);
  return { url: (name) => `git://127.0.0.1:${port}/${name}`, env: {}, stop: stopper(child) };
}

/** Why sshd cannot run here, or null when it can. */
export function sshdUnavailable(): string | null {
  if (!existsSync("/usr/sbin/sshd")) return "sshd is not installed (Debian: apt-get install openssh-server; .ci/run installs it when it runs as root)";
  if (!existsSync("/usr/bin/ssh-keygen") || !existsSync("/usr/bin/ssh")) return "the ssh client tools (ssh, ssh-keygen) are not installed";
  if (process.getuid?.() !== 0) return "sshd needs root here (privilege separation directory /run/sshd, logins as this user)";
  return null;
}

/**
 * sshd on 127.0.0.1 accepting this user with a fresh key. Repositories are named by absolute
 * path: `ssh://<user>@127.0.0.1:<port><base>/<name>`.
 */
export async function startSshd(base: string): Promise<GitServer> {
  const lasting = lastingDir();
  const dir = lasting.dir;
  const keygen = (file: string) => spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file], { encoding: "utf8" });
  keygen(join(dir, "host_key"));
  keygen(join(dir, "client_key"));
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")));
  chmodSync(join(dir, "authorized_keys"), 0o600);
  mkdirSync("/run/sshd", { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "StrictModes no",
      "UsePAM no",
      "PrintMotd no",
      "",
    ].join("\n"),
  );
  let log = "";
  const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
  await waitForPort(port, child, () => log);
  const user = spawnSync("id", ["-un"], { encoding: "utf8" }).stdout.trim();
  const ssh = `ssh -i ${join(dir, "client_key")} -p ${port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR`;
  const stop = stopper(child);
  return {
    url: (name) => `ssh://${user}@127.0.0.1:${port}${join(base, name)}`,
    env: { GIT_SSH_COMMAND: ssh },
    stop: async () => {
      await stop();
      lasting.remove();
    },
  };
}
