/** Every user-facing message of the CLI in one place (lint-staged's messages.js). */
export const messages = {
  unknownCommand: (name: string) => `lumenguard: unknown command "${name}". Run lumenguard --help for the commands.`,
  badOption: (detail: string) => `lumenguard: ${detail}. Run lumenguard --help for the options.`,
  badFormat: (format: string, formats: string[]) => `lumenguard: --format "${format}" is not one of ${formats.join(", ")}.`,
  badReport: (value: string, formats: string[]) =>
    `lumenguard: --report "${value}" is not FORMAT=FILE with FORMAT one of ${formats.join(", ")} (FILE "-" is standard output).`,
  reportsOnStdout: () => "lumenguard: only one report can go to standard output (--report FORMAT=- or --format without --output).",
  stepSummaryFailed: (detail: string) => `could not append to $GITHUB_STEP_SUMMARY: ${detail}`,
  badFailOn: (value: string) => `lumenguard: --fail-on "${value}" is not one of critical, high, medium, low, info, none.`,
  modeWithPaths: (mode: string) => `lumenguard: ${mode} scans the repository that holds the current directory; give no paths with it.`,
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
  configError: (detail: string) => `lumenguard: configuration error: ${detail}`,
  scanFailed: (detail: string) => `lumenguard: the scan could not run: ${detail}`,
  internalError: (detail: string) => `lumenguard: internal error: ${detail}`,
  bypass: () =>
    "If this blocks a commit or push, lumenguard failed closed on purpose: nothing was checked.\n" +
    "Fix the cause above, or bypass once with `git commit --no-verify` (or `git push --no-verify`).\n" +
    "If it looks like a lumenguard bug, report it with this message and `lumenguard --version`.",
  warning: (text: string) => `lumenguard: warning: ${text}`,
  wroteReport: (file: string) => `lumenguard: report written to ${file}`,
  wroteBaseline: (file: string, entries: number) =>
    `lumenguard: wrote ${entries} baseline ${entries === 1 ? "entry" : "entries"} to ${file} (fingerprints only, no keys).\n` +
    `Use it with: lumenguard scan --baseline ${file}  (or "baseline" in lumenguard.config.json)`,
  initNoPaths: (arg: string) => `lumenguard: init takes no paths (got "${arg}"); it sets up the repository holding the current directory.`,
  initOneManager: () => "lumenguard: choose one of --husky, --lefthook, --git-hooks.",
  initNotARepo: (detail: string) => `lumenguard: init needs a git repository: ${detail}`,
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
  initNextHusky: (files: string, active: boolean) =>
    `Next: commit ${files} and .gitignore so everyone gets the hooks.` +
    (active ? "" : '\nhusky is not active in this clone (core.hooksPath is not set): run `npx husky`, which the "prepare": "husky" script also does on npm install.'),
  initNextLefthook: (file: string) =>
    `Next: run \`npx lefthook install\` (git calls lefthook for pre-push only once it is installed for it), then commit ${file} and .gitignore.`,
  initUninstalled: () =>
    "lumenguard no longer runs on commit or push. The .env lines in .gitignore stay: they keep keys out of git either way.",
  initNothingToRemove: () => "Nothing to remove: no hook or line of lumenguard init's was found.",
  exportRuleFormat: (format: string | undefined, formats: string[]) =>
    `lumenguard: export-rule needs --format, one of ${formats.join(", ")}${format === undefined ? "" : ` (got "${format}")`}.`,
  exportRuleNoPaths: (arg: string) => `lumenguard: export-rule takes no paths (got "${arg}"); it prints the rule on stdout.`,
};
