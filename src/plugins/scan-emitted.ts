import { dirname, join } from "node:path";
import { loadConfig } from "../config/load-config.js";
import { scanBuffer } from "../engine/engine.js";
import type { FileFacts } from "../engine/rule.js";
import { engineOptionsFor } from "../scanning/engine-options.js";
import { compareFindings, ignoreMatcher } from "../scanning/session.js";
import { sourceContentMapper } from "../scanning/map-sources.js";
import { mapperFromJson } from "../sources/source-maps.js";
import { atOrAbove } from "../severity.js";
import type { Finding, Severity } from "../types.js";

/**
 * What the bundler gates share (SPEC §8, issue #4 item 7): the files a build is about to write,
 * scanned in memory as client output — before anything reaches a disk or a CDN. A key found in
 * a chunk is traced through the chunk's own source map to the source file that put it there.
 */

/** The client files a build emits that can carry a key (SPEC §3.4). */
const SCANNED = /\.(?:m?js|cjs|css|html|json|map)$/i;
const MAPPED = /\.(?:m?js|cjs|css)$/i;

export interface EmittedFile {
  /** Its name in the output folder, `/`-separated, as the bundler names it. */
  fileName: string;
  contents: string | Uint8Array;
  /** The file's source map (JSON text or the parsed object), when the build made one. */
  map?: string | object | null;
}

export interface GateOptions {
  /** Lowest severity that fails the build; default: the config's `failOn`, else `medium`. */
  failOn?: Severity | "none";
  /** `false`: report findings as warnings and let the build finish. Default `true`. */
  failOnFindings?: boolean;
}

export interface EmittedScan {
  /** Findings at or above `failOn`. */
  failing: Finding[];
  /** Findings below it (reported as warnings). */
  below: Finding[];
  failOn: Severity | "none";
}

export interface EmittedScanContext {
  /** The project root: config is found from here upward, and original sources are named relative to it. */
  root: string;
  /** The build's output folder (absolute): maps' relative sources resolve against it. */
  outDir: string;
  failOn?: Severity | "none" | undefined;
}

export function isScannedFile(fileName: string): boolean {
  return SCANNED.test(fileName);
}

/** Scans the emitted files that can hold a key; the others (images, fonts, wasm) are skipped. */
export function scanEmittedFiles(files: Iterable<EmittedFile>, context: EmittedScanContext): EmittedScan {
  const config = loadConfig({ startDir: context.root });
  const engine = engineOptionsFor(config.config, false);
  const isIgnored = ignoreMatcher(config);
  const failOn = context.failOn ?? config.config.failOn ?? "medium";
  const scan: EmittedScan = { failing: [], below: [], failOn };
  for (const file of files) {
    if (!isScannedFile(file.fileName) || isIgnored(join(context.outDir, file.fileName))) continue;
    const bytes = typeof file.contents === "string" ? Buffer.from(file.contents, "utf8") : file.contents;
    for (const finding of scanBuffer(factsFor(file, bytes, context), bytes, engine).findings) {
      (atOrAbove(finding.severity, failOn) ? scan.failing : scan.below).push(finding);
    }
  }
  scan.failing.sort(compareFindings);
  scan.below.sort(compareFindings);
  return scan;
}

function factsFor(file: EmittedFile, bytes: Uint8Array, context: EmittedScanContext): FileFacts {
  const facts: FileFacts = { path: file.fileName, source: "bundle", client: true };
  const mapDir = dirname(join(context.outDir, file.fileName));
  if (file.map && MAPPED.test(file.fileName)) {
    const mapper = mapperFromJson(typeof file.map === "string" ? file.map : JSON.stringify(file.map), mapDir, context.root);
    if (mapper) facts.original = mapper;
  } else if (/\.map$/i.test(file.fileName)) {
    // A key in a map's sourcesContent: name the source it is a copy of.
    facts.original = sourceContentMapper(Buffer.from(bytes).toString("utf8"), mapDir, context.root);
  }
  return facts;
}

