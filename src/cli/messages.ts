import { printable } from "../reporters/printable.js";

/** The git command a hook stops: `git commit` (pre-commit), `git merge` (pre-merge-commit), `git push` (pre-push). */
const gated = (hook: string) => (hook === "pre-push" ? "push" : hook === "pre-merge-commit" ? "merge" : "commit");

/**
 * Every user-facing message of the CLI in one place (lint-staged's messages.js), the
 * pre-receive hook's included. Whatever a
 * message quotes — a path, a flag value, a config detail, a warning about a file — was written
 * by someone else: every string argument goes through `printable` (one line, controls shown as
 * escapes), and everything written to stderr is scrubbed of keys by run().
 */
const templates = {
  unknownCommand: (name: string) => `lumenguard: unknown command "${name}". Run lumenguard --help for the commands.`,
  badOption: (detail: string) => `lumenguard: ${detail}. Run lumenguard --help for the options.`,
  badFormat: (format: string, formats: readonly string[]) => `lumenguard: --format "${format}" is not one of ${formats.join(", ")}.`,
  badReport: (value: string, formats: readonly string[]) =>
    `lumenguard: --report "${value}" is not FORMAT=FILE with FORMAT one of ${formats.join(", ")} (FILE "-" is standard output).`,
  reportsOnStdout: () => "lumenguard: only one report can go to standard output (--report FORMAT=- or --format without --output).",
  stepSummaryFailed: (detail: string) => `could not append to $GITHUB_STEP_SUMMARY: ${detail}`,
  stepSummaryFull: () => "$GITHUB_STEP_SUMMARY is nearly at GitHub's 1 MiB per step already; lumenguard's summary was not added (the annotations say where every finding is)",
  badFailOn: (value: string) => `lumenguard: --fail-on "${value}" is not one of critical, high, medium, low, info, none.`,
  stdinWithGitMode: (mode: string) => `lumenguard: ${mode} scans a git repository; standard input ("-") goes with a plain scan.`,
  prePushArguments: () => "lumenguard: --pre-push takes at most [PATH] [REMOTE [URL]]: the repository, and the remote's name and URL git passes to a pre-push hook.",
  failOnExistingNeedsStaged: () => "lumenguard: --fail-on-existing goes with --staged: it makes keys already committed in HEAD fail the commit too.",
  oneMode: (modes: string[]) => `lumenguard: choose one of ${modes.join(", ")}.`,
  rangeNeedsHistory: () => "lumenguard: --range, --since-commit and --all go with --history.",
  ciFlags: () => "lumenguard: ci scans the working tree and the CI range; of the mode flags it takes only --range.",
  bundlesWithMode: (mode: string) => `lumenguard: --bundles adds client output to a working-tree scan; it does not go with ${mode}.`,
  packOneFolder: () => "lumenguard: --pack scans one package: give its folder, or nothing for the current directory.",
  fixChanged: (file: string, note: string, dryRun: boolean) => `lumenguard: ${dryRun ? "would update" : "updated"} ${file} (${note})`,
  fixNothing: () => "lumenguard: --fix: every env file is already ignored; nothing to change.",
  fixCommand: (command: string) => `lumenguard: this env file is tracked; untrack it (the file stays on disk), then commit: ${command}`,
  fixStill: (file: string) => `lumenguard: ${file} is still not ignored after the fix; check the .gitignore files above it for a negation`,
  rangeOrSince: () => "lumenguard: give --range or --since-commit, not both.",
  badSinceCommit: (value: string) => `lumenguard: --since-commit "${value}" is not a commit (empty, or starting with "-", which git would read as an option).`,
  badMaxFileMegabytes: (value: string) => `lumenguard: --max-file-megabytes "${value}" is not a number of megabytes greater than 0.`,
  stdinFilenameWithoutStdin: () => `lumenguard: --stdin-filename needs "-" among the paths (read standard input).`,
  shardOnlyWithScan: (command: string) =>
    `lumenguard: --shard goes with scan (scan --history --shard I/N, or a plain scan --shard I/N of the working tree); ${command} is not split into shards. Merge the shards' JSON reports with lumenguard merge.`,
  shardWithFix: () => "lumenguard: --fix changes .gitignore from what the whole scan found; run it without --shard.",
  mergeFlags: (flags: string[]) =>
    `lumenguard: merge takes JSON reports and --format, --output, --report, --fail-on, --config, --color; not ${flags.join(", ")} (those go with the scans whose reports it merges).`,
  mergeNothing: () => "lumenguard: merge needs JSON reports to merge: lumenguard merge shard-1.json shard-2.json … (each written by lumenguard scan --format json).",
  mergeFailed: (detail: string) => `lumenguard: merge: ${detail}`,
  configError: (detail: string) => `lumenguard: configuration error: ${detail}`,
  gateIncomplete: (count: number, ci = false) =>
    `lumenguard: exit 3: this gate could not read everything it had to judge (the ${count === 1 ? "warning" : `${count} warnings`} above say${count === 1 ? "s" : ""} what, and how to fetch it), so it fails closed whatever the findings.\n` +
    (ci
      ? "In CI: fetch what is missing in the job (actions/checkout with fetch-depth: 0, GitLab's GIT_DEPTH: 0, git lfs pull) and run it again."
      : "Fetch what is missing and run it again, or bypass once with `git commit --no-verify` (or `git push --no-verify`)."),
  scanFailed: (detail: string) => `lumenguard: the scan could not run: ${detail}`,
  internalError: (detail: string) => `lumenguard: internal error: ${detail}`,
  bypass: (ci = false) =>
    (ci
      ? "In CI, lumenguard failed closed on purpose: nothing was checked, so the job fails rather than pass unchecked.\n" +
        "Fix the cause above in the job (fetch the history it needs: actions/checkout with fetch-depth: 0, GitLab's GIT_DEPTH: 0) and run it again.\n"
      : "If this blocks a commit or push, lumenguard failed closed on purpose: nothing was checked.\n" +
        "Fix the cause above, or bypass once with `git commit --no-verify` (or `git push --no-verify`).\n") +
    "If it looks like a lumenguard bug, report it with this message and `lumenguard --version`.",
  warning: (text: string) => `lumenguard: warning: ${text}`,
  wroteReport: (file: string) => `lumenguard: report written to ${file}`,
  wroteBaseline: (file: string, entries: number) =>
    `lumenguard: wrote ${entries} baseline ${entries === 1 ? "entry" : "entries"} to ${file} (fingerprints only, no keys).\n` +
    `Use it with: lumenguard scan --baseline ${file}  (or "baseline" in lumenguard.config.json)`,
  initNoPaths: (arg: string) => `lumenguard: init takes no paths (got "${arg}"); it sets up the repository holding the current directory.`,
  initOneManager: () => "lumenguard: choose one of --husky, --lefthook, --git-hooks.",
  initNotARepo: (detail: string) => `lumenguard: init needs a git repository: ${detail}`,
  refusedTarget: (file: string, what: string) =>
    `refusing to write ${file}: it is ${what}, not a regular file (lumenguard never writes through links); remove or rename it and run the command again`,
  refusedFolder: (folder: string, what: string) =>
    what === "a symbolic link"
      ? `refusing to write below ${folder}: it is ${what}, not a real folder (lumenguard never writes through links); name the folder it points to, or another one, and run the command again`
      : `refusing to write below ${folder}: it is ${what}, not a folder; name another folder and run the command again`,
  refusedOutside: (file: string, within: string) => `refusing to write ${file}: it is outside ${within}, the folder this write is confined to`,
  initHooksOutside: (where: HooksOutside, lines: Array<[hook: string, line: string]>) =>
    [
      `lumenguard: init changed nothing: ${hooksOutsideReason(where)}`,
      "lumenguard writes hooks only inside the repository: a hooks folder elsewhere may be shared by every repository (a global ~/.githooks) or hold other programs (a folder on PATH), and a repository's own config can point it anywhere.",
      `To use that folder anyway, add these lines to its hooks yourself (each hook a file named as below, executable):`,
      ...lines.map(([hook, line]) => `  ${hook}: ${printable(line)}`),
      where.stop === null ? "Or make git use a hooks folder inside the repository, and run lumenguard init again." : `Or stop using that folder in this repository: \`${printable(where.stop)}\`, and run lumenguard init again.`,
    ].join("\n"),
  initUninstallHooksOutside: (where: HooksOutside) =>
    [
      `lumenguard: init --uninstall changed nothing: ${hooksOutsideReason(where)}`,
      "lumenguard changes hooks only inside the repository. Remove lumenguard from that folder yourself: a hook it wrote starts with the line \"# lumenguard: installed by lumenguard init\" (a hook it kept is <name>.lumenguard-chained: rename it back), and a line it added ends in \"# lumenguard (added by lumenguard init)\".",
      `${where.stop === null ? "" : `Or, if this repository should not use that folder, \`${printable(where.stop)}\`. `}\`lumenguard init --uninstall --lefthook\` (or --husky, with a .husky folder in the repository) removes only what init added inside the repository.`,
    ].join("\n"),
  initServerHooksOutside: (where: HooksOutside, uninstall: boolean, line: string) =>
    [
      `lumenguard: init --server${uninstall ? " --uninstall" : ""} changed nothing: ${hooksOutsideReason(where)}`,
      "lumenguard installs the pre-receive hook only in this repository's own hooks folder: a hooks folder elsewhere runs for other repositories too.",
      uninstall
        ? 'Remove lumenguard from that folder yourself: its hook starts with "#!/bin/sh" and "# lumenguard: server-side push protection" (a hook it kept is pre-receive.before-lumenguard: rename it back).'
        : `To scan pushes from that folder, add this to its pre-receive hook yourself (git feeds it the pushed refs on standard input):\n  ${printable(line)}`,
      where.stop === null ? "Or make git use a hooks folder inside this repository." : `Or stop using that folder in this repository: \`${printable(where.stop)}\` (in ${printable(where.gitDir)}), and run the command again.`,
    ].join("\n"),
  initRefused: (detail: string) => `lumenguard: init changed nothing: ${detail}`,
  initFailed: (detail: string) => `lumenguard: init could not finish: ${detail}`,
  initHeader: (what: string, root: string, dryRun: boolean) => `lumenguard init${dryRun ? " --dry-run" : ""}: ${what} in ${root}`,
  initChange: (verb: string, file: string, note: string) => `  ${verb.padEnd(13)} ${file}  (${note})`,
  initConflict: (file: string, note: string) => `lumenguard: ${file}: ${note}`,
  initConflicts: () =>
    "lumenguard: nothing was changed. Resolve the above (or set the hook up by hand, see the README\n" +
    'section "Hook setup: lumenguard init") and run lumenguard init again.',
  initDryRun: () => "Dry run: nothing was changed. Run the same command without --dry-run to apply it.",
  initNextGitHooks: (hooksDir: string, shared: boolean) =>
    shared
      ? `Next: commit ${hooksDir} and .gitignore; each clone needs core.hooksPath set to ${hooksDir} for git to use them.`
      : `Next: commit as usual (with the .gitignore change, if any): lumenguard now checks each commit and push.\n${hooksDir} is not part of the repository: run lumenguard init in each clone.`,
  initNextHusky: (files: string) => `Next: commit ${files} and .gitignore so everyone gets the hooks.`,
  initNextLefthook: (file: string) =>
    `Next: run \`npx lefthook install\` (git calls lefthook for pre-push only once it is installed for it), then commit ${file} and .gitignore.`,
  initOfferRotation: (configFile: string) =>
    `Optional: to rotate keys periodically, add "rotation": { "maxAgeDays": 90 } to ${configFile}; lumenguard scan then reports keys in your env files older than that (key-rotation-due).`,
  initUninstalled: () =>
    "lumenguard no longer runs on commit or push. The .env lines in .gitignore stay: they keep keys out of git either way.",
  hookMissing: (hook: string, looked: string, install: string) =>
    `lumenguard: the ${hook} hook cannot find lumenguard (looked for ${looked}). ` +
    `Install it: ${install}. Nothing was checked, so the ${gated(hook)} is blocked; ` +
    `to bypass once: git ${gated(hook)} --no-verify`,
  /** Split around the PATH the hook got, which the hook prints between the two parts. */
  hookNoNode: (hook: string) => ({
    before: `lumenguard: the ${hook} hook cannot run lumenguard: node is not on the PATH git gave this hook (PATH=`,
    after:
      "). GUI git clients and version managers such as nvm often start hooks without it: " +
      'add the folder that holds node to PATH in ~/.config/husky/init.sh (for example export PATH="$HOME/.nvm/versions/node/v20.19.0/bin:$PATH"), ' +
      `which husky and lumenguard's hooks read first. To bypass once: git ${gated(hook)} --no-verify`,
  }),
  initNotActive: (reason: string, fix: string) => `lumenguard: warning: git will not run these hooks in this checkout: ${reason}. ${fix}`,
  initNothingToRemove: () => "Nothing to remove: no hook or line of lumenguard init's was found.",
  exportRuleFormat: (format: string | undefined, formats: string[]) =>
    `lumenguard: export-rule needs --format, one of ${formats.join(", ")}${format === undefined ? "" : ` (got "${format}")`}.`,
  exportRuleNoPaths: (arg: string) => `lumenguard: export-rule takes no paths (got "${arg}"); it prints the rule on stdout.`,
  // scan --pre-receive (src/server/pre-receive-command.ts): git shows these to the pusher after `remote:`.
  preReceiveNoPaths: (arg: string) =>
    `lumenguard: --pre-receive scans the repository it runs in (git's hook working directory); it takes no paths (got "${arg}").`,
  preReceiveMisconfigured: (detail: string) =>
    `lumenguard: push rejected: the server's push protection is misconfigured (${detail}). Ask the server's administrator.`,
  preReceiveScanFailed: (detail: string, contact: string | null) =>
    `lumenguard: push rejected: the push could not be scanned (${detail}), and this server fails closed.${contact ? ` Questions: ${contact}` : ""}`,
  preReceiveUnreadable: (contact: string | null) =>
    `lumenguard: push rejected: part of this push could not be read (the warnings above say what), and this server fails closed.${contact ? ` Questions: ${contact}` : ""}`,
  preReceiveClean: (commits: number, alreadyThere = 0) =>
    alreadyThere > 0 ? `lumenguard: ${commits} new commit(s) scanned, no new Lumenfall keys found (${alreadyThere} already there, above).` : `lumenguard: ${commits} new commit(s) scanned, no Lumenfall keys found.`,
  preReceiveAlreadyThere: (places: string[], revokeUrl: string | null) =>
    [`lumenguard: ${places.length} key(s) in files this push changes were already in those files on this server (this push does not add them), and are leaked: revoke them${revokeUrl ? ` at ${revokeUrl}` : ""}`, ...places.map((place) => `  ${place}`)].join("\n"),
  preReceiveInlineAllowed: (commits: number, findings: number) =>
    `lumenguard: ${commits} new commit(s) scanned; ${findings} finding(s) let through by lumenguard-allow comments (this server honours them, inlineAllow: true), each recorded in the server's audit log. Revoke any real key all the same.`,
  preReceiveLfsUnrecorded: (detail: string, contact: string | null) =>
    `lumenguard: push rejected: this server accepts Git LFS files on their pointer only when it can record them, and the audit log could not be written (${detail}).${contact ? ` Questions: ${contact}` : ""}`,
  inlineAllowUnrecorded: (detail: string) => `the lumenguard-allow comments could not be recorded in the audit log (${detail}), so they are not honoured`,
  preReceiveBypassed: (findings: number) =>
    `lumenguard: ${findings} finding(s) let through by lumenguard.allow, with the reason recorded in the server's audit log. Revoke any real key all the same.`,
  preReceiveRejectionUnrecorded: (detail: string) => `lumenguard: warning: the rejection could not be recorded in the audit log (${detail})`,
  preReceiveAuditUnwritable: (detail: string) => `lumenguard: warning: the audit log could not be written (${detail})`,
  preReceiveTimeoutAccepted: (seconds: number) =>
    `lumenguard: warning: the push was not fully scanned within ${seconds} s; this server lets such pushes through (onTimeout: accept), and has recorded it.`,
  preReceiveTimeoutRejected: (seconds: number, contact: string | null) =>
    `lumenguard: push rejected: the scan of this push ran out of its ${seconds} s budget, and this server fails closed. Push fewer commits at a time, or ask the administrator to raise budgetSeconds.${contact ? ` Questions: ${contact}` : ""}`,
  // Why push options did not let a push through: lines of the rejection message (src/server/rejection.ts).
  bypassUnrecorded: (detail: string) => `the bypass could not be recorded in the audit log (${detail}), so it is refused`,
  bypassForbidden: () => "lumenguard.allow was given, but this server does not allow bypasses",
  bypassNamesNothing: (prefix: string) => `lumenguard.allow=${prefix} names no finding of this push`,
  bypassNeedsAllow: () => "a bypass names each key with -o lumenguard.allow=<fingerprint prefix>, as the rejection shows it",
  bypassUncovered: (count: number) => `${count} blocking finding(s) are not named by a lumenguard.allow: every one needs its own`,
  bypassNeedsReason: () => 'a bypass needs a reason: add -o lumenguard.reason="<why>"',
};

