import { defineRule } from "../src/engine/rule.js";
import { envFileKind } from "./env-files.js";

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
    guideUrl: "https://docs.lumenfall.ai/authentication#security-best-practices",
    why: "An env file that git does not ignore is one `git add .` away from a commit that leaks every key in it.",
    fix: [
      "Add .env* and !.env.example to .gitignore (lumenguard scan --fix does it; --fix --dry-run shows the change).",
      "Keep committed examples as .env.example with placeholders only.",
    ],
    precedence: 0,
  },
  message: () => "An env file that git does not ignore",
  wantsFile: (file) => file.source === "worktree" && file.untracked === true && envFileKind(file.path) === "env",
  check(context) {
    const { file } = context;
    if (file.source !== "worktree" || file.untracked !== true || envFileKind(file.path) !== "env") return;
    const holdsKey = context.keys.some((key) => key.placeholder === null && key.detector === "lumenfall");
    context.reportFile({
      severity: holdsKey ? "high" : undefined,
      message: holdsKey
        ? "This env file holds a Lumenfall key and git does not ignore it: one `git add .` commits the key"
        : "git does not ignore this env file: one `git add .` commits whatever it holds",
    });
  },
  examples: {
    valid: [
      { code: "DEBUG=1", path: ".env", source: "staged", note: "staged: dotenv-tracked's" },
      { code: "LUMENFALL_API_KEY=lmnfl_your_api_key", path: ".env.example", source: "worktree", facts: { untracked: true } },
      { code: "LUMENFALL_API_KEY={{key}}", path: ".env", source: "worktree", facts: { ignored: true }, note: "ignored: where keys belong" },
      { code: "DEBUG=1", path: ".env", source: "worktree", facts: { tracked: true }, note: "tracked: dotenv-tracked's" },
      { code: "DEBUG=1", path: "config/env.ts", source: "worktree", facts: { untracked: true } },
    ],
    invalid: [
      { code: "DEBUG=1\n", path: ".env", source: "worktree", facts: { untracked: true }, findings: [{ line: 1, column: 1 }] },
      { code: "LUMENFALL_API_KEY={{key}}\n", path: "apps/api/.env.production", source: "worktree", facts: { untracked: true } },
      { code: "X=1", path: ".env.local", source: "worktree", facts: { untracked: true } },
    ],
  },
});
