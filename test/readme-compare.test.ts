import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "./helpers/process.js";

/**
 * The README's "How lumenguard compares" section, checked for its shape only (nothing is
 * fetched): one list item per tool lumenguard measures itself against, each a single sentence
 * that cites at least one https source published by the tool's own project — its repository,
 * issue tracker or documentation site — and every lumenguard test file the section names exists.
 */

const HEADING = "## How lumenguard compares";

/** Each tool, in the order the section lists them, and the URL prefixes that count as its own sources. */
const ANCHORS: ReadonlyArray<{ name: string; ownSources: string[] }> = [
  { name: "gitleaks", ownSources: ["https://github.com/gitleaks/gitleaks/"] },
  { name: "TruffleHog", ownSources: ["https://github.com/trufflesecurity/trufflehog/", "https://docs.trufflesecurity.com/"] },
  { name: "detect-secrets", ownSources: ["https://github.com/Yelp/detect-secrets/"] },
  { name: "secretlint", ownSources: ["https://github.com/secretlint/secretlint/"] },
  { name: "git-secrets", ownSources: ["https://github.com/awslabs/git-secrets/"] },
  { name: "GitHub push protection", ownSources: ["https://docs.github.com/", "https://github.com/github/docs/"] },
  { name: "ggshield", ownSources: ["https://github.com/GitGuardian/ggshield/", "https://docs.gitguardian.com/"] },
];

/** The markdown under `heading` up to the next heading of the same or a higher level. */
function section(readme: string, heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README has no section "${heading}"`);
  const rest = readme.slice(start + heading.length + 2);
  const end = rest.search(/^#{1,2} /m);
  return end === -1 ? rest : rest.slice(0, end);
}

/** The section's list items as `{ name, text }`: `- **name** text`, the text running until the next item or a blank line. */
function items(markdown: string): Array<{ name: string; text: string }> {
  return [...markdown.matchAll(/^- \*\*([^*]+)\*\* ([\s\S]*?)(?=\n- |\n\n|\s*(?![\s\S]))/gm)].map((match) => ({ name: match[1]!, text: match[2]! }));
}

/** The sentence ends in a piece of markdown prose: link targets and code spans removed, then `.`, `!` or `?` before white space or the end. */
function sentenceEnds(text: string): number {
  const prose = text.replace(/\]\([^)]*\)/g, "]").replace(/`[^`]*`/g, "code");
  return prose.match(/[.!?](?=\s|$)/g)?.length ?? 0;
}

/** What is wrong with one tool's item: an empty list when it is one sentence citing at least one https source of the tool's own. */
function problems(text: string, ownSources: readonly string[]): string[] {
  const found: string[] = [];
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
  if (links.length === 0) found.push("cites no source");
  for (const link of links) if (!link.startsWith("https://")) found.push(`links to ${link}, not an https source`);
  if (!links.some((link) => ownSources.some((prefix) => link.startsWith(prefix)))) found.push(`cites none of the tool's own sources (${ownSources.join(", ")})`);
  if (sentenceEnds(text) !== 1 || !text.trimEnd().endsWith(".")) found.push(`is ${sentenceEnds(text)} sentences, not one`);
  return found;
}

const readme = readFileSync(join(root, "README.md"), "utf8");
const compare = section(readme, HEADING);

describe("the README's comparison with other scanners", () => {
  it("has one item per tool, in the order given, and nothing else in its list", () => {
    expect(items(compare).map((item) => item.name)).toEqual(ANCHORS.map((anchor) => anchor.name));
  });

  it.each(ANCHORS)("$name: one sentence, with at least one https source of its own", ({ name, ownSources }) => {
    const item = items(compare).find((candidate) => candidate.name === name);
    expect(item, `an item for ${name}`).toBeDefined();
    expect(problems(item!.text, ownSources)).toEqual([]);
  });

  it("the check can fail: no link, a plain-http link, another project's link, two sentences", () => {
    const own = ["https://github.com/gitleaks/gitleaks/"];
    expect(problems("has no pre-receive hook.", own)).toEqual(["cites no source", "cites none of the tool's own sources (https://github.com/gitleaks/gitleaks/)"]);
    expect(problems("lacks it ([x](http://github.com/gitleaks/gitleaks/issues/1)).", own)).toEqual([
      "links to http://github.com/gitleaks/gitleaks/issues/1, not an https source",
      "cites none of the tool's own sources (https://github.com/gitleaks/gitleaks/)",
    ]);
    expect(problems("lacks it ([x](https://example.com/blog)).", own)).toEqual(["cites none of the tool's own sources (https://github.com/gitleaks/gitleaks/)"]);
    expect(problems("lacks it. It also lacks that ([x](https://github.com/gitleaks/gitleaks/issues/1)).", own)).toEqual(["is 2 sentences, not one"]);
    expect(problems("reads `.env.local` and github.com ([x](https://github.com/gitleaks/gitleaks/blob/abc/README.md?plain=1#L1)).", own)).toEqual([]);
  });

  it("every lumenguard test file it names exists", () => {
    const named = [...new Set(compare.match(/test\/[\w-]+\.test\.ts/g) ?? [])];
    expect(named.length).toBeGreaterThan(0);
    for (const file of named) expect(existsSync(join(root, file)), file).toBe(true);
  });

  it("the feature list at the top points to it, and its links within the README resolve to headings", () => {
    expect(readme.slice(0, readme.indexOf("\n## "))).toContain("(#how-lumenguard-compares)");
    const slug = (heading: string) => heading.toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-");
    const slugs = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1]!)));
    for (const [, target] of compare.matchAll(/\]\(#([^)]+)\)/g)) expect(slugs.has(target!), `#${target}`).toBe(true);
  });
});
