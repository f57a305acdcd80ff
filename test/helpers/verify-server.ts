import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A real Lumenfall stand-in on 127.0.0.1 for `--verify` tests: it records every
 * request's Authorization header, counts requests in flight, and answers per key as told.
 */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface VerifyServer {
  url: string;
  /** The Authorization header of every request, in arrival order. */
  authorizations: string[];
  paths: string[];
  maxInFlight: number;
  close(): Promise<void>;
}

export interface Certificate {
  key: string;
  cert: string;
  /** The certificate's PEM file (a self-signed certificate is its own CA). */
  caFile: string;
  keyFile: string;
  dispose(): void;
}

/**
 * A self-signed certificate made by openssl at test time: for 127.0.0.1 and localhost, or for
 * `dnsName` alone (an attacker's certificate for api.lumenfall.ai).
 */
export function selfSignedCertificate(dnsName?: string): Certificate {
  const dir = mkdtempSync(join(tmpdir(), "lumenguard-cert-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", `/CN=${dnsName ?? "127.0.0.1"}`, "-addext", `subjectAltName=${dnsName ? `DNS:${dnsName}` : "IP:127.0.0.1,DNS:localhost"}`], { stdio: "ignore" });
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), caFile: certFile, keyFile, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `reply(key, nth)`: the answer for the nth request (1-based) carrying this key. */
export async function startVerifyServer(reply: (key: string, nth: number) => Reply, tls?: Certificate): Promise<VerifyServer> {
  const seen = new Map<string, number>();
  let inFlight = 0;
  const state: VerifyServer = { url: "", authorizations: [], paths: [], maxInFlight: 0, close: async () => {} };
  const handler: http.RequestListener = (request, response) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    const authorization = request.headers.authorization ?? "";
    state.authorizations.push(authorization);
    state.paths.push(request.url ?? "");
    const key = authorization.replace(/^Bearer /, "");
    const nth = (seen.get(key) ?? 0) + 1;
    seen.set(key, nth);
    const answer = reply(key, nth);
    const timer = setTimeout(() => {
      inFlight--;
      response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      response.end(answer.status === 200 ? '{"object":"list","data":[]}' : '{"error":{"message":"no"}}');
    }, answer.delayMs ?? 0);
    response.on("close", () => {
      if (!response.writableEnded) {
        clearTimeout(timer);
        inFlight--;
      }
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `${tls ? "https" : "http"}://127.0.0.1:${port}/openai/v1/models`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
