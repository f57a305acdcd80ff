import { compactReporter } from "./compact.js";
import { safeReporter } from "./scrub-result.js";
import { textReporter } from "./text.js";
import type { Reporter } from "./types.js";

/** Every output format's name, in the order `--help` and the README list them. */
export const FORMATS = ["text", "json", "sarif", "github", "gitlab", "junit", "compact", "html"] as const;

export type Format = (typeof FORMATS)[number];

export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}

/**
 * The reporter of one format, scrubbed like every entry of the `reporters` registry
 * (index.ts), imported on first use: the terminal formats (`text`, `compact`) come with this
 * module, and each of the others is its own chunk of the CLI bundle, so a pre-commit hook that
 * prints text never loads the SARIF, HTML or JUnit code.
 */
export async function loadReporter(format: Format): Promise<Reporter> {
  switch (format) {
    case "text":
      return safeReporter(textReporter);
    case "compact":
      return safeReporter(compactReporter);
    case "json":
      return safeReporter((await import("./json.js")).jsonReporter);
    case "sarif":
      return safeReporter((await import("./sarif.js")).sarifReporter);
    case "github":
      return safeReporter((await import("./github.js")).githubReporter);
    case "gitlab":
      return safeReporter((await import("./gitlab.js")).gitlabReporter);
    case "junit":
      return safeReporter((await import("./junit.js")).junitReporter);
    case "html":
      return safeReporter((await import("./html.js")).htmlReporter);
  }
}
