import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { isDirectory } from "../files.js";
import { nameOfBytes } from "../git/path-bytes.js";

/**
 * Where client code is: build output that browsers download — found from
 * each package's dependencies, framework by framework — plus browser-extension folders, asset
 * folders (`public/`, `static/`), Vercel's static output and config `bundles`. It is scanned
 * whether or not git ignores it; server-only output is not client code.
 */
export interface ClientDir {
  /** Absolute path. */
  dir: string;
  /** Why it counts as client output, for the report. */
  reason: string;
}

interface FrameworkOutput {
  dependencies: readonly string[];
  dirs: readonly string[];
  name: string;
}

const FRAMEWORKS: readonly FrameworkOutput[] = [
  { name: "Next.js", dependencies: ["next"], dirs: [".next/static", "out"] },
  { name: "Nuxt", dependencies: ["nuxt", "nuxt3"], dirs: [".output/public", "dist"] },
  { name: "SvelteKit", dependencies: ["@sveltejs/kit"], dirs: [".svelte-kit/output/client", "build"] },
  { name: "Astro", dependencies: ["astro"], dirs: ["dist"] },
  { name: "Gatsby", dependencies: ["gatsby"], dirs: ["public"] },
  { name: "Remix", dependencies: ["@remix-run/react", "@remix-run/dev"], dirs: ["public/build", "build/client"] },
  { name: "Vite", dependencies: ["vite"], dirs: ["dist"] },
  { name: "Create React App", dependencies: ["react-scripts"], dirs: ["build"] },
  { name: "Angular", dependencies: ["@angular/core"], dirs: ["dist"] },
  { name: "Parcel", dependencies: ["parcel"], dirs: ["dist"] },
  { name: "webpack", dependencies: ["webpack"], dirs: ["dist", "build"] },
  { name: "Storybook", dependencies: ["storybook", "@storybook/react", "@storybook/vue3", "@storybook/angular"], dirs: ["storybook-static"] },
  { name: "Expo web", dependencies: ["expo"], dirs: ["dist", "web-build"] },
];

/** Output that runs on the server only: never client code, whatever folder holds it. */
export const SERVER_ONLY = [".next/server", ".next/cache", ".output/server", ".svelte-kit/output/server", "build/server"];

const ASSET_DIRS = ["public", "static"];
const MOBILE_DEPENDENCIES = ["react-native", "expo"];

export interface ClientDiscovery {
  dirs: ClientDir[];
  /** A React Native / Expo app: its sources ship inside the app. */
  mobile: boolean;
}

/**
 * `packageJsons` and `manifests` are the package.json and manifest.json files of the listing
 * (absolute paths), so monorepo packages are found without another walk.
 */
export function discoverClientOutput(root: string, packageJsons: readonly string[], manifests: readonly string[], extra: readonly string[]): ClientDiscovery {
  const found = new Map<string, ClientDir>();
  const add = (dir: string, reason: string) => {
    if (!found.has(dir) && isDirectory(dir)) found.set(dir, { dir, reason });
  };
  let mobile = false;
  const packageDirs = new Set([root, ...packageJsons.map((file) => dirname(file))]);
  for (const packageDir of packageDirs) {
    const dependencies = readDependencies(join(packageDir, "package.json"));
    for (const framework of FRAMEWORKS) {
      if (!framework.dependencies.some((name) => dependencies.has(name))) continue;
      for (const dir of framework.dirs) add(join(packageDir, dir), `${framework.name} output`);
    }
    if (MOBILE_DEPENDENCIES.some((name) => dependencies.has(name))) mobile = true;
    for (const dir of ASSET_DIRS) add(join(packageDir, dir), "static assets served as they are");
  }
  add(join(root, ".vercel/output/static"), "Vercel static output");
  for (const manifest of manifests) if (isExtensionManifest(manifest)) add(dirname(manifest), "browser extension (manifest.json)");
  for (const dir of extra) add(dir, "configured as client output");
  return { dirs: withoutNested([...found.values()]), mobile };
}

function readDependencies(packageJson: string): Set<string> {
  try {
    const pkg = JSON.parse(readFileSync(packageJson, "utf8")) as Record<string, Record<string, string> | undefined>;
    return new Set([...Object.keys(pkg["dependencies"] ?? {}), ...Object.keys(pkg["devDependencies"] ?? {}), ...Object.keys(pkg["peerDependencies"] ?? {})]);
  } catch {
    return new Set();
  }
}

export function isExtensionManifest(file: string): boolean {
  try {
    if (statSync(file).size > 1 << 20) return false;
    const manifest = JSON.parse(readFileSync(file, "utf8")) as { manifest_version?: unknown };
    return typeof manifest.manifest_version === "number";
  } catch {
    return false;
  }
}

/** A folder inside another client folder is already covered. */
function withoutNested(dirs: ClientDir[]): ClientDir[] {
  return dirs.filter((candidate) => !dirs.some((other) => other !== candidate && candidate.dir.startsWith(other.dir + sep)));
}

/**
 * Every regular file under a client folder — git's ignore rules do not apply to shipped code —
 * except node_modules and server-only output. Symlinks are not followed.
 * @param raw where the files whose names are not valid UTF-8 are recorded: their listed text (the
 *   lossless escaped form of path-bytes.ts) → their absolute path as bytes, to open them by.
 * @returns absolute paths.
 */
export function listClientFiles(dir: string, root: string, raw?: Map<string, Buffer>): string[] {
  const files: string[] = [];
  // `rawDir`: the folder's bytes when its name (or a parent's) is not valid UTF-8, else null.
  const visit = (current: string, rawDir: Buffer | null) => {
    let entries;
    try {
      entries = readdirSync(rawDir ?? current, { withFileTypes: true, encoding: "buffer" });
    } catch {
      return;
    }
    for (const entry of entries) {
      const name = nameOfBytes(entry.name);
      const path = join(current, name);
      const odd = rawDir !== null || name !== entry.name.toString("utf8");
      const rawPath = odd ? Buffer.concat([rawDir ?? Buffer.from(current), Buffer.from(sep), entry.name]) : null;
      if (entry.isDirectory()) {
        if (name === "node_modules" || name === ".git" || isServerOnly(relative(root, path))) continue;
        visit(path, rawPath);
      } else if (entry.isFile()) {
        files.push(path);
        if (rawPath !== null) raw?.set(path, rawPath);
      }
    }
  };
  visit(dir, null);
  return files;
}

function isServerOnly(rel: string): boolean {
  const posix = rel.split(sep).join("/");
  return SERVER_ONLY.some((server) => posix === server || posix.endsWith(`/${server}`));
}

