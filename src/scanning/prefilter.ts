import type { EnginePlan } from "../engine/plan.js";
import { appliesTo, type RuleMeta } from "../engine/rule.js";
import { containerOf } from "./containers/index.js";
import { factsOf, type SourceFile } from "./source-file.js";

/**
 * What a source may skip without reading: a file that holds none of the plan's literals — the
 * detectors' (`lmnfl_`, its UTF-16 and base64 forms, custom keywords) and those the text rules
 * need — can produce no finding, unless a rule judges it by its name alone (a tracked `.env`),
 * or it is compressed (its literals are inside). Sources with a fast literal search (git grep,
 * threaded C over the files git lists) read only the files it returns plus `mustRead` ones.
 * Correctness does not depend on the search being clever: it must only never miss a file that
 * holds a literal (property-tested against a full scan).
 */
export interface Prefilter {
  /** Byte strings (one char a byte) of which a file holding one is worth reading: the detectors'. */
  any: string[];
  /**
   * The text rules' conditions: a file holding one of `keywords` and, when `also` is given, one
   * of `also`, is worth reading too.
   */
  text: Array<{ keywords: string[]; also: string[] | null }>;
  /** Rules that judge a file by its name, or read some files by path whatever they hold. */
  readByName: Array<{ meta: RuleMeta; paths: ((path: string) => boolean) | null }>;
}

/** The prefilter for a plan, or null when some rule reads every file it applies to (no prefilter is possible). */
export function prefilterFor(plan: EnginePlan): Prefilter | null {
  const bytes = (literal: string) => Buffer.from(literal, "utf8").toString("latin1");
  const any = new Set<string>();
  for (const detector of plan.detectors) for (const literal of detector.literals) any.add(literal);
  const text: Prefilter["text"] = [];
  const readByName: Prefilter["readByName"] = [];
  for (const { rule, options } of plan.rules) {
    if (rule.checksFilesWithoutKeys) readByName.push({ meta: rule.meta, paths: null });
    if (!rule.text) continue;
    if (!rule.text.prefilter) return null;
    const { keywords, also, paths } = rule.text.prefilter(options);
    if (keywords.length > 0) text.push({ keywords: keywords.map(bytes), also: also ? also.map(bytes) : null });
    if (paths) readByName.push({ meta: rule.meta, paths });
  }
  if (any.has("") || text.some((group) => group.keywords.includes(""))) return null;
  return { any: [...any], text, readByName };
}

/**
 * Files read whatever they hold: compressed files and archives, files a rule judges by name,
 * and files a text rule reads by path (a Next.js config).
 */
export function mustRead(file: SourceFile, prefilter: Prefilter): boolean {
  if (containerOf(file.path) !== null) return true;
  const facts = factsOf(file);
  return prefilter.readByName.some(({ meta, paths }) => (paths === null || paths(file.path)) && appliesTo(meta, facts));
}

/**
 * The literals one search looks for: the detectors' and every text rule's keywords. A text rule
 * that also needs a second literal (Lumenfall's names) is left to the engine to check in the
 * files the search returns: the keywords alone are a superset, and usually a small one.
 */
export function searchLiterals(prefilter: Prefilter): string[] {
  return [...new Set([...prefilter.any, ...prefilter.text.flatMap((group) => group.keywords)])];
}
