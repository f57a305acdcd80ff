/** Every user-facing message of the CLI in one place (STYLE: lint-staged's messages.js). */
export const messages = {
  unknownCommand: (name: string) => `lumenguard: unknown command "${name}". Run lumenguard --help for the commands.`,
  badOption: (detail: string) => `lumenguard: ${detail}. Run lumenguard --help for the options.`,
  badFormat: (format: string, formats: string[]) => `lumenguard: --format "${format}" is not one of ${formats.join(", ")}.`,
  badFailOn: (value: string) => `lumenguard: --fail-on "${value}" is not one of critical, high, medium, low, info, none.`,
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
};
