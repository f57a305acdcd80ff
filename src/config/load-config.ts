import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { describeBytes, FileReadError, readRegularFile } from "../files.js";
import type { LumenguardConfig } from "./config-types.generated.js";
import { describeSchemaError } from "./schema-errors.js";
import validateConfig from "./validate-config.generated.js";

/**
 * Configuration: `lumenguard.config.json`, `.lumenguardrc.json` or the `lumenguard`
 * key of `package.json`, the nearest one from the scanned root upward. The nearest wins whole;
 * configs are not merged, so a sub-project (like examples/demo-app) can have its own. A bad
 * config is exit 2 with the field named — never ignored.
 */

export type { LumenguardConfig };

export interface LoadedConfig {
  config: LumenguardConfig;
  /** The config file, or null when none was found (defaults apply). */
  file: string | null;
  /** Paths in the config are relative to this directory. */
  dir: string;
}

/** The config file names looked for in each folder, nearest first (then `package.json`'s `lumenguard` key). */
export const CONFIG_FILES = ["lumenguard.config.json", ".lumenguardrc.json"];
/**
 * Limits that keep a hostile configuration (a pull request's, a cloned repository's) from
 * exhausting memory or time: a config file of at most 1 MiB (a package.json, read for its
 * `lumenguard` key, 16 MiB), and only a regular file — a link to `/dev/zero` or a FIFO at a
 * config's name is an error, never read without end; the schema caps `ignore` at 10,000 globs
 * and `customPatterns` at 200, and src/config/resolve-config.ts caps what `ignore`'s braces
 * expand to.
 */
export const MAX_CONFIG_BYTES = 1 << 20;
export const MAX_PACKAGE_JSON_BYTES = 16 << 20;

export function loadConfig(options: { explicitFile?: string; startDir: string }): LoadedConfig {
  if (options.explicitFile) {
    const file = resolve(options.explicitFile);
    if (!existsSync(file)) throw new ConfigError(options.explicitFile, null, "does not exist (given by --config)");
    return parseConfigFile(file, file.endsWith("package.json"));
  }
  for (let dir = resolve(options.startDir); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) {
      const file = join(dir, name);
      if (existsSync(file)) return parseConfigFile(file, false);
    }
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      const found = parseConfigFile(pkg, true);
      if (found.file) return found;
    }
    if (dirname(dir) === dir) return { config: {}, file: null, dir: resolve(options.startDir) };
  }
}

function parseConfigFile(file: string, fromPackageJson: boolean): LoadedConfig {
  const limit = fromPackageJson ? MAX_PACKAGE_JSON_BYTES : MAX_CONFIG_BYTES;
  let bytes: Buffer | null;
  try {
    bytes = readRegularFile(file, limit);
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    throw new ConfigError(file, null, error.reason === "too-large" ? tooLarge(limit) : error.detail);
  }
  if (bytes === null) throw new ConfigError(file, null, "cannot be read (it disappeared while lumenguard looked for it)");
  return parseConfigText(bytes.toString("utf8"), file, fromPackageJson);
}

function tooLarge(limit: number): string {
  return `is larger than ${describeBytes(limit)}; a lumenguard config is a few kilobytes`;
}

/**
 * A config file's text, read from anywhere (disk, or a commit: `ci` reads a pull request's
 * base), validated as a file at `file` would be. `file` names it in errors; paths in the
 * config are relative to its folder. For `package.json`, only its `lumenguard` key counts
 * (`file` is null when there is none).
 * @throws ConfigError (exit 2) naming the file and field.
 */
export function parseConfigText(text: string, file: string, fromPackageJson: boolean): LoadedConfig {
  const limit = fromPackageJson ? MAX_PACKAGE_JSON_BYTES : MAX_CONFIG_BYTES;
  if (text.length > limit) throw new ConfigError(file, null, tooLarge(limit));
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, null, `is not valid JSON (${describeJsonError(error as Error, text)})`);
  }
  const dir = dirname(file);
  if (fromPackageJson) {
    const section = (data as Record<string, unknown> | null)?.["lumenguard"];
    if (section === undefined) return { config: {}, file: null, dir };
    return { config: validate(section, file, "lumenguard."), file, dir };
  }
  return { config: validate(data, file, ""), file, dir };
}

/**
 * Checks a configuration against the JSON Schema (and that each custom pattern's regex compiles
 * and cannot take exponential time): the one check for config files and for config objects
 * given to the API.
 * @throws ConfigError naming `file` and the first bad field, `prefix` before it.
 */
export function validate(data: unknown, file: string, prefix: string): LumenguardConfig {
  if (!validateConfig(data)) {
    const { field, detail } = describeSchemaError(validateConfig.errors?.[0], prefix);
    throw new ConfigError(file, field ?? "(root)", detail);
  }
  const config = data as LumenguardConfig;
  config.customPatterns?.forEach((pattern, index) => {
    const field = `${prefix}customPatterns[${index}].regex`;
    let regex: RegExp;
    try {
      regex = new RegExp(pattern.regex);
    } catch (error) {
      throw new ConfigError(file, field, `is not a valid regular expression (${(error as Error).message})`);
    }
    // Nested quantifiers (`(a+)+`) can take exponential time on a crafted line.
    const isSafe = createRequire(import.meta.url)("safe-regex2") as (regex: RegExp) => boolean;
    if (!isSafe(regex)) throw new ConfigError(file, field, "can take exponential time (a repeated group holds a repeat, like (a+)+): rewrite it without nesting");
  });
  return config;
}

/**
 * Where the JSON broke, without the snippet V8 puts in its message: a config may hold a key
 * (that is one reason to scan it), and an error message must never echo one.
 */
export function describeJsonError(error: Error, text: string): string {
  const position = /at position (\d+)/.exec(error.message);
  if (position) {
    const before = text.slice(0, Number(position[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    return `line ${line}, column ${column}`;
  }
  const token = /^Unexpected token '(.)'/.exec(error.message);
  if (token) return `unexpected character '${token[1]}'`;
  return /end of JSON input/.test(error.message) ? "it ends too early" : "syntax error";
}
