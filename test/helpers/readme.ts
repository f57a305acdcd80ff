import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./process.js";

/**
 * The README's recipes: each fenced code block that follows a `<!-- recipe: NAME -->` line.
 * Tests run them as written; the only substitutions they make are the placeholders a reader
 * replaces too (the repository URL, the release tag), and each test says which.
 */
export function readmeRecipes(): Map<string, string> {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const recipes = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- recipe: ([\w-]+) -->\n```[a-z]*\n([\s\S]*?)```/g)) {
    recipes.set(match[1]!, match[2]!);
  }
  return recipes;
}

export function recipe(name: string): string {
  const text = readmeRecipes().get(name);
  if (text === undefined) throw new Error(`README has no recipe named ${name}`);
  return text;
}
