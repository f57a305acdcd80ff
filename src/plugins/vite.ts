import { dirname, resolve } from "node:path";
import { gateFailure, gateWarning } from "./messages.js";
import { scanEmittedFiles, type EmittedFile, type GateOptions } from "./gate.js";

/**
 * `lumenguard/vite`: a Rollup-compatible plugin (Vite, Rollup, Rolldown) that fails the build
 * when an emitted client chunk holds a key, naming the chunk and, through its source map, the
 * source. It runs last (`enforce: "post"`) in `generateBundle`, so
 * it sees the code as it will ship, before anything is written.
 *
 * Rollup's and Vite's types are not imported: the shapes below are the parts the plugin reads,
 * and Vite's `Plugin` accepts the object as it is.
 */
export interface LumenguardViteOptions extends GateOptions {
  /** Project root (config lookup, source names). Default: Vite's `root`, else the current directory. */
  root?: string;
}

interface ChunkLike {
  type: "chunk";
  fileName: string;
  code: string;
  map?: object | null;
}

interface AssetLike {
  type: "asset";
  fileName: string;
  source: string | Uint8Array;
}

interface ContextLike {
  error(message: string): never;
  warn(message: string): void;
}

export interface LumenguardVitePlugin {
  name: "lumenguard";
  enforce: "post";
  apply: "build";
  configResolved(config: { root: string }): void;
  generateBundle(this: ContextLike, outputOptions: { dir?: string | undefined; file?: string | undefined }, bundle: Record<string, ChunkLike | AssetLike>): Promise<void>;
}

export default function lumenguard(options: LumenguardViteOptions = {}): LumenguardVitePlugin {
  let root = options.root ? resolve(options.root) : undefined;
  let bundler = "Rollup";
  return {
    name: "lumenguard",
    enforce: "post",
    apply: "build",
    configResolved(config) {
      root ??= config.root;
      bundler = "Vite";
    },
    async generateBundle(outputOptions, bundle) {
      const projectRoot = root ?? process.cwd();
      const output = outputOptions.dir ?? (outputOptions.file ? dirname(outputOptions.file) : projectRoot);
      const files = Object.values(bundle).map(emittedFile);
      const scan = await scanEmittedFiles(files, { root: projectRoot, outDir: resolve(projectRoot, output), failOn: options.failOn });
      for (const warning of scan.warnings) this.warn(`lumenguard: ${warning.message}`);
      for (const finding of scan.below) this.warn(gateWarning(finding, scan));
      if (scan.failing.length === 0) return;
      if (options.failOnFindings === false) for (const finding of scan.failing) this.warn(gateWarning(finding, scan));
      else this.error(gateFailure(bundler, scan.failing, scan));
    },
  };
}

function emittedFile(item: ChunkLike | AssetLike): EmittedFile {
  return item.type === "chunk" ? { fileName: item.fileName, contents: item.code, map: item.map ?? null } : { fileName: item.fileName, contents: item.source };
}
