/**
 * Budgets that keep one hostile file from taking the machine down: a compressed file or archive
 * is decompressed only this far, and what is cut short is a warning naming the file, never a
 * silent pass. Memory stays bounded whatever one file holds.
 */
export interface DecompressionLimits {
  /** Bytes one compressed file or archive entry may inflate to. */
  entryBytes: number;
  /** Bytes all entries of one archive may inflate to. */
  archiveBytes: number;
  /** Inflated bytes per compressed byte, checked once an entry passes 1 MiB. */
  ratio: number;
  /** Compressed bytes held in memory for formats that cannot stream here (brotli, zip from git). */
  bufferedBytes: number;
}

export const DEFAULT_LIMITS: DecompressionLimits = {
  entryBytes: 256 << 20,
  archiveBytes: 1 << 30,
  ratio: 100,
  bufferedBytes: 64 << 20,
};

/** Below this much output, the ratio is not checked: small files of repeated text compress well. */
export const RATIO_GRACE_BYTES = 1 << 20;
