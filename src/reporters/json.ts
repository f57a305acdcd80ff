import type { Reporter } from "./types.js";

/** The stable, versioned JSON shape of SPEC §5. */
export const jsonReporter: Reporter = (result) =>
  `${JSON.stringify(
    {
      version: result.version,
      mode: result.mode,
      findings: result.findings,
      warnings: result.warnings,
      suppressed: result.suppressed,
      stats: result.stats,
    },
    null,
    2,
  )}\n`;
