import { createRequire } from "node:module";
import type { SecretInfo } from "../types.js";
import type { KeyMatch } from "./key-shape.js";

/**
 * The only way a key leaves the engine (SPEC §5): the identity the dashboard shows
 * (key id + last four) and a SHA-256 fingerprint. Reporters never receive the key itself.
 */
export function describeSecret(match: Pick<KeyMatch, "key" | "keyId" | "secret" | "confidence"> & { detector?: string }): SecretInfo {
  const lastFour = match.secret.slice(-4);
  return {
    redacted: redactMatch(match),
    fingerprint: fingerprintKey(match.key),
    keyId: match.keyId,
    lastFour,
    confidence: match.confidence,
  };
}

/** How a match is shown: a Lumenfall key as the dashboard lists it, another secret by its ends. */
export function redactMatch(match: Pick<KeyMatch, "keyId" | "secret"> & { detector?: string }): string {
  const custom = match.detector !== undefined && match.detector !== "lumenfall";
  return custom ? redactOther(match.secret) : redactKey(match.keyId, match.secret.slice(-4));
}

export function redactKey(keyId: string | null, lastFour: string): string {
  return keyId === null ? `lmnfl_\u2026${lastFour}` : `lmnfl_${keyId}.\u2026${lastFour}`;
}

/** Another provider's secret: its first four (usually a public type prefix) and last four, when long enough. */
function redactOther(secret: string): string {
  return secret.length >= 20 ? `${secret.slice(0, 4)}\u2026${secret.slice(-4)}` : `\u2026${secret.slice(-4)}`;
}

/** node:crypto is loaded on the first key, not at start-up: most scans find none. */
let crypto: typeof import("node:crypto") | undefined;

export function fingerprintKey(key: string): string {
  crypto ??= createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return crypto.createHash("sha256").update(key, "utf8").digest("hex");
}

/** Replaces anything key-like in free text (an allow-comment reason, an error) by its prefix. */
export function scrubKeys(text: string): string {
  return text.replace(/lmnfl_[A-Za-z0-9_.%\\-]*/g, "lmnfl_\u2026");
}
