import { readFileSync } from "node:fs";
import { UsageError } from "../errors.js";

/**
 * Where `--verify` sends keys: `GET https://api.lumenfall.ai/openai/v1/models`, over HTTPS, to
 * that host only. A key is a credential; sending it anywhere else leaks it.
 *
 * Tests need a server they control, so one environment variable may move the endpoint — but only
 * to this machine's loopback interface, where nothing leaves the host:
 * - `LUMENGUARD_VERIFY_URL`: `http://` or `https://` on 127.0.0.1, localhost or [::1] (no user
 *   name or password); any other host or scheme is refused with exit 2, naming the variable,
 *   before anything is scanned. `localhost` is connected to as 127.0.0.1 / ::1 without asking the
 *   resolver (transport.ts).
 * - `LUMENGUARD_VERIFY_CA`: a PEM file trusted, instead of the bundled roots, for the loopback
 *   `https://` override only (a test's self-signed certificate). Refused without a loopback
 *   override: the real host is checked against Node's bundled root certificates
 *   (`tls.rootCertificates`), never against a certificate named by the environment.
 *
 * @throws UsageError (exit 2) for a refused override (the message never repeats the URL given)
 *   or an unreadable CA file.
 */
export const VERIFY_URL = "https://api.lumenfall.ai/openai/v1/models";
export const URL_VARIABLE = "LUMENGUARD_VERIFY_URL";
export const CA_VARIABLE = "LUMENGUARD_VERIFY_CA";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface VerifyEndpoint {
  url: URL;
  /** The only CA (PEM) trusted for a loopback `https://` override; absent: Node's bundled roots. */
  ca?: string;
}

/** The endpoint for this environment (see above). */
export function verifyEndpoint(env: NodeJS.ProcessEnv): VerifyEndpoint {
  const override = env[URL_VARIABLE];
  const caFile = env[CA_VARIABLE];
  if (override === undefined || override === "") {
    if (caFile) throw new UsageError(`${CA_VARIABLE} is for tests against a loopback ${URL_VARIABLE} only; unset it`);
    return { url: new URL(VERIFY_URL) };
  }
  const url = parseLoopback(override);
  if (!caFile) return { url };
  if (url.protocol !== "https:") throw new UsageError(`${CA_VARIABLE} goes with an https:// ${URL_VARIABLE}`);
  try {
    return { url, ca: readFileSync(caFile, "utf8") };
  } catch (error) {
    throw new UsageError(`${CA_VARIABLE}: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

/** The override, if it names a loopback server; the message never repeats the value (it could hold anything). */
function parseLoopback(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${URL_VARIABLE} is not a URL; it may only point --verify at a loopback test server (http(s)://127.0.0.1, localhost or [::1])`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname) && (url.protocol === "http:" || url.protocol === "https:");
  if (!loopback || url.username !== "" || url.password !== "") {
    throw new UsageError(`${URL_VARIABLE} may only point --verify at a loopback test server (http(s)://127.0.0.1, localhost or [::1]); refused: keys are sent to ${new URL(VERIFY_URL).host} or nowhere`);
  }
  return url;
}
