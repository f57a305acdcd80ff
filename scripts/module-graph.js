// Prints the module graph of src/ and rules/ from their imports: the imports between folders,
// the cycles between files, and the places that construct a FileScanner.
//   node scripts/module-graph.js [checkout]     (default: this checkout)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

function files(dir) {
  try {
    if (!statSync(dir).isDirectory()) return [];
  } catch {
    return [];
  }
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const modules = new Map();
for (const path of [...files(join(root, "src")), ...files(join(root, "rules"))]) {
  const text = readFileSync(path, "utf8");
  const imports = [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]).filter((s) => s.startsWith(".")).map((s) => resolve(dirname(path), s).replace(/\.js$/, ".ts"));
  modules.set(path, { imports: imports.filter((target) => target !== path), scanners: (text.match(/new FileScanner\(/g) ?? []).length });
}
const folder = (path) => dirname(relative(root, path));
const edges = new Map();
for (const [path, { imports }] of modules) {
  for (const target of imports) {
    if (!modules.has(target) || folder(path) === folder(target)) continue;
    const edge = `${folder(path)} -> ${folder(target)}`;
    edges.set(edge, (edges.get(edge) ?? 0) + 1);
  }
}
const cycles = [];
const state = new Map();
const stack = [];
const visit = (path) => {
  if (state.get(path) === "done") return;
  if (state.get(path) === "visiting") return void cycles.push([...stack.slice(stack.indexOf(path)), path].map((p) => relative(root, p)).join(" -> "));
  state.set(path, "visiting");
  stack.push(path);
  for (const target of modules.get(path)?.imports ?? []) if (modules.has(target)) visit(target);
  stack.pop();
  state.set(path, "done");
};
for (const path of modules.keys()) visit(path);
const scanners = [...modules].filter(([, m]) => m.scanners > 0).map(([path, m]) => `${relative(root, path)} (${m.scanners})`);
console.log(`${modules.size} modules in ${new Set([...modules.keys()].map(folder)).size} folders`);
console.log("imports between folders:");
for (const [edge, count] of [...edges].sort()) console.log(`  ${edge}  ${count}`);
console.log(`cycles between files: ${cycles.length}`);
for (const cycle of cycles) console.log(`  ${cycle}`);
console.log(`places that construct a FileScanner: ${scanners.reduce((n, s) => n + Number(/\((\d+)\)$/.exec(s)[1]), 0)} in ${scanners.length} files`);
for (const place of scanners) console.log(`  ${place}`);
