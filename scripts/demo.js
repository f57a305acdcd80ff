// `npm run demo`: the bundled example app, as its own git repository, scanned for real.
//
// examples/demo-app is copied to a temporary folder and made a repository the way a team
// would have it: most files committed — `.env.production` among them — while `.env` and
// `.env.development` sit in the working tree, untracked and not ignored. lumenguard then
// prints its report; the app leaks on purpose (examples/demo-app/EXPECTED.md), so exit 1 is
// the expected outcome. `npm run demo -- --fix` also shows `scan --fix` and git confirming it.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const app = mkdtempSync(join(tmpdir(), "acme-chat-"));
const env = { ...process.env, GIT_AUTHOR_NAME: "Acme Dev", GIT_AUTHOR_EMAIL: "dev@acme.invalid", GIT_COMMITTER_NAME: "Acme Dev", GIT_COMMITTER_EMAIL: "dev@acme.invalid" };
for (const name of Object.keys(env)) if (name.startsWith("GIT_") && !name.startsWith("GIT_AUTHOR_") && !name.startsWith("GIT_COMMITTER_")) delete env[name];
const git = (...args) => execFileSync("git", args, { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });

try {
  cpSync(join(root, "examples/demo-app"), app, { recursive: true });
  git("init", "-q", "-b", "main");
  git("add", "-A", "--", ".", ":!.env", ":!.env.development");
  git("commit", "-q", "--no-verify", "-m", "acme-chat: first version");
  const lumenguard = (...args) => spawnSync(process.execPath, [join(root, "bin/lumenguard.js"), ...args], { cwd: app, env, stdio: "inherit" });
  console.error(`$ cd ${app}   # examples/demo-app as a git repository: .env and .env.development untracked\n$ lumenguard scan\n`);
  const { status } = lumenguard("scan");
  if (process.argv.includes("--fix")) {
    console.error("\n$ lumenguard scan --fix\n");
    lumenguard("scan", "--fix");
    console.error("\n$ git check-ignore .env .env.development");
    spawnSync("git", ["check-ignore", ".env", ".env.development"], { cwd: app, env, stdio: "inherit" });
  }
  if (status !== 1) {
    console.error(`\nExpected the demo scan to find the planted leaks and exit 1; it exited ${status}.`);
    process.exitCode = 1;
  } else {
    console.error("\nThe demo app leaks on purpose (see examples/demo-app/EXPECTED.md): exit 1 is lumenguard doing its job.");
  }
} finally {
  rmSync(app, { recursive: true, force: true });
}