type Templates = typeof templates;

/** Each template with its string arguments (and strings in array arguments) made printable. */
function echoSafe(all: Templates): Templates {
  const safe: Record<string, unknown> = {};
  for (const [name, template] of Object.entries(all)) {
    safe[name] = (...args: unknown[]) =>
      (template as (...values: unknown[]) => string)(...args.map((arg) => (typeof arg === "string" ? printable(arg) : Array.isArray(arg) ? arg.map((item) => (typeof item === "string" ? printable(item) : item)) : arg)));
  }
  return safe as Templates;
}

export const messages = echoSafe(templates);

/** A hooks folder outside the repository, for the init messages: the folder, what set it, the command that stops using it. */
export interface HooksOutside {
  folder: string;
  realFolder: string;
  /** describeOrigin()'s sentence. */
  origin: string;
  root: string;
  gitDir: string;
  stop: string | null;
}

function hooksOutsideReason(where: HooksOutside): string {
  // These are objects, which echoSafe() passes as they are: every path is made printable here.
  const link = where.realFolder === where.folder ? "" : ` (through a symbolic link: ${printable(where.realFolder)})`;
  return `git runs this repository's hooks from ${printable(where.folder)}${link}, which is outside the repository (${where.root === where.gitDir ? printable(where.gitDir) : `${printable(where.root)} and its git directory ${printable(where.gitDir)}`}); ${printable(where.origin)}.`;
}
