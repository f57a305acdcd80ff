import { findingMessage } from "./render.js";
import type { Reporter } from "./types.js";

/**
 * The stable, versioned JSON report: `{ version: 1, mode, findings, warnings, suppressed, stats }`.
 * Each finding carries its rendered `message` beside the `messageId` and `data` it was made
 * from, so readers of the JSON need no rule registry.
 */
export const jsonReporter: Reporter = (result, context) =>
  `${JSON.stringify(
    {
      version: result.version,
      mode: result.mode,
      findings: result.findings.map((finding) => {
        const { ruleId, severity, messageId, data, ...rest } = finding;
        return { ruleId, severity, message: findingMessage(finding, context), messageId, data, ...rest };
      }),
      warnings: result.warnings,
      suppressed: result.suppressed,
      stats: result.stats,
    },
    null,
    2,
  )}\n`;
