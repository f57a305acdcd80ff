import { exportGithub } from "./github.js";
import { exportGitleaks } from "./gitleaks.js";
import { exportSecretlint } from "./secretlint.js";
import { exportTrufflehog } from "./trufflehog.js";

/**
 * `lumenguard export-rule`: the Lumenfall key rule in other tools' formats. One
 * registry, like the reporters; each exporter is a pure function returning the file's text.
 */
export const exporters = {
  gitleaks: exportGitleaks,
  trufflehog: exportTrufflehog,
  secretlint: exportSecretlint,
  github: exportGithub,
} as const satisfies Record<string, () => string>;

export type ExportFormat = keyof typeof exporters;

export const EXPORT_FORMATS = Object.keys(exporters) as ExportFormat[];

export function isExportFormat(format: string): format is ExportFormat {
  return Object.hasOwn(exporters, format);
}
