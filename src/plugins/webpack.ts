import { existsSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { Finding } from "../types.js";
import { gateFailure, gateWarning } from "./messages.js";
import { scanEmittedFiles, type EmittedFile, type GateOptions } from "./gate.js";

/**
 * `lumenguard/webpack`: fails the build when an emitted asset — a chunk, a map, an asset module's
 * file, anything the build writes — holds a key, naming the asset and, through its source map,
 * the source. It runs at the
 * ANALYSE stage of `processAssets`: after minification and after the devtool plugin wrote the
 * maps, before anything is emitted. webpack itself is reached through `compiler.webpack`, so
 * this module loads no webpack code, and its types below are the parts of webpack's it reads
 * (webpack 5's `Compiler` and `Compilation` accept it as they are): a TypeScript project
 * without webpack installed compiles against these declarations.
 */
const NAME = "LumenguardWebpackPlugin";

interface SourceLike {
  source(): string | Buffer;
  map(): object | null;
}

interface AssetLike {
  name: string;
  source: SourceLike;
  info: { related?: Record<string, string | string[] | undefined> | undefined };
}

interface ErrorLike extends Error {
  hideStack?: boolean;
}

interface TapLike<Args extends unknown[], Result> {
  tap(name: string | { name: string; stage?: number }, callback: (...args: Args) => Result): void;
  tapPromise(options: string | { name: string; stage?: number }, callback: (...args: Args) => Promise<void>): void;
}

/** The parts of webpack 5's `Compilation` the plugin reads. */
export interface CompilationLike {
  outputOptions: { path?: string | undefined };
  hooks: { processAssets: TapLike<[unknown], void> };
  getAssets(): readonly AssetLike[];
  getAsset(name: string): AssetLike | undefined;
  warnings: ErrorLike[];
  errors: ErrorLike[];
}

/** The parts of webpack 5's `Compiler` the plugin reads. */
export interface CompilerLike {
  context: string;
  webpack: { Compilation: { PROCESS_ASSETS_STAGE_ANALYSE: number }; WebpackError: new (message: string) => ErrorLike };
  hooks: {
    shouldEmit: TapLike<[CompilationLike], boolean | undefined>;
    thisCompilation: TapLike<[CompilationLike, unknown], void>;
  };
}

export type LumenguardWebpackOptions = GateOptions;

export default class LumenguardWebpackPlugin {
  constructor(private readonly options: LumenguardWebpackOptions = {}) {}

  apply(compiler: CompilerLike): void {
    const { Compilation: CompilationClass, WebpackError } = compiler.webpack;
    const blocked = new WeakSet<CompilationLike>();
    // Development builds emit despite errors (`optimization.emitOnErrors`): a key must not reach the disk either way.
    compiler.hooks.shouldEmit.tap(NAME, (compilation) => (blocked.has(compilation) ? false : undefined));
    compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
      compilation.hooks.processAssets.tapPromise({ name: NAME, stage: CompilationClass.PROCESS_ASSETS_STAGE_ANALYSE }, async () => {
        const outDir = compilation.outputOptions.path ?? resolve(compiler.context, "dist");
        const scan = await scanEmittedFiles(emittedFiles(compilation), { root: compiler.context, outDir, failOn: this.options.failOn });
        const name = (finding: Finding) => withSourceName(finding, compiler.context);
        for (const warning of scan.warnings) compilation.warnings.push(new WebpackError(`lumenguard: ${warning.message}`));
        for (const finding of scan.below) compilation.warnings.push(new WebpackError(gateWarning(name(finding), scan)));
        if (scan.failing.length === 0) return;
        if (this.options.failOnFindings === false) {
          for (const finding of scan.failing) compilation.warnings.push(new WebpackError(gateWarning(name(finding), scan)));
          return;
        }
        const error = new WebpackError(gateFailure("webpack", scan.failing.map(name), scan));
        error.hideStack = true;
        compilation.errors.push(error);
        blocked.add(compilation);
      });
    });
  }
}

/**
 * Every asset as it will be written — chunks, their maps, and asset modules (`asset/resource`
 * files; `asset/source` and `asset/inline` are inside the chunks, as text and as a base64 data
 * URL) — each with its map: the `sourceMap` asset the devtool made, else the source's own.
 */
function* emittedFiles(compilation: CompilationLike): Generator<EmittedFile> {
  for (const asset of compilation.getAssets()) {
    const related = asset.info.related?.["sourceMap"];
    const mapName = Array.isArray(related) ? related[0] : related;
    const mapAsset = mapName ? compilation.getAsset(mapName) : undefined;
    const map = mapAsset ? mapAsset.source.source().toString() : (asset.source.map() ?? null);
    const contents = asset.source.source();
    yield { fileName: asset.name, contents: typeof contents === "string" ? contents : new Uint8Array(contents), map };
  }
}

/**
 * webpack names sources `webpack://<namespace>/./src/app.js` (its default
 * `devtoolModuleFilenameTemplate`; the map library drops the `./`). The report names them like
 * every other finding, relative to the project: `src/app.js`. Names that are no file of the
 * project (`webpack/runtime/…`) keep their URL.
 */
function withSourceName(finding: Finding, context: string): Finding {
  const url = finding.original?.file;
  const path = url && /^webpack:\/\/[^/]*\/([^?]+)/.exec(url)?.[1];
  if (!finding.original || !path) return finding;
  const file = resolve(context, path);
  const rel = relative(context, file);
  if (rel.startsWith("..") || isAbsolute(rel) || !existsSync(file)) return finding;
  return { ...finding, original: { ...finding.original, file: rel.split(sep).join("/") } };
}
