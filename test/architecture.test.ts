import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "./helpers/process.js";

/**
 * The structure the README's "Design" section describes, checked on the source itself: the
 * import graph has no cycles, the engine does no I/O and changes no process-wide state, no rule
 * looks at where a file came from, and one place in the code makes a FileScanner.
 */
interface Module {
  path: string;
  text: string;
  imports: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)|createRequire\([^)]*\)\(\s*"([^"]+)"\s*\)/g;

function load(): Map<string, Module> {
  const modules = new Map<string, Module>();
  for (const path of [...sourceFiles(join(root, "src")), ...sourceFiles(join(root, "rules"))]) {
    const text = readFileSync(path, "utf8");
    const imports: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier) imports.push(specifier.startsWith(".") ? resolve(dirname(path), specifier).replace(/\.js$/, ".ts") : specifier);
    }
    modules.set(path, { path, text, imports });
  }
  return modules;
}

const modules = load();
const rel = (path: string) => relative(root, path);

describe("architecture", () => {
  it("the import graph has no cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const stack: string[] = [];
    const visit = (path: string) => {
      if (state.get(path) === "done") return;
      if (state.get(path) === "visiting") {
        cycles.push([...stack.slice(stack.indexOf(path)), path].map(rel).join(" → "));
        return;
      }
      state.set(path, "visiting");
      stack.push(path);
      // Type-only imports vanish at run time, but a cycle through them is still a knot in the design.
      for (const target of modules.get(path)?.imports ?? []) if (modules.has(target)) visit(target);
      stack.pop();
      state.set(path, "done");
    };
    for (const path of modules.keys()) visit(path);
    expect(cycles).toEqual([]);
  });

  it("the engine does no I/O and changes no process-wide state", () => {
    const engine = [...modules.values()].filter((module) => rel(module.path).startsWith("src/engine/"));
    expect(engine.length).toBeGreaterThan(5);
    const forbidden = /^(?:node:)?(?:fs|fs\/promises|child_process|zlib|net|http|https|http2|tls|dgram|dns|v8|worker_threads|cluster|os|process)$/;
    for (const module of engine) {
      expect(module.imports.filter((specifier) => forbidden.test(specifier)), rel(module.path)).toEqual([]);
      // Nothing reached through another folder either: the engine imports only the engine and shared types.
      const outside = module.imports.filter((target) => target.startsWith(root) && !target.startsWith(join(root, "src/engine/")) && target !== join(root, "src/types.ts") && !target.startsWith(join(root, "src/config/config-types")));
      expect(outside.map(rel), rel(module.path)).toEqual([]);
      const code = module.text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "");
      expect(code, `${rel(module.path)} reads process state`).not.toMatch(/\bprocess\.|\bglobalThis\.process\b|setFlagsFromString/);
    }
  });

  it("no rule file mentions where a file came from (rules declare meta.appliesTo; the engine filters)", () => {
    const ruleFiles = [...modules.values()].filter((module) => rel(module.path).startsWith("rules/"));
    for (const module of ruleFiles) {
      const code = module.text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "");
      // Source kinds are the loop's (SourceKind, FileKind); rules see scopes and git statuses only.
      expect(code, rel(module.path)).not.toMatch(/\.source\b|\bsourceKind|\bSourceKind\b|\bFileKind\b|file\.kind\b|["'](?:worktree|bundle|stdin|client|emitted|packed|given)["']/);
    }
  });

  it("the engine knows no rule and no detector by name", () => {
    const ids = ["lumenfall-key", "key-in-history", "client-bundle-key", "public-env-prefix", "browser-sdk-key", "dotenv-tracked", "dotenv-unignored", "shared-key-across-environments", '"lumenfall"', "publicEnvPrefixes"];
    for (const module of [...modules.values()].filter((candidate) => rel(candidate.path).startsWith("src/engine/"))) {
      for (const id of ids) expect(module.text.includes(id), `${rel(module.path)} names ${id}`).toBe(false);
    }
    const spelled = [...modules.values()].filter((module) => /=\s*"lumenfall";/.test(module.text)).map((module) => rel(module.path));
    expect(spelled).toEqual(["src/detectors/lumenfall/index.ts"]);
  });

  it("one place in the code makes a FileScanner", () => {
    const places = [...modules.values()].flatMap((module) => [...module.text.matchAll(/new FileScanner\(/g)].map(() => rel(module.path)));
    expect(places).toEqual(["src/scanning/file-sink.ts"]);
  });
});
