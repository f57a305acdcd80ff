import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeKey } from "./helpers/keys.js";
import { createNetns, netnsUnavailable, type Netns } from "./helpers/netns.js";
import { bin, binEnv, root } from "./helpers/process.js";
import { createDir, createRepo } from "./helpers/repo.js";
import { selfSignedCertificate, type Certificate } from "./helpers/verify-server.js";

/**
 * `--verify` against an attacker who controls the environment and name resolution, run the way
 * the attack runs: a private network namespace whose own /etc/hosts sends api.lumenfall.ai to
 * 127.0.0.1, where a server with a self-signed certificate for that name waits
 * (helpers/fake-lumenfall.mjs), and the real lumenguard binary started inside it with variables
 * that make Node's default client trust that server. Each attack is first shown to work on a
 * plain Node client (the control), so a passing lumenguard case cannot be an accident of the
 * set-up. Needs root; elsewhere the whole file is skipped and says why.
 */

const skipReason = netnsUnavailable();
if (skipReason !== null) console.warn(`test/verify-netns.test.ts SKIPPED: ${skipReason}`);

interface ServerEvent {
  event: "ready" | "request" | "tls-refused" | "proxy" | "plain";
  authorization?: string;
  code?: string;
  address?: string;
  firstLine?: string;
}

const HOSTS = "127.0.0.1 api.lumenfall.ai\n127.0.0.2 localhost\n";
const API = "https://api.lumenfall.ai/openai/v1/models";

let netns: Netns;
let certificate: Certificate;
let server: ChildProcess;
const events: ServerEvent[] = [];

