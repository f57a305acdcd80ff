/**
 * How a Lumenfall key is shown: as the Lumenfall dashboard lists keys, `lmnfl_<keyid>.…<last4>`
 * (a dotless key has no id: `lmnfl_…<last4>`). Reporters never receive the key itself.
 */
export function redactKey(keyId: string | null, lastFour: string): string {
  return keyId === null ? `lmnfl_\u2026${lastFour}` : `lmnfl_${keyId}.\u2026${lastFour}`;
}

/** Replaces anything key-like in free text (an allow-comment reason, an error) by its prefix. */
export function scrubKeys(text: string): string {
  return text.replace(/lmnfl_[A-Za-z0-9_.%\\-]*/g, "lmnfl_\u2026");
}
