import { defineRule } from "../src/engine/rule.js";
import { envFileKind } from "./env-files.js";

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
    guideUrl: "https://docs.lumenfall.ai/authentication#security-best-practices",
    why: "A committed .env file ships every secret it holds to everyone who can read the repository, now and in every later commit.",
    fix: [
      "Take it out of the index, keeping the file: git rm --cached <file>, and commit that.",
      "Add .env* (and !.env.example) to .gitignore: lumenguard init --git-hooks, or by hand.",
      "If it ever held a key, that key is in history: revoke it at https://lumenfall.ai/app/api_keys ({identity}).",
    ],
    precedence: 0,
  },
  message: () => "An env file is tracked by git (or staged for commit)",
  wantsFile: (file) => envFileKind(file.path) === "env",
  check(context) {
    const { file } = context;
    const tracked = file.source === "staged" || file.tracked === true;
    if (!tracked || envFileKind(file.path) !== "env") return;
    const holdsKey = context.keys.some((key) => key.placeholder === null && key.detector === "lumenfall");
    const what = file.source === "staged" ? "A .env file is staged for commit" : "A .env file is tracked by git";
    const late = file.ignoredButTracked ? " although .gitignore now matches it (ignoring a tracked file changes nothing: git rm --cached it)" : "";
    context.reportFile({ severity: holdsKey ? "critical" : undefined, message: `${what}${late}${holdsKey ? ", and it holds a Lumenfall key" : ""}` });
  },
  examples: {
    valid: [
      { code: "LUMENFALL_API_KEY=lmnfl_your_api_key", path: ".env.example", source: "staged" },
      { code: "LUMENFALL_API_KEY={{key}}", path: ".env", source: "worktree", note: "untracked, unstaged: dotenv-unignored's business" },
      { code: "# settings", path: "docs/env.md", source: "staged" },
    ],
    invalid: [
      { code: "LUMENFALL_API_KEY={{key}}", path: ".env", source: "staged", findings: [{ line: 1, column: 1 }] },
      { code: "DEBUG=1", path: "apps/web/.env.production", source: "staged", findings: [{ line: 1, column: 1 }] },
      { code: "DEBUG=1", path: ".env.local", source: "staged" },
    ],
  },
});
