import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describeJsonError, MAX_CONFIG_BYTES } from "../config/load-config.js";
import { describeSchemaError } from "../config/schema-errors.js";
import validateServerConfig from "../config/validate-server.generated.js";
import { ConfigError } from "../errors.js";
import { FileReadError, readRegularFile } from "../files.js";
import { isRefPattern } from "../git/revisions.js";
import type { ServerLfs } from "../sources/lfs-content.js";
import { DEFAULT_ACCEPTED_REFS } from "../sources/pre-receive.js";

/**
 * The settings of server-side push protection, read only from the server — never from the
 * repository being pushed, which is the pusher's to write. Checked against
 * schema/server.schema.json.
 */
export interface ServerConfig {
  /** The file they were read from, or null (defaults). */
  file: string | null;
  /** A lumenguard.config.json on the server (absolute), or null for the built-in rules. */
  config: string | null;
  allowBypass: boolean;
  /** Milliseconds one push may take to scan. */
  budgetMs: number;
  onTimeout: "reject" | "accept";
  /** The audit log (absolute). */
  auditLog: string;
  contact: string | null;
  /**
   * Whether a `lumenguard-allow` comment in a pushed file lets its finding through (each one
   * then recorded in the audit log). Default false: on a server, what passes is the admin's
   * decision, and the pusher writes the file.
   */
  inlineAllow: boolean;
  /**
   * git `--glob` patterns of the refs whose commits the server has already judged: only refs a
   * push through this hook moves belong here. Default `refs/heads/*` and `refs/tags/*`.
   */
  acceptedRefs: string[];
  /**
   * Git LFS: `{ objects }` (absolute) where the server keeps LFS content, `pointer-only` to scan
   * only the pointers (each such file recorded in the audit log), or null: content not in the
   * repository's own `lfs/objects` fails the push closed.
   */
  lfs: ServerLfs | null;
}

/** Looked for in the receiving repository's folder when no --server-config is given. */
export const SERVER_CONFIG_NAME = "lumenguard-server.json";
export const DEFAULT_AUDIT_LOG = "lumenguard-audit.log";
export const DEFAULT_BUDGET_SECONDS = 60;

interface ServerConfigFile {
  config?: string;
  allowBypass?: boolean;
  budgetSeconds?: number;
  onTimeout?: "reject" | "accept";
  auditLog?: string;
  contact?: string;
  inlineAllow?: boolean;
  acceptedRefs?: string[];
  lfs?: ServerLfs;
}

/**
 * @param explicit `--server-config FILE` (relative to `repository`), if given.
 * @param repository the receiving repository's folder (the hook's working directory).
 * @throws ConfigError (exit 2) when the file is missing (given explicitly), not JSON, or invalid.
 */
export function loadServerConfig(explicit: string | undefined, repository: string): ServerConfig {
  const file = explicit !== undefined ? resolve(repository, explicit) : join(repository, SERVER_CONFIG_NAME);
  if (!existsSync(file)) {
    if (explicit !== undefined) throw new ConfigError(explicit, null, "does not exist (given by --server-config)");
    return defaults(null, repository);
  }
  let text: string;
  try {
    // A regular file of at most 1 MiB (src/files.ts): a link to /dev/zero or a FIFO is refused.
    text = readRegularFile(file, MAX_CONFIG_BYTES)?.toString("utf8") ?? "";
  } catch (error) {
    throw new ConfigError(file, null, error instanceof FileReadError ? error.detail : "cannot be read");
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, null, `is not valid JSON (${describeJsonError(error as Error, text)})`);
  }
  if (!validateServerConfig(data)) {
    const { field, detail } = describeSchemaError(validateServerConfig.errors?.[0]);
    throw new ConfigError(file, field ?? "(root)", detail);
  }
  const settings = data as ServerConfigFile;
  // The schema's pattern, and the rules of git's ref names it cannot say (no "..", no "//").
  const badRef = settings.acceptedRefs?.findIndex((pattern) => !isRefPattern(pattern)) ?? -1;
  if (badRef !== -1) throw new ConfigError(file, `acceptedRefs[${badRef}]`, 'is not a ref pattern: "refs/" then a ref name, with * ? [ ] as wildcards');
  const dir = dirname(file);
  const base = defaults(file, repository);
  return {
    ...base,
    config: settings.config !== undefined ? resolve(dir, settings.config) : null,
    allowBypass: settings.allowBypass ?? true,
    budgetMs: Math.round((settings.budgetSeconds ?? DEFAULT_BUDGET_SECONDS) * 1000),
    onTimeout: settings.onTimeout ?? "reject",
    auditLog: settings.auditLog !== undefined ? resolve(dir, settings.auditLog) : base.auditLog,
    contact: settings.contact ?? null,
    inlineAllow: settings.inlineAllow ?? false,
    acceptedRefs: settings.acceptedRefs ?? [...DEFAULT_ACCEPTED_REFS],
    lfs: settings.lfs === undefined ? null : settings.lfs === "pointer-only" ? "pointer-only" : { objects: resolve(dir, settings.lfs.objects) },
  };
}

function defaults(file: string | null, repository: string): ServerConfig {
  return { file, config: null, allowBypass: true, budgetMs: DEFAULT_BUDGET_SECONDS * 1000, onTimeout: "reject", auditLog: join(repository, DEFAULT_AUDIT_LOG), contact: null, inlineAllow: false, acceptedRefs: [...DEFAULT_ACCEPTED_REFS], lfs: null };
}
