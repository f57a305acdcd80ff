/**
 * Errors that map to exit codes: 2 for usage and configuration, 3 when the scan
 * cannot run. Messages name the flag or field at fault and never hold a key.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  override name = "UsageError";
}

export class ConfigError extends Error {
  readonly exitCode = 2;
  override name = "ConfigError";
  constructor(
    readonly file: string,
    readonly field: string | null,
    detail: string,
  ) {
    super(field ? `${file}: "${field}" ${detail}` : `${file}: ${detail}`);
  }
}

export class ScanError extends Error {
  readonly exitCode = 3;
  override name = "ScanError";
}

export function exitCodeOf(error: unknown): number | null {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof ScanError) return error.exitCode;
  return null;
}
