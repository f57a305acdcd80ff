import { LUMENFALL_DETECTOR_ID } from "../src/detectors/lumenfall/index.js";
import { defineRule } from "../src/engine/rule.js";
import { isEnvFile } from "./env-files.js";
import { DASHBOARD_URL, GUIDE_URL } from "./support/guide.js";

/**
 * Use environment variables, with `.env` added to `.gitignore`. A `.env` file that git tracks,
 * or that is staged for the next commit, is on its way into every clone — with whatever keys
 * it holds now or will hold later. Templates (`.env.example` and friends) are meant to be
 * committed and are exempt; they are still scanned for real keys.
 */
export default defineRule({
  meta: {
    id: "dotenv-tracked",
    severity: "high",
    practice: "Use environment variables, and add .env to .gitignore",
    guideUrl: GUIDE_URL,
    why: "A committed .env file ships every secret it holds to everyone who can read the repository, now and in every later commit.",
    fix: [
      "Take it out of the index, keeping the file: git rm --cached <file>, and commit that.",
      "Add .env* (and !.env.example) to .gitignore: lumenguard init, or lumenguard scan --fix.",
      `If it ever held a key, that key is in history: revoke it at ${DASHBOARD_URL} ({identity}).`,
    ],
    messages: {
      tracked: "A .env file is tracked by git",
      trackedWithKey: "A .env file is tracked by git, and it holds a Lumenfall key",
      trackedLate: "A .env file is tracked by git although .gitignore now matches it (ignoring a tracked file changes nothing: git rm --cached it)",
      trackedLateWithKey:
        "A .env file is tracked by git although .gitignore now matches it (ignoring a tracked file changes nothing: git rm --cached it), and it holds a Lumenfall key",
      staged: "A .env file is staged for commit",
      stagedWithKey: "A .env file is staged for commit, and it holds a Lumenfall key",
    },
    appliesTo: { scopes: ["repository"], git: ["tracked", "staged"], files: isEnvFile },
    revokeUrl: DASHBOARD_URL,
  },
  defaultOptions: {},
  checksFilesWithoutKeys: true,
  check(context) {
    const { file } = context;
    const holdsKey = context.keys.some((key) => key.placeholder === null && key.detector === LUMENFALL_DETECTOR_ID);
    const base = file.git === "staged" ? "staged" : file.ignoredButTracked ? "trackedLate" : "tracked";
    context.report({ messageId: holdsKey ? `${base}WithKey` : base, ...(holdsKey ? { severity: "critical" as const } : {}) });
  },
  examples: {
    valid: [
      { code: "LUMENFALL_API_KEY=lmnfl_your_api_key", path: ".env.example", facts: { git: "staged" } },
      { code: "LUMENFALL_API_KEY=lmnfl_your_api_key", path: ".ENV.Example", facts: { git: "staged" }, note: "a template, whatever the case" },
      { code: "DEBUG=1", path: "docs/ENVIRONMENT.md", facts: { git: "staged" } },
      { code: "LUMENFALL_API_KEY={{key}}", path: ".env", facts: { git: "untracked" }, note: "untracked, unstaged: dotenv-unignored's business" },
      { code: "# settings", path: "docs/env.md", facts: { git: "staged" } },
      { code: "DEBUG=1", path: ".env", facts: { scope: "history" }, note: "history is not the index" },
    ],
    invalid: [
      { code: "LUMENFALL_API_KEY={{key}}", path: ".env", facts: { git: "staged" }, findings: [{ line: 1, column: 1, severity: "critical", messageId: "stagedWithKey" }] },
      { code: "DEBUG=1", path: "apps/web/.env.production", facts: { git: "staged" }, findings: [{ line: 1, column: 1, severity: "high", messageId: "staged" }] },
      { code: "DEBUG=1", path: ".env.local", facts: { git: "tracked" }, findings: [{ line: 1, column: 1, severity: "high", messageId: "tracked" }] },
      { code: "DEBUG=1", path: ".env", facts: { git: "tracked", ignoredButTracked: true }, findings: [{ line: 1, column: 1, messageId: "trackedLate", severity: "high" }] },
      { code: "DEBUG=1", path: ".ENV", facts: { git: "staged" }, note: "the name's case does not matter: macOS and Windows checkouts read .ENV as .env", findings: [{ line: 1, column: 1, severity: "high", messageId: "staged" }] },
      { code: "LUMENFALL_API_KEY={{key}}", path: "web/.Env.Local", facts: { git: "tracked" }, findings: [{ line: 1, column: 1, severity: "critical", messageId: "trackedWithKey" }] },
    ],
  },
});
