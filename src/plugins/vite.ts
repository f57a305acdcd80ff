import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { gateFailure, gateWarning } from "./messages.js";
import { scanEmittedFiles, type EmittedFile, type EmittedScan, type GateOptions } from "./gate.js";

/**
 * `lumenguard/vite`: a Rollup-compatible plugin (Vite, Rollup, Rolldown) that fails the build
 * when a file it writes holds a key, naming the file and, through its source map, the source:
 * - every chunk and asset of the bundle (scripts, styles, maps, `.svg`, `.txt`, `.json`,
 *   `.webmanifest`, `.html`, images), in `generateBundle`, last (`enforce: "post"`), so it sees
 *   them as they will ship, before they are written;
 * - under Vite, the files of the `public/` folder (`publicDir`), which Vite copies into the
 *   output as they are, in `buildStart`: before Vite empties the output folder and copies them
 *   (at `renderStart`), so a failing build writes nothing.
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

/** The parts of Vite's resolved config the plugin reads. */
interface ViteConfigLike {
  root: string;
  /** Absolute; empty when `publicDir: false`. */
  publicDir?: string;
  build?: { outDir?: string; copyPublicDir?: boolean };
}

export interface LumenguardVitePlugin {
  name: "lumenguard";
  enforce: "post";
  apply: "build";
  configResolved(config: ViteConfigLike): void;
  buildStart(this: ContextLike): Promise<void>;
  generateBundle(this: ContextLike, outputOptions: { dir?: string | undefined; file?: string | undefined }, bundle: Record<string, ChunkLike | AssetLike>): Promise<void>;
}

export default function lumenguard(options: LumenguardViteOptions = {}): LumenguardVitePlugin {
  let root = options.root ? resolve(options.root) : undefined;
  let bundler = "Rollup";
  let publicFolder: { dir: string; outDir: string } | null = null;
  /** Warnings for findings below `failOn`; one error for those at or above it (a build failure). */
  function report(context: ContextLike, scan: EmittedScan, from?: string): void {
    for (const warning of scan.warnings) context.warn(`lumenguard: ${warning.message}`);
    for (const finding of scan.below) context.warn(gateWarning(finding, scan));
    if (scan.failing.length === 0) return;
    if (options.failOnFindings === false) for (const finding of scan.failing) context.warn(gateWarning(finding, scan));
    else context.error(gateFailure(bundler, scan.failing, scan, from));
  }
  return {
    name: "lumenguard",
    enforce: "post",
    apply: "build",
    configResolved(config) {
      root ??= config.root;
      bundler = "Vite";
      const copied = config.build?.copyPublicDir !== false && config.publicDir ? config.publicDir : "";
      publicFolder = copied ? { dir: copied, outDir: resolve(config.root, config.build?.outDir ?? "dist") } : null;
    },
    async buildStart() {
      if (publicFolder === null || !isFolder(publicFolder.dir)) return;
      const projectRoot = root ?? process.cwd();
      const scan = await scanEmittedFiles(publicFiles(publicFolder.dir), { root: projectRoot, outDir: publicFolder.outDir, failOn: options.failOn });
      const folder = relative(projectRoot, publicFolder.dir).split(sep).join("/") || ".";
      report(this, scan, `files of the public folder ${folder}/, which Vite copies into the output as they are`);
    },
    async generateBundle(outputOptions, bundle) {
      const projectRoot = root ?? process.cwd();
      const output = outputOptions.dir ?? (outputOptions.file ? dirname(outputOptions.file) : projectRoot);
      const files = Object.values(bundle).map(emittedFile);
      const scan = await scanEmittedFiles(files, { root: projectRoot, outDir: resolve(projectRoot, output), failOn: options.failOn });
      report(this, scan);
    },
  };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The files of Vite's public folder, named as they land in the output folder (`/`-separated,
 * relative to it), each read when the scan reaches it. Links are followed as Vite's copy
 * follows them: what a link names is what gets served.
 */
function* publicFiles(dir: string): Generator<EmittedFile> {
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const path = join(dir, entry);
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch {
      continue; // a dangling link: nothing to copy
    }
    if (isFile) yield { fileName: relative(dir, path).split(sep).join("/"), contents: readFileSync(path) };
  }
}

function emittedFile(item: ChunkLike | AssetLike): EmittedFile {
  return item.type === "chunk" ? { fileName: item.fileName, contents: item.code, map: item.map ?? null } : { fileName: item.fileName, contents: item.source };
}
