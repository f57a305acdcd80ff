import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A private Linux network namespace with its own `/etc/hosts`, made with iproute2's
 * `ip netns` (https://man7.org/linux/man-pages/man8/ip-netns.8.html): `ip netns exec NAME cmd`
 * runs cmd with only that namespace's loopback interface, and with `/etc/netns/NAME/hosts`
 * bind-mounted over `/etc/hosts`. Nothing inside can reach any other network. Needs root.
 */
export interface Netns {
  name: string;
  /** Starts `argv` inside the namespace (stdout and stderr piped). */
  spawn(argv: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): ChildProcess;
  /** Runs `argv` inside the namespace to its end (at most `timeoutMs`). */
  run(argv: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Deletes the namespace and its `/etc/netns/NAME` folder. */
  dispose(): void;
}

/** Why namespaces cannot be used here, or null when they can (probed by really adding one). */
export function netnsUnavailable(): string | null {
  if (process.platform !== "linux") return `network namespaces are Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "needs root to run `ip netns add`";
  const probe = `lg-probe-${process.pid}`;
  const added = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
  if (added.error) return `iproute2's \`ip\` cannot run (${(added.error as NodeJS.ErrnoException).code ?? added.error.message}); .ci/run installs it`;
  if (added.status !== 0) return `\`ip netns add\` failed: ${added.stderr.trim() || `exit ${added.status}`}`;
  spawnSync("ip", ["netns", "delete", probe]);
  return null;
}

/** A namespace whose `/etc/hosts` is `hosts` and whose loopback interface is up. */
export function createNetns(hosts: string): Netns {
  const name = `lg-verify-${process.pid}-${Date.now().toString(36)}`;
  const etc = join("/etc/netns", name);
  mkdirSync(etc, { recursive: true });
  writeFileSync(join(etc, "hosts"), hosts);
  ip(["netns", "add", name]);
  ip(["-n", name, "link", "set", "lo", "up"]);
  const inside = (argv: readonly string[]) => ["netns", "exec", name, ...argv];
  return {
    name,
    spawn: (argv, options) => spawn("ip", inside(argv), { ...options, stdio: ["ignore", "pipe", "pipe"] }),
    run: (argv, options) =>
      new Promise((resolve) => {
        const child = spawn("ip", inside(argv), { env: options.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"], timeout: options.timeoutMs ?? 20_000 });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      }),
    dispose() {
      spawnSync("ip", ["netns", "delete", name]);
      rmSync(etc, { recursive: true, force: true });
    },
  };
}

function ip(args: string[]): void {
  const result = spawnSync("ip", args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`ip ${args.join(" ")}: ${result.stderr.trim() || result.error?.message}`);
}
