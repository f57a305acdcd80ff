import { randomBytes } from "node:crypto";

/**
 * Keys for tests are made at run time: the repository never holds a literal key
 * outside fixture paths that its own lumenguard config ignores.
 */
const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SECRET_CHARS = `${BASE62}_-`;

export function randomString(length: number, alphabet = BASE62): string {
  const bytes = randomBytes(length);
  let text = "";
  for (let i = 0; i < length; i++) text += alphabet[(bytes[i] as number) % alphabet.length];
  // Upper, lower and digit always present: the dotless form needs all three.
  return length >= 3 ? `A${text.slice(1, length - 2)}z7` : text;
}

export function makeKey(options: { keyIdLength?: number; secretLength?: number } = {}): string {
  const keyId = randomString(options.keyIdLength ?? 10);
  const secret = randomString(options.secretLength ?? 40, SECRET_CHARS);
  return `${"lmnfl"}_${keyId}.${secret}`;
}

/** The dotless high-entropy form (confidence medium). */
export function makeDotlessKey(length = 40): string {
  return `${"lmnfl"}_${randomString(length)}`;
}

export function lastFour(key: string): string {
  return key.slice(-4);
}

export function keyIdOf(key: string): string {
  return key.slice("lmnfl_".length, key.indexOf("."));
}
