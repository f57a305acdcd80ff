import { LUMENFALL_DETECTOR_ID } from "../src/detectors/lumenfall/index.js";
import { defineRule } from "../src/engine/rule.js";
import { isEnvFile } from "./env-files.js";
import { DASHBOARD_URL, GUIDE_URL } from "./support/guide.js";

/**
 * Keep keys in a `.env` file that `.gitignore` covers. An env file git does not ignore is one
 * `git add .` away from being committed — with every key in it. Decided by git's own ignore
 * logic (nested `.gitignore` files with negations, `.git/info/exclude`, the global excludes
 * file): the file was listed as untracked and not ignored.
 */
export default defineRule({
  meta: {
    id: "dotenv-unignored",
    severity: "medium",
    practice: "Use environment variables, and add .env to .gitignore",
    guideUrl: GUIDE_URL,
    why: "An env file that git does not ignore is one `git add .` away from a commit that leaks every key in it.",
    fix: [
      "Add .env* (keeping !.env.example and the other templates) to .gitignore: lumenguard scan --fix does it; --fix --dry-run shows the change.",
      "Keep committed examples as .env.example with placeholders only.",
    ],
    messages: {
      unignored: "git does not ignore this env file: one `git add .` commits whatever it holds",
      unignoredWithKey: "This env file holds a Lumenfall key and git does not ignore it: one `git add .` commits the key",
    },
    appliesTo: { scopes: ["repository"], git: ["untracked"], files: isEnvFile },
    revokeUrl: DASHBOARD_URL,
  },
  defaultOptions: {},
  checksFilesWithoutKeys: true,
  check(context) {
    const holdsKey = context.keys.some((key) => key.placeholder === null && key.detector === LUMENFALL_DETECTOR_ID);
    context.report({ messageId: holdsKey ? "unignoredWithKey" : "unignored", ...(holdsKey ? { severity: "high" as const } : {}) });
  },
  examples: {
    valid: [
      { code: "DEBUG=1", path: ".env", facts: { git: "staged" }, note: "staged: dotenv-tracked's" },
      { code: "LUMENFALL_API_KEY=lmnfl_your_api_key", path: ".env.example", facts: { git: "untracked" } },
      { code: "LUMENFALL_API_KEY={{key}}", path: ".env", facts: { scope: "local", git: "ignored" }, note: "ignored: where keys belong" },
      { code: "DEBUG=1", path: ".env", facts: { git: "tracked" }, note: "tracked: dotenv-tracked's" },
      { code: "DEBUG=1", path: "config/env.ts", facts: { git: "untracked" } },
    ],
    invalid: [
      { code: "DEBUG=1\n", path: ".env", facts: { git: "untracked" }, findings: [{ line: 1, column: 1, severity: "medium", messageId: "unignored" }] },
      { code: "LUMENFALL_API_KEY={{key}}\n", path: "apps/api/.env.production", facts: { git: "untracked" }, findings: [{ line: 1, column: 1, severity: "high", messageId: "unignoredWithKey" }] },
      { code: "X=1", path: ".env.local", facts: { git: "untracked" }, findings: [{ line: 1, column: 1, severity: "medium" }] },
      { code: "X=1", path: ".Env.local", facts: { git: "untracked" }, note: "the name's case does not matter", findings: [{ line: 1, column: 1, severity: "medium" }] },
      { code: "X=1", path: ".ENV", facts: { git: "untracked" }, findings: [{ line: 1, column: 1, severity: "medium" }] },
    ],
  },
});
