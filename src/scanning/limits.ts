/**
 * Budgets that keep one hostile or huge file from taking the machine down or the scan hostage:
 * a compressed file or archive is decompressed only this far, and a user may cap the bytes
 * scanned per file. What is cut short is a warning naming the file, never a silent pass.
 * Memory stays bounded whatever one file holds.
 */
export interface ScanLimits {
  /** Bytes one compressed file or archive entry may inflate to. */
  entryBytes: number;
  /** Bytes all entries of one archive may inflate to. */
  archiveBytes: number;
  /** Inflated bytes per compressed byte, checked once an entry passes 1 MiB. */
  ratio: number;
  /** Compressed bytes held in memory for formats that cannot stream here (brotli, zip from git). */
  bufferedBytes: number;
  /**
   * Bytes scanned of one file — for a compressed file or an archive entry, of what it
   * decompresses to. The rest is skipped, counted and said. Infinity: no limit (the default).
   */
  fileBytes: number;
}

const MiB = 1 << 20;

export const DEFAULT_LIMITS: ScanLimits = {
  entryBytes: 256 * MiB,
  archiveBytes: 1024 * MiB,
  ratio: 100,
  bufferedBytes: 64 * MiB,
  fileBytes: Infinity,
};

/** One megabyte as `maxFileMegabytes` and `--max-file-megabytes` count it (gitleaks' `--max-target-megabytes` does too). */
export const MEGABYTE = 1_000_000;

/** The configuration's size settings (`maxFileMegabytes`, `archives`), over the defaults. */
export interface LimitSettings {
  maxFileMegabytes?: number | undefined;
  archives?: { maxEntryMiB?: number | undefined; maxArchiveMiB?: number | undefined; maxRatio?: number | undefined } | undefined;
}

export function limitsFrom(settings: LimitSettings): ScanLimits {
  const archives = settings.archives ?? {};
  return {
    ...DEFAULT_LIMITS,
    ...(archives.maxEntryMiB !== undefined ? { entryBytes: Math.floor(archives.maxEntryMiB * MiB) } : {}),
    ...(archives.maxArchiveMiB !== undefined ? { archiveBytes: Math.floor(archives.maxArchiveMiB * MiB) } : {}),
    ...(archives.maxRatio !== undefined ? { ratio: archives.maxRatio } : {}),
    ...(settings.maxFileMegabytes !== undefined ? { fileBytes: Math.floor(settings.maxFileMegabytes * MEGABYTE) } : {}),
  };
}

/** Below this much output, the ratio is not checked: small files of repeated text compress well. */
export const RATIO_GRACE_BYTES = 1 << 20;

/** The warning code of a file scanned only up to `fileBytes` (counted in `stats.skipped`). */
export const FILE_SIZE_LIMIT = "file-size-limit";
