import type { Confidence } from "../types.js";

/**
 * A detector finds one kind of secret in raw bytes (like gitleaks' rules as data: a cheap
 * literal first, the full match only around it). The engine runs every detector of a scan on
 * every window of every file and knows none of them by name: the Lumenfall key detector and one
 * detector per configured custom pattern all look the same to it.
 */

/** How a secret was written in the bytes. */
export type SecretEncoding = "raw" | "escaped" | "utf16le" | "utf16be" | "base64";

/** One secret found in a buffer. Holds the full secret: it never leaves the engine (see FileScanner). */
export interface SecretHit {
  /** Byte offsets of the secret as written (escaped, encoded) in the searched buffer; `end` exclusive. */
  start: number;
  end: number;
  /** The full secret, decoded. */
  key: string;
  /** The part a dashboard names the secret by, when it has one (a Lumenfall key id). */
  keyId: string | null;
  /** The part whose last four characters identify the secret. */
  secret: string;
  confidence: Confidence;
  encoding: SecretEncoding;
  /** Why this match is a placeholder and not a secret, or null. */
  placeholder: string | null;
  /**
   * Only a fragment of the secret was found: it visibly goes on (on the next line, in another
   * string) in a way the detector could not join. `key` and `secret` then hold the fragment;
   * its identity is marked partial and never verified.
   */
  partial?: boolean;
}

/** Something a detector could not do on a file, said rather than skipped in silence. */
export interface DetectorNote {
  /**
   * `pattern-timeout`: one search ran out of time, the rest of its line was skipped;
   * `pattern-hit-cap`: too many keyword hits in the file; `pattern-budget`: the file's time
   * budget is spent; `pattern-scan-budget`: the scan's. The last three end the search in the file.
   */
  code: "pattern-timeout" | "pattern-hit-cap" | "pattern-budget" | "pattern-scan-budget";
  /** Byte offset in the file where the search stopped or skipped. */
  at: number;
}

export interface DetectorSearch {
  /** The buffer holds the file's bytes from this offset (UTF-16 tells endianness by it). */
  fileOffset: number;
  /** The file's report path (`a.zip!inner/b.py` inside an archive): how strings continue depends on its type. */
  path?: string;
  /** A fresh object per file, for a detector's own per-file state (hit counts, time spent), under its id. */
  state: Record<string, unknown>;
  /** Reports a search that was cut short. */
  note(note: DetectorNote): void;
}

export interface Detector {
  /** Names the secrets this detector finds (`KeyOccurrence.detector`); unique in a scan. */
  id: string;
  /** Its secrets can be checked with the provider's API (`--verify`). */
  verifiable: boolean;
  /** Longest secret as written, in bytes: consecutive windows overlap by more than this. */
  maxBytes: number;
  /** Bytes before its literal a hit may need (an escape, a base64 quad). */
  lookbehind: number;
  /**
   * Byte strings (one char a byte, as latin1) one of which every secret it finds contains, as
   * written: a file holding none of them holds no secret of this detector. Prefilters outside the
   * engine (a `git grep` over the tree) rely on it; a detector that cannot promise it lists "".
   */
  literals: readonly string[];
  /**
   * The secrets whose literal starts in [from, to) of `buf`; bytes outside that range are
   * context only. Hits may come in any order.
   */
  find(buf: Buffer, from: number, to: number, search: DetectorSearch): SecretHit[];
  /** How a secret is shown in reports: never the secret itself. */
  redact(hit: Pick<SecretHit, "keyId" | "secret" | "partial">): string;
}
