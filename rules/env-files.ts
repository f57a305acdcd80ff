/**
 * Which files are env files: `.env` and `.env.<anything>` at any depth, whatever the case of the
 * name (`.ENV`, `.Env.local`): on macOS and Windows checkouts, which ignore case, dotenv loaders
 * read them as `.env` files. The templates —
 * `.env.example`, `.env.sample`, `.env.template`, `.env.dist` — are meant to be committed;
 * they are exempt from the dotenv rules but scanned for keys like any file.
 */
const TEMPLATE_SUFFIXES = new Set(["example", "sample", "template", "dist"]);

export function envFileKind(path: string): "env" | "template" | null {
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  if (name === ".env") return "env";
  if (!name.startsWith(".env.")) return null;
  const parts = name.slice(".env.".length).split(".");
  return parts.some((part) => TEMPLATE_SUFFIXES.has(part)) ? "template" : "env";
}

/** An env file that is not a template: what the dotenv rules are about. */
export function isEnvFile(path: string): boolean {
  return envFileKind(path) === "env";
}