/** The environment of a process inside the namespace: the test's, less anything that would steer the request. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...binEnv };
  for (const name of ["NODE_OPTIONS", "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "NO_PROXY", "no_proxy", "NODE_USE_ENV_PROXY", "LUMENGUARD_VERIFY_URL", "LUMENGUARD_VERIFY_CA"]) delete env[name];
  return env;
}

/** Events the server reported after `mark`, once `done` holds for them (or after 3 s). */
async function eventsSince(mark: number, done: (seen: ServerEvent[]) => boolean = () => true): Promise<ServerEvent[]> {
  const deadline = Date.now() + 3_000;
  while (!done(events.slice(mark)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return events.slice(mark);
}

/** What a default Node client does under `env`: GET the API with a canary token; prints the status or the error code. */
function controlRequest(canary: string, env: NodeJS.ProcessEnv) {
  const script = `require("node:https").get(${JSON.stringify(API)}, { headers: { authorization: ${JSON.stringify(`Bearer ${canary}`)} } }, (r) => { console.log(r.statusCode); r.resume(); }).on("error", (e) => console.log(e.code));`;
  return netns.run([process.execPath, "-e", script], { env: { ...baseEnv(), ...env } });
}

interface JsonReport {
  findings: Array<{ ruleId: string; verified?: string }>;
  warnings: Array<{ code: string; message: string }>;
}

/** lumenguard, the real binary, scanning a folder holding `key` with `--verify`, inside the namespace. */
async function scanWithVerify(key: string, env: NodeJS.ProcessEnv) {
  const dir = createDir({ "app.ts": `export const key = "${key}";\n` });
  const outcome = await netns.run([process.execPath, bin, "scan", "--verify", "--format", "json", dir], { env: { ...baseEnv(), ...env } });
  for (const output of [outcome.stdout, outcome.stderr]) {
    expect(output).not.toContain(key);
    expect(output).not.toContain(key.split(".")[1]);
  }
  return { ...outcome, report: JSON.parse(outcome.stdout) as JsonReport };
}

const trustAttacks: Array<[string, () => NodeJS.ProcessEnv]> = [
  ["NODE_TLS_REJECT_UNAUTHORIZED=0", () => ({ NODE_TLS_REJECT_UNAUTHORIZED: "0" })],
  ["NODE_EXTRA_CA_CERTS=<attacker's certificate>", () => ({ NODE_EXTRA_CA_CERTS: certificate.caFile })],
  ["NODE_OPTIONS=--use-openssl-ca with SSL_CERT_FILE=<attacker's certificate>", () => ({ NODE_OPTIONS: "--use-openssl-ca", SSL_CERT_FILE: certificate.caFile })],
];

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
/** Node honours HTTPS_PROXY when NODE_USE_ENV_PROXY=1 from 22.21 and 24.5 (https://nodejs.org/api/http.html#built-in-proxy-support). */
const nodeReadsProxyEnv = major > 24 || (major === 24 && minor >= 5) || (major === 22 && minor >= 21);
if (skipReason === null && !nodeReadsProxyEnv) console.warn(`test/verify-netns.test.ts: the proxy control is skipped: Node ${process.versions.node} ignores proxy variables (lumenguard's own no-proxy case still runs)`);

describe.skipIf(skipReason !== null)(`--verify inside a network namespace where api.lumenfall.ai is an attacker's server${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  beforeAll(async () => {
    certificate = selfSignedCertificate("api.lumenfall.ai");
    netns = createNetns(HOSTS);
    server = netns.spawn([process.execPath, join(import.meta.dirname, "helpers/fake-lumenfall.mjs"), certificate.caFile, certificate.keyFile], { env: baseEnv() });
    let buffered = "";
    server.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line) events.push(JSON.parse(line) as ServerEvent);
    });
    const ready = await eventsSince(0, (seen) => seen.some((event) => event.event === "ready"));
    if (!ready.some((event) => event.event === "ready")) throw new Error("the fake api.lumenfall.ai did not start inside the namespace");
  });
  afterAll(() => {
    server?.kill("SIGTERM");
    netns?.dispose();
    certificate?.dispose();
  });

  it.each(trustAttacks)("control: with %s a default Node client hands its token to the fake server", async (_name, attack) => {
    const mark = events.length;
    const canary = `canary-${Date.now()}`;
    const { stdout } = await controlRequest(canary, attack());
    expect(stdout.trim()).toBe("200");
    expect((await eventsSince(mark)).filter((event) => event.event === "request").map((event) => event.authorization)).toEqual([`Bearer ${canary}`]);
  });

  it("control: with no override a default Node client refuses the fake server", async () => {
    const { stdout } = await controlRequest("canary-none", {});
    expect(stdout.trim()).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });

  it.each([...trustAttacks, ["no override at all", () => ({})] as [string, () => NodeJS.ProcessEnv]])("with %s, lumenguard --verify refuses the handshake and the key is unknown", async (_name, attack) => {
    const key = makeKey();
    const mark = events.length;
    const { code, report } = await scanWithVerify(key, attack());
    expect(code).toBe(1);
    expect(report.findings.map((finding) => [finding.ruleId, finding.verified])).toEqual([["lumenfall-key", "unknown"]]);
    expect(report.warnings.filter((warning) => warning.code === "verify-unknown").map((warning) => /\((\w+)\)/.exec(warning.message)?.[1])).toEqual(["DEPTH_ZERO_SELF_SIGNED_CERT"]);
    // It did reach the fake server — and hung up during the handshake, before any header was sent.
    const seen = await eventsSince(mark, (all) => all.some((event) => event.event === "tls-refused"));
    expect(seen.map((event) => event.event)).toEqual(["tls-refused"]);
  });

  const proxyEnv = { HTTPS_PROXY: "http://127.0.0.1:3128", HTTP_PROXY: "http://127.0.0.1:3128", NODE_USE_ENV_PROXY: "1" };

  it.skipIf(!nodeReadsProxyEnv)(`control: with HTTPS_PROXY and NODE_USE_ENV_PROXY=1 a default Node client goes through the proxy${nodeReadsProxyEnv ? "" : ` (skipped: Node ${process.versions.node} ignores proxy variables)`}`, async () => {
    const mark = events.length;
    await controlRequest("canary-proxy", proxyEnv);
    expect((await eventsSince(mark, (seen) => seen.length > 0)).map((event) => [event.event, event.firstLine ?? ""])).toEqual([["proxy", "CONNECT api.lumenfall.ai:443 HTTP/1.1"]]);
  });

  it("with HTTPS_PROXY, HTTP_PROXY and NODE_USE_ENV_PROXY=1, lumenguard --verify never talks to the proxy", async () => {
    const key = makeKey();
    const mark = events.length;
    const { report } = await scanWithVerify(key, { ...proxyEnv, NODE_TLS_REJECT_UNAUTHORIZED: "0" });
    expect(report.findings.map((finding) => finding.verified)).toEqual(["unknown"]);
    const seen = await eventsSince(mark, (all) => all.some((event) => event.event === "tls-refused"));
    expect(seen.map((event) => event.event)).toEqual(["tls-refused"]);
  });

  it("the loopback test override connects to 127.0.0.1 for localhost, whatever /etc/hosts says (here: 127.0.0.2)", async () => {
    const key = makeKey();
    const mark = events.length;
    const { report } = await scanWithVerify(key, { LUMENGUARD_VERIFY_URL: "http://localhost:8080/openai/v1/models" });
    expect(report.findings.map((finding) => finding.verified)).toEqual(["revoked"]);
    const seen = await eventsSince(mark, (all) => all.length > 0);
    expect(seen.map((event) => [event.event, event.address, event.authorization])).toEqual([["plain", "127.0.0.1", `Bearer ${key}`]]);
  });

  describe("the README's --verify recipes, verbatim, against the real host name", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Live keys: --verify"));
    const recipes = /```sh\n([\s\S]*?)```/.exec(section)![1]!.trim().split("\n").map((line) => line.replace(/\s+#.*$/, ""));

    it("are the two this test runs", () => {
      expect(recipes).toEqual(["lumenguard scan --history --verify", "lumenguard ci --only-live --format json"]);
    });

    it.each(recipes)("%s: the key goes nowhere and is unknown", async (recipe) => {
      const key = makeKey();
      const repo = createRepo({ committed: { "app.ts": `export const key = "${key}";\n` } });
      const mark = events.length;
      const env = { ...baseEnv(), NODE_TLS_REJECT_UNAUTHORIZED: "0", NODE_EXTRA_CA_CERTS: certificate.caFile, GITHUB_ACTIONS: "", GITLAB_CI: "" };
      const { code, stdout, stderr } = await netns.run([process.execPath, bin, ...recipe.split(" ").slice(1)], { env, cwd: repo });
      expect(stdout + stderr).not.toContain(key.split(".")[1]);
      if (recipe.includes("--only-live")) {
        // Nothing could be verified: the key is kept (fail closed), and stderr says why.
        expect([code, JSON.parse(stdout).findings.map((finding: { verified: string }) => finding.verified)]).toEqual([1, ["unknown"]]);
        expect(stderr).toContain("--only-live: 1 finding(s) kept because their key could not be verified");
      } else {
        expect(code).toBe(1);
        expect(stdout).toContain("[unknown — could not verify]");
      }
      const seen = await eventsSince(mark, (all) => all.some((event) => event.event === "tls-refused"));
      expect(seen.map((event) => event.event)).toEqual(["tls-refused"]);
    });
  });
});
