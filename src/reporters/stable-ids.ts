import { createRequire } from "node:module";
import type { Finding } from "../types.js";
import { ciPath } from "./ci-path.js";

/**
 * A stable id per finding for the formats that track findings across runs (SARIF
 * `partialFingerprints`, GitLab `vulnerabilities[].id`): a SHA-256 of the rule,
 * the file (from the repository root when in git, so the id does not depend on the folder the
 * scan ran from) and the key's fingerprint — or the line, for findings about a file without a key —
 * so a key keeps its id when lines move. The same key twice in one file is told apart by its
 * occurrence number. The input is the key's fingerprint, never the key.
 */
export function stableFindingIds(findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const anchor = finding.secret ? `key:${finding.secret.fingerprint}` : `line:${finding.line}`;
    const base = `${finding.ruleId}\0${ciPath(finding)}\0${anchor}`;
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    const { createHash } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
    return createHash("sha256").update(occurrence === 1 ? base : `${base}\0${occurrence}`).digest("hex");
  });
}

/** A hex hash shaped as a UUID (version 5 layout), for fields that want one. */
export function uuidFromHash(hex: string): string {
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
