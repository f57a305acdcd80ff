import type { EnginePlan } from "../engine/plan.js";
import { appliesTo, type RuleMeta, type Scope } from "../engine/rule.js";
import { containerOf } from "./containers/index.js";
import type { FileKind } from "../types.js";
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

/**
 * The prefilter for a plan and the scopes of the files searched (client output is `shipped`),
 * or null when some rule reads every file it applies to (no prefilter is possible).
 */
export function prefilterFor(plan: EnginePlan, scopes: readonly Scope[]): Prefilter | null {
  const bytes = (literal: string) => Buffer.from(literal, "utf8").toString("latin1");
  const any = new Set<string>();
  for (const detector of plan.detectors) for (const literal of detector.literals) any.add(literal);
  const text: Prefilter["text"] = [];
  const readByName: Prefilter["readByName"] = [];
  for (const { rule, options } of plan.rules) {
    const ruleScopes = scopes.filter((scope) => rule.meta.appliesTo.scopes.includes(scope));
    if (ruleScopes.length === 0) continue;
    if (rule.checksFilesWithoutKeys) readByName.push({ meta: rule.meta, paths: null });
    if (!rule.text) continue;
    if (!rule.text.prefilter) return null;
    for (const scope of ruleScopes) {
      const { keywords, also, paths } = rule.text.prefilter(options, scope);
      if (keywords.length > 0) text.push({ keywords: keywords.map(bytes), also: also ? also.map(bytes) : null });
      if (paths) readByName.push({ meta: rule.meta, paths });
    }
  }
  if (any.has("") || text.some((group) => group.keywords.includes(""))) return null;
  return { any: [...any], text, readByName };
}

/**
 * Files read whatever they hold: compressed files and archives by name (a literal search also
 * returns those that start like one, by their magic numbers), files a rule judges by name,
 * and files a text rule reads by path (a Next.js config).
 */
export function mustRead(path: string, kind: FileKind, prefilter: Prefilter): boolean {
  if (containerOf(path) !== null) return true;
  for (const { meta, paths } of prefilter.readByName) {
    // The name first: it is what rules about names look at, and it costs no object.
    if ((paths !== null && !paths(path)) || (meta.appliesTo.files !== undefined && !meta.appliesTo.files(path))) continue;
    if (appliesTo(meta, factsOf({ path, kind, absPath: path }))) return true;
  }
  return false;
}

/**
 * The literals one search looks for: the detectors' and every text rule's keywords. A text rule
 * that also needs a second literal (Lumenfall's names) is left to the engine to check in the
 * files the search returns: the keywords alone are a superset, and usually a small one.
 */
export function searchLiterals(prefilter: Prefilter): string[] {
  return [...new Set([...prefilter.any, ...prefilter.text.flatMap((group) => group.keywords)])];
}

/**
 * The same test in memory, for a file whose bytes arrived whole: whether the engine must read it
 * (it holds a literal of its scope's rules, or is read whatever it holds). Sources that push
 * bytes (history blobs, staged blobs, files read from disk without a search) skip the engine
 * for the rest — the outcome is the one the engine would have given: nothing. Literals are
 * prepared once per scope.
 */
export function worthReadingCheck(plan: EnginePlan): (file: SourceFile, bytes: Uint8Array) => boolean {
  const byScope = new Map<Scope, { prefilter: Prefilter; literals: Buffer[] } | null>();
  return (file, bytes) => {
    const facts = factsOf(file);
    let prepared = byScope.get(facts.scope);
    if (prepared === undefined) {
      const prefilter = prefilterFor(plan, [facts.scope]);
      prepared = prefilter === null ? null : { prefilter, literals: searchLiterals(prefilter).map((literal) => Buffer.from(literal, "latin1")) };
      byScope.set(facts.scope, prepared);
    }
    if (prepared === null || mustRead(file.path, file.kind, prepared.prefilter)) return true;
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return prepared.literals.some((literal) => view.includes(literal));
  };
}
