import type http from "node:http";
import type { LookupFunction } from "node:net";
import { createRequire } from "node:module";
import type { VerifyEndpoint } from "./endpoint.js";

/**
 * The connection a key travels over, pinned so that nothing in the environment can redirect or
 * downgrade it. A key is sent only in a request built here.
 *
 * - Trust: `rejectUnauthorized: true` and `ca: tls.rootCertificates` — the Mozilla root store
 *   bundled inside the running Node.js binary — set explicitly on every connection. Explicit
 *   options win over what the environment configures: `NODE_TLS_REJECT_UNAUTHORIZED=0` (which
 *   only changes the default of `rejectUnauthorized`), `NODE_EXTRA_CA_CERTS` (added to the
 *   default store, which `ca` replaces), and `--use-openssl-ca` / `--use-system-ca` with
 *   `SSL_CERT_FILE` / `SSL_CERT_DIR` (also only the default store). TLS 1.2 at least, whatever
 *   `--tls-min-v1.0` says. See https://nodejs.org/api/tls.html#tlscreatesecurecontextoptions.
 * - No proxy: the agent is our own `https.Agent` without `proxyEnv`, never the global agent, so
 *   `HTTPS_PROXY` / `HTTP_PROXY` with `NODE_USE_ENV_PROXY` (Node 22.21+, 24) never see a request.
 *   See https://nodejs.org/api/http.html#built-in-proxy-support.
 * - The loopback test override (`LUMENGUARD_VERIFY_URL`) connects to the loopback interface
 *   only: `localhost` is resolved here, to 127.0.0.1 or ::1, never through `/etc/hosts` or DNS,
 *   which could point it anywhere. Its `https://` form trusts exactly the test's certificate
 *   (`LUMENGUARD_VERIFY_CA`) when one is given, else the bundled roots like the real host.
 *
 * Whoever can set `NODE_OPTIONS=--require …` runs code inside the process; that is out of reach
 * of any program's own checks and not a promise made here.
 */

/** An agent for `endpoint` (close it with `destroy()`); `maxSockets` bounds requests in flight. */
export function createVerifyAgent(endpoint: VerifyEndpoint, maxSockets: number): http.Agent {
  const require = createRequire(import.meta.url);
  const common = { keepAlive: true, maxSockets, ...(endpoint.url.hostname === "localhost" ? { lookup: loopbackLookup } : {}) };
  if (endpoint.url.protocol !== "https:") {
    // Only a loopback override can be http:// (endpoint.ts refuses any other).
    return new (require("node:http") as typeof import("node:http")).Agent(common);
  }
  return new (require("node:https") as typeof import("node:https")).Agent({ ...common, ...pinnedTls(endpoint) });
}

/** The TLS options of every verification connection (see above). */
export function pinnedTls(endpoint: VerifyEndpoint): { rejectUnauthorized: true; ca: string | string[]; minVersion: "TLSv1.2"; checkServerIdentity: typeof import("node:tls").checkServerIdentity } {
  const tls = createRequire(import.meta.url)("node:tls") as typeof import("node:tls");
  return { rejectUnauthorized: true, ca: endpoint.ca ?? [...tls.rootCertificates], minVersion: "TLSv1.2", checkServerIdentity: tls.checkServerIdentity };
}

/** The request module matching the endpoint's scheme (loaded lazily: TLS costs start-up time). */
export function requestModule(endpoint: VerifyEndpoint): typeof import("node:http") | typeof import("node:https") {
  const require = createRequire(import.meta.url);
  return endpoint.url.protocol === "https:" ? (require("node:https") as typeof import("node:https")) : (require("node:http") as typeof import("node:http"));
}

/**
 * `localhost` as the loopback address, without asking the resolver (`/etc/hosts` or DNS could
 * map the name anywhere). Used only for an endpoint whose host is `localhost`; 127.0.0.1 and
 * [::1] are IP literals, which never reach a lookup.
 */
const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  const family = options.family === 6 || options.family === "IPv6" ? 6 : 4;
  const address = family === 6 ? "::1" : "127.0.0.1";
  if (options.all) (callback as unknown as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
  else callback(null, address, family);
};
