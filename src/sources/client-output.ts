import { readdirSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { isDirectory, readRegularFile } from "../files.js";
import { MAX_PACKAGE_JSON_BYTES } from "../config/load-config.js";
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
    // Bounded, and only a regular file (src/files.ts): a link to /dev/zero is no package.json.
    const pkg = JSON.parse(readRegularFile(packageJson, MAX_PACKAGE_JSON_BYTES)?.toString("utf8") ?? "{}") as Record<string, Record<string, string> | undefined>;
    return new Set([...Object.keys(pkg["dependencies"] ?? {}), ...Object.keys(pkg["devDependencies"] ?? {}), ...Object.keys(pkg["peerDependencies"] ?? {})]);
  } catch {
    return new Set();
  }
}

export function isExtensionManifest(file: string): boolean {
  try {
    const manifest = JSON.parse(readRegularFile(file, 1 << 20)?.toString("utf8") ?? "{}") as { manifest_version?: unknown };
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
 *
 * Paths are joined by concatenation (the folder names come from the file system: nothing to
 * normalise), and only a folder named like the end of a server-only path (`server`, `cache`) is
 * checked against them: `path.join` and `path.relative` per entry were most of the cost of
 * listing a 15,000-file node_modules (measured: 100–190 ms against 20–40 ms).
 *
 * A folder holding a name that is not valid UTF-8 (it decodes to U+FFFD) is listed again by its
 * bytes: such files are listed in their lossless escaped form (git/path-bytes.ts) and recorded
 * in `raw` (listed text → absolute path as bytes), to be opened by their bytes.
 * @returns absolute paths.
 */
export function listClientFiles(dir: string, root: string, raw?: Map<string, Buffer>): string[] {
  const files: string[] = [];
  // `rawDir`: the folder's bytes when its name (or a parent's) is not valid UTF-8, else null.
  const visit = (current: string, rawDir: Buffer | null) => {
    let entries;
    try {
      entries = rawDir === null ? readdirSync(current, { withFileTypes: true }) : null;
    } catch {
      return;
    }
    if (entries === null || entries.some((entry) => entry.name.includes("\uFFFD"))) return visitBytes(current, rawDir ?? Buffer.from(current));
    for (const entry of entries) {
      const name = entry.name;
      if (entry.isDirectory()) {
        if (name === "node_modules" || name === ".git") continue;
        const path = childPath(current, name);
        if (SERVER_ONLY_NAMES.has(name) && isServerOnly(relative(root, path))) continue;
        visit(path, null);
      } else if (entry.isFile()) {
        files.push(childPath(current, name));
      }
    }
  };
  const visitBytes = (current: string, currentBytes: Buffer) => {
    let entries;
    try {
      entries = readdirSync(currentBytes, { withFileTypes: true, encoding: "buffer" });
    } catch {
      return;
    }
    for (const entry of entries) {
      const name = nameOfBytes(entry.name);
      const path = childPath(current, name);
      const bytes = Buffer.concat([currentBytes, Buffer.from(current.endsWith(sep) ? "" : sep), entry.name]);
      const plain = name === entry.name.toString("utf8") && Buffer.from(current).equals(currentBytes);
      if (entry.isDirectory()) {
        if (name === "node_modules" || name === ".git") continue;
        if (SERVER_ONLY_NAMES.has(name) && isServerOnly(relative(root, path))) continue;
        visit(path, plain ? null : bytes);
      } else if (entry.isFile()) {
        files.push(path);
        if (!plain) raw?.set(path, bytes);
      }
    }
  };
  visit(dir, null);
  return files;
}

/** Only a file-system root (`/`, `C:\\`) ends with a separator. */
function childPath(dir: string, name: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

/** The last folder name of each server-only path. */
const SERVER_ONLY_NAMES = new Set(SERVER_ONLY.map((path) => path.slice(path.lastIndexOf("/") + 1)));

function isServerOnly(rel: string): boolean {
  const posix = rel.split(sep).join("/");
  return SERVER_ONLY.some((server) => posix === server || posix.endsWith(`/${server}`));
}

