import { LUMENFALL_DETECTOR_ID } from "../src/detectors/lumenfall/index.js";
import { defineRule, type KeyOccurrence } from "../src/engine/rule.js";
import { isEnvFile } from "./env-files.js";
import { DASHBOARD_URL, GUIDE_URL } from "./support/guide.js";

/**
 * Rotate keys periodically. Keys kept where the guide says they belong — an ignored `.env`, a
 * local `.env.production` — are the ones nobody thinks about, so they live for years: every
 * laptop, backup and log line that ever held a copy can still use them. With
 * `rotation: { maxAgeDays: 90 }` in the config, a key in an env file that has been in use longer
 * than that is reported, with the guide's rotation steps: create a new key, deploy it, revoke
 * the old one.
 *
 * How the age is known, without the engine doing any I/O:
 *
 * - The source layer (src/sources/key-ages.ts) keeps a state file inside the repository's git
 *   directory, `.git/lumenguard/key-ages.json`: for each env file (its path from the repository
 *   root), the SHA-256 fingerprint of each Lumenfall key seen in it and the date (UTC,
 *   `YYYY-MM-DD`) it was first seen. Fingerprints and dates only: never a key, never committed.
 * - Before a working-tree scan it reads that file and hands this rule, as its options, today's
 *   date and the earliest date each fingerprint was seen in any env file (a key moved from `.env`
 *   to `.env.local` is as old as it was). `optionsFromConfig` gives only `maxAgeDays`; without
 *   the source layer (`rotation` unset, a staged or history scan, a bundler or ESLint) `today`
 *   stays null and the rule reports nothing.
 * - The rule decides across files: `collect` keeps, per env file, the Lumenfall keys in it (plain
 *   data: it may run on a worker thread, which has no state file); `conclude` runs once, on the
 *   scan's main thread, with the options, and reports each key older than `maxAgeDays`, at the
 *   key, in each env file that holds it.
 * - After the scan the source layer records the keys it had not seen before (today, or the
 *   date the same key was first seen elsewhere) from what `collect` kept, and writes the state
 *   file atomically. A key first seen today is 0 days old: it is never due on its first scan.
 *
 * It applies to env files a working-tree scan reads — tracked, untracked and ignored alike —
 * and not to templates (`.env.example`), history or client output, where keys are leaks that
 * other rules report as such.
 */
export interface RotationOptions {
  /** Config `rotation.maxAgeDays`: a key in use for more days than this is due; null when rotation is off. */
  maxAgeDays: number | null;
  /** Today (UTC, `YYYY-MM-DD`), given by the source layer that keeps key ages; null when none did. */
  today: string | null;
  /** The date (UTC, `YYYY-MM-DD`) each key, by fingerprint, was first seen in an env file of the repository. */
  firstSeen: Readonly<Record<string, string>>;
}

/** What the rule keeps from an env file: where, and the key as rules see it (never the key itself). */
export interface EnvKey {
  file: string;
  key: KeyOccurrence;
}

export const KEY_ROTATION_RULE_ID = "key-rotation-due";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from `since` to `today` (both UTC `YYYY-MM-DD`); NaN for a date that does not parse. */
export function daysBetween(since: string, today: string): number {
  return Math.floor((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${since}T00:00:00Z`)) / DAY_MS);
}

/** How the Lumenfall dashboard lists a key: key id and last four. */
function identityOf(key: KeyOccurrence): string {
  return key.keyId === null ? `dotless key, last four ${key.lastFour}` : `key id ${key.keyId}, last four ${key.lastFour}`;
}

export default defineRule<RotationOptions>({
  meta: {
    id: KEY_ROTATION_RULE_ID,
    severity: "low",
    practice: "Rotate keys periodically",
    guideUrl: GUIDE_URL,
    why: "A key that is never rotated has had years to leak — from a laptop, a backup, a log, a former teammate — and every copy still works.",
    fix: [
      `Create a new key at ${DASHBOARD_URL} (name it after this environment).`,
      "Deploy it: put the new key in this env file and everywhere else the old one is configured, and check that the application works with it.",
      `Revoke the old key ({identity}) at ${DASHBOARD_URL} once the new one works.`,
    ],
    messages: {
      due: "Lumenfall API key {{redacted}} ({{identity}}) in {{file}} has been in use for {{age}} days (first seen {{since}}), more than rotation.maxAgeDays ({{maxAgeDays}}): rotate it — create a new key, deploy it, then revoke this one",
    },
    appliesTo: { scopes: ["repository", "local"], git: ["tracked", "untracked", "ignored"], files: isEnvFile },
    revokeUrl: DASHBOARD_URL,
    keyAction: "rotate",
  },
  defaultOptions: { maxAgeDays: null, today: null, firstSeen: {} },
  optionsFromConfig: (config) => ({ maxAgeDays: config.rotation?.maxAgeDays ?? null, today: null, firstSeen: {} }),
  check() {
    // Decided across files: see acrossFiles.
  },
  acrossFiles: {
    collect: (file, keys) => keys.filter((key) => key.detector === LUMENFALL_DETECTOR_ID).map((key): EnvKey => ({ file: file.path, key })),
    conclude(collected, options) {
      const { maxAgeDays, today, firstSeen } = options;
      if (maxAgeDays === null || today === null) return [];
      return (collected as EnvKey[]).flatMap(({ file, key }) => {
        const since = firstSeen[key.fingerprint];
        const age = since === undefined ? 0 : daysBetween(since, today);
        if (!(age > maxAgeDays)) return [];
        return [{ file, key, messageId: "due", data: { redacted: key.redacted, identity: identityOf(key), file, age, since: since!, maxAgeDays } }];
      });
    },
  },
  examples: { valid: [], invalid: [] },
});
