import { EXPORT_FORMATS, exporters, isExportFormat } from "../export/index.js";
import { messages } from "./messages.js";
import type { CliIO } from "./io.js";

/**
 * `lumenguard export-rule --format gitleaks|trufflehog|secretlint|github`: prints the Lumenfall key rule in another tool's format on stdout, for teams that
 * also run that tool or GitHub push protection. Redirect it into the tool's config file.
 */
export function exportRuleCommand(paths: string[], values: { format?: string }, io: CliIO): number {
  if (paths.length > 0) return usage(io, messages.exportRuleNoPaths(paths[0] as string));
  const format = values.format;
  if (format === undefined || !isExportFormat(format)) return usage(io, messages.exportRuleFormat(format, EXPORT_FORMATS));
  io.stdout.write(exporters[format]());
  return 0;
}

function usage(io: CliIO, message: string): number {
  io.stderr.write(`${message}\n`);
  return 2;
}
