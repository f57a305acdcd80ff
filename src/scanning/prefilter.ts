import type { EnginePlan } from "../engine/plan.js";
import { appliesTo, type RuleMeta, type Scope } from "../engine/rule.js";
import { containerOf, sniff } from "./containers/index.js";
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
 * that also needs a second literal (Lumenfall's names) is left to the check of the file's bytes
 * (`worthReadingCheck`) in the files the search returns: the keywords alone find a superset, and
 * usually a small one — smaller than the second list would in a project that uses Lumenfall,
 * where its name is in most files (3,714 of the bench's 9,041, against 15 files holding a
 * keyword and no literal of the detectors). A literal that holds another one is left out (a
 * file holding `NEXT_PUBLIC_` holds `PUBLIC_`): fewer literals, the same files.
 */
export function searchLiterals(prefilter: Prefilter): string[] {
  const literals = [...new Set([...prefilter.any, ...prefilter.text.flatMap((group) => group.keywords)])];
  return literals.filter((literal) => !literals.some((other) => other !== literal && literal.includes(other)));
}

/**
 * The prefilter of one scope, prepared once: which files the engine must read whatever they
 * hold, and a byte search for the literals. Sources use it as a whole-file test
 * ({@link worthReadingCheck}) or, for content that arrives in pieces and is not kept, as a
 * streaming {@link LiteralProbe} that says whether any literal occurred.
 */
export interface LiteralTest {
  prefilter: Prefilter;
  /** Whether the engine must read this file whatever its bytes hold (compressed, judged by name). */
  mustRead(file: SourceFile): boolean;
  /** Whether `bytes` hold one of the literals (exact bytes, case-sensitive, as the engine looks). */
  holds(bytes: Uint8Array): boolean;
  /**
   * Whether a file's first bytes are a container's (a zip, gzip or tar under any name, or a format
   * lumenguard cannot decompress, which the engine says): its literals, if any, are compressed,
   * so the engine must read it whatever it holds.
   */
  startsLikeContainer(head: Uint8Array): boolean;
  /**
   * The rules' own condition on bytes that arrived whole: a detector's literal, or a text rule's
   * keyword and (when the rule needs one) its second literal. Stricter than {@link holds}, which a
   * streaming probe uses because it cannot remember which literals a file held.
   */
  worth(bytes: Uint8Array): boolean;
  /** A fresh probe for one file that arrives in pieces. */
  probe(): LiteralProbe;
}

/**
 * The literal tests of a plan, one per scope (prepared on first use); a scope's test is null when
 * some rule of that scope reads every file (no prefilter is possible).
 */
export function literalTests(plan: EnginePlan): (scope: Scope) => LiteralTest | null {
  const byScope = new Map<Scope, LiteralTest | null>();
  return (scope) => {
    let test = byScope.get(scope);
    if (test === undefined) {
      const prefilter = prefilterFor(plan, [scope]);
      test = prefilter === null ? null : prepareTest(prefilter);
      byScope.set(scope, test);
    }
    return test;
  };
}

/** A zip local header's signature (`PK 03 04`), wherever it is in a file. */
const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

function prepareTest(prefilter: Prefilter): LiteralTest {
  const all = searchLiterals(prefilter).map((literal) => Buffer.from(literal, "latin1"));
  // A literal with a NUL byte (the UTF-16 form of a key) can only occur where the bytes hold a NUL,
  // and starts at most its NUL's offset before the first one: text, which holds none, is spared
  // that search — the slowest of all, as its first byte is a common letter (measured: 0.9 GB/s
  // against 5 GB/s for a NUL on a real project's history).
  const plain = all.filter((literal) => !literal.includes(0));
  const withNul = all.filter((literal) => literal.includes(0)).map((literal) => ({ literal, before: literal.indexOf(0) }));
  const holds = (bytes: Uint8Array) => {
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const literal of plain) if (view.includes(literal)) return true;
    // A zip after other bytes (a self-extracting installer): its entries are read (file-sink.ts plainOrLateZip).
    if (view.includes(ZIP_LOCAL_HEADER)) return true;
    if (withNul.length === 0) return false;
    const nul = view.indexOf(0);
    if (nul === -1) return false;
    for (const { literal, before } of withNul) if (view.includes(literal, Math.max(0, nul - before))) return true;
    return false;
  };
  const latin1 = (literal: string) => Buffer.from(literal, "latin1");
  const any = prefilter.any.map(latin1);
  const text = prefilter.text.map((group) => ({ keywords: group.keywords.map(latin1), also: group.also?.map(latin1) ?? null }));
  const worth = (bytes: Uint8Array) => {
    if (!holds(bytes)) return false;
    if (text.every((group) => group.also === null)) return true;
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const has = (literal: Buffer) => view.includes(literal);
    // holds() found a literal: a detector's (enough on its own) or a text rule's keyword, which may need its second literal too.
    return any.some(has) || text.some((group) => group.keywords.some(has) && (group.also === null || group.also.some(has)));
  };
  const longest = Math.max(1, ...all.map((literal) => literal.length));
  return {
    prefilter,
    mustRead: (file) => mustRead(file.path, file.kind, prefilter),
    holds,
    startsLikeContainer: (head) => sniff("", head, false) !== null,
    worth,
    probe: () => new LiteralProbe(holds, longest),
  };
}

/**
 * Whether any literal occurs in content that arrives in pieces, without keeping the content: each
 * piece is searched, and so is the seam between two pieces (the last `longest - 1` bytes of what
 * came before joined to the first `longest - 1` of the piece), so a literal cut in two by the
 * pipe is still seen. Memory: fewer than `longest` bytes.
 */
export class LiteralProbe {
  /** A literal occurred in what was pushed so far. */
  found = false;
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    private readonly holds: (bytes: Uint8Array) => boolean,
    private readonly longest: number,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.found) return;
    const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const keep = this.longest - 1;
    if (this.holds(piece) || (this.carry.length > 0 && this.holds(Buffer.concat([this.carry, piece.subarray(0, keep)])))) {
      this.found = true;
      return;
    }
    if (keep === 0) return;
    this.carry = piece.length >= keep ? Buffer.from(piece.subarray(piece.length - keep)) : Buffer.concat([this.carry, piece]).subarray(-keep);
  }
}

/**
 * The same test in memory, for a file whose bytes arrived whole: whether the engine must read it
 * (it holds a literal of its scope's rules, or is read whatever it holds). Sources that push
 * bytes (history blobs, staged blobs, files read from disk without a search) skip the engine
 * for the rest — the outcome is the one the engine would have given: nothing. Literals are
 * prepared once per scope.
 */
export function worthReadingCheck(plan: EnginePlan, testOf = literalTests(plan)): (file: SourceFile, bytes: Uint8Array) => boolean {
  return (file, bytes) => {
    const test = testOf(factsOf(file).scope);
    return test === null || test.mustRead(file) || test.worth(bytes);
  };
}
