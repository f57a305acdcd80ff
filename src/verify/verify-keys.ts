import type http from "node:http";
import { scrubKeys } from "../detectors/lumenfall/index.js";
import type { VerifyEndpoint } from "./endpoint.js";
import { createVerifyAgent, requestModule } from "./transport.js";

/**
 * `--verify`: one `GET /openai/v1/models` per distinct key with
 * `Authorization: Bearer <key>` — the request the Lumenfall guide itself shows. 200 → `live`,
 * 401/403 → `revoked`, anything else (after retries) → `unknown`. At most 4 requests in flight,
 * a timeout per request, and retries with exponential backoff on 429 and 5xx only (honouring
 * `Retry-After` up to a cap), so a scan with many keys ends in bounded time and never hammers
 * the API. Redirects are not followed (Node's http client never does): a 3xx is `unknown`.
 * Every request goes over the pinned connection of transport.ts: TLS checked against Node's
 * bundled root certificates whatever the environment says, and never through a proxy.
 *
 * The key is only ever written into the request header. Nothing here logs; the reasons kept for
 * `unknown` are a status code or an error *code* (ECONNRESET), never an error message that
 * could echo a request, and are scrubbed all the same.
 */
export type Verdict = "live" | "revoked" | "unknown";

export interface Verification {
  verdict: Verdict;
  /** Why a key is `unknown`: "HTTP 500", "timed out after 10000 ms", "ECONNREFUSED". */
  detail?: string;
}

export interface VerifyTuning {
  /** Requests in flight; capped at 4 whatever is asked. */
  concurrency: number;
  /** Per request, from sending to the response's status line. */
  timeoutMs: number;
  /** Tries per key on 429 / 5xx, the first included. */
  attempts: number;
  /** Wait before the first retry; doubled for each later one. */
  backoffMs: number;
  /** Longest wait between tries, also for a server's `Retry-After`. */
  maxDelayMs: number;
}

export const MAX_CONCURRENCY = 4;

export const DEFAULT_TUNING: VerifyTuning = { concurrency: MAX_CONCURRENCY, timeoutMs: 10_000, attempts: 3, backoffMs: 500, maxDelayMs: 5_000 };

type Attempt = { status: number; retryAfter: string | undefined } | { error: string };

/** Verifies each key (fingerprint → key) once; the answer is keyed by fingerprint. */
export async function verifyKeys(keys: ReadonlyMap<string, string>, endpoint: VerifyEndpoint, tuning: Partial<VerifyTuning> = {}): Promise<Map<string, Verification>> {
  const settings = { ...DEFAULT_TUNING, ...tuning };
  const lanes = Math.max(1, Math.min(MAX_CONCURRENCY, settings.concurrency, keys.size));
  const agent = createVerifyAgent(endpoint, lanes);
  const entries = [...keys];
  const results = new Map<string, Verification>();
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < entries.length; index = next++) {
      const [fingerprint, key] = entries[index] as [string, string];
      results.set(fingerprint, await verifyOne(key, endpoint, agent, settings));
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    agent.destroy();
  }
  return results;
}

async function verifyOne(key: string, endpoint: VerifyEndpoint, agent: http.Agent, settings: VerifyTuning): Promise<Verification> {
  for (let attempt = 1; ; attempt++) {
    const answer = await requestOnce(key, endpoint, agent, settings.timeoutMs);
    if ("error" in answer) return { verdict: "unknown", detail: answer.error };
    if (answer.status === 200) return { verdict: "live" };
    if (answer.status === 401 || answer.status === 403) return { verdict: "revoked" };
    const retryable = answer.status === 429 || answer.status >= 500;
    if (!retryable || attempt >= settings.attempts) {
      const redirect = answer.status >= 300 && answer.status < 400 ? " (redirects are not followed)" : "";
      return { verdict: "unknown", detail: `HTTP ${answer.status}${redirect}${retryable ? ` after ${attempt} tries` : ""}` };
    }
    await sleep(retryDelay(answer.retryAfter, attempt, settings));
  }
}

/** `Retry-After` (seconds or an HTTP date) when the server sends it, else exponential backoff; never above the cap. */
export function retryDelay(retryAfter: string | undefined, attempt: number, settings: Pick<VerifyTuning, "backoffMs" | "maxDelayMs">): number {
  const backoff = settings.backoffMs * 2 ** (attempt - 1);
  let asked: number | null = null;
  if (retryAfter !== undefined) {
    const trimmed = retryAfter.trim();
    if (/^\d+$/.test(trimmed)) asked = Number(trimmed) * 1000;
    else if (!Number.isNaN(Date.parse(trimmed))) asked = Date.parse(trimmed) - Date.now();
  }
  return Math.max(0, Math.min(settings.maxDelayMs, asked ?? backoff));
}

function requestOnce(key: string, endpoint: VerifyEndpoint, agent: http.Agent, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const request = requestModule(endpoint).request(
      endpoint.url,
      { method: "GET", agent, headers: { Authorization: `Bearer ${key}`, Accept: "application/json", "User-Agent": "lumenguard-verify" } },
      (response) => {
        finish({ status: response.statusCode ?? 0, retryAfter: headerValue(response.headers["retry-after"]) });
        // Only the status matters: drain the (small) body so the connection can be reused.
        response.resume();
      },
    );
    const timer = setTimeout(() => {
      finish({ error: `timed out after ${timeoutMs} ms` });
      request.destroy();
    }, timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) => finish({ error: scrubKeys(error.code ?? "network error") }));
    request.end();
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

