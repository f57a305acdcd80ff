import type { Detector } from "../../engine/detector.js";
import { findKeys, LITERALS, LOOKBEHIND_BYTES } from "./find-keys.js";
import { MAX_ENCODED_KEY_BYTES } from "./key-shape.js";
import { redactKey, redactPartialKey } from "./redact.js";

/**
 * The Lumenfall API key detector: `lmnfl_<keyid>.<secret>` and the dotless high-entropy form,
 * plain, escaped (escapes.ts), split across lines or literals (continuations.ts), base64
 * (wrapped or not) and UTF-16 — see key-shape.ts and find-keys.ts. This is the one place its id is spelled: rules that report Lumenfall keys
 * compare `KeyOccurrence.detector` with {@link LUMENFALL_DETECTOR_ID}.
 */
export const LUMENFALL_DETECTOR_ID = "lumenfall";

export const lumenfallDetector: Detector = {
  id: LUMENFALL_DETECTOR_ID,
  verifiable: true,
  maxBytes: MAX_ENCODED_KEY_BYTES,
  lookbehind: LOOKBEHIND_BYTES,
  literals: LITERALS,
  find: (buf, from, to, search) => findKeys(buf, from, to, search.fileOffset, search.path),
  redact: (hit) => (hit.partial ? redactPartialKey(hit.keyId) : redactKey(hit.keyId, hit.secret.slice(-4))),
};

export { KEY_PREFIX } from "./key-shape.js";
export { redactKey, redactPartialKey, scrubKeys } from "./redact.js";
