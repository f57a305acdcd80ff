import { createRequire } from "node:module";

/** node:crypto is loaded on the first secret, not at start-up: most scans find none. */
let crypto: typeof import("node:crypto") | undefined;

/**
 * A secret's fingerprint: SHA-256 of its UTF-8 bytes, 64 lowercase hex digits. Baselines,
 * reports and cross-file rules compare secrets by it; it cannot be turned back into the secret.
 */
export function fingerprintSecret(secret: string): string {
  crypto ??= createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return crypto.createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * The fingerprint of a fragment of a secret (a key split in a way that could not be joined): the
 * SHA-256 of `partial:` and the fragment, so that it is stable for baselines and never equal to
 * any key's fingerprint.
 */
export function fingerprintFragment(fragment: string): string {
  return fingerprintSecret(`partial:${fragment}`);
}
