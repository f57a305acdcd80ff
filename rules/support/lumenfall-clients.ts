import { isCredentialLike } from "./env-names.js";
import { envFacts, readsIn } from "./env-reads.js";
import type { JsFacts, Prop, Range } from "./js-facts.js";

/**
 * Clients pointed at Lumenfall, found by their options rather than their constructor: any
 * object literal whose base URL names Lumenfall (`new OpenAI({...})`, `new AzureOpenAI`,
 * `createOpenAI`, LangChain's `configuration: { baseURL }`, an options object built first, a
 * minified bundle). Values are followed through same-file `const` bindings, a few levels deep.
 */
const BASE_KEYS = new Set(["baseurl", "base_url", "basepath", "endpoint", "apibase", "api_base", "host", "url", "serverurl", "openaiapibase"]);
const LUMENFALL_URL = /https?:\/\/(?:[a-z0-9-]+\.)*lumenfall\.ai/i;
const MAX_DEPTH = 3;

export interface ClientFacts {
  /** `{` token indices of objects configuring a Lumenfall client (and their nested option objects). */
  objects: Set<number>;
  /** Env variables passed as the API key or `Authorization` of a client pointed at Lumenfall. */
  keyVariables: Set<string>;
  /** `dangerouslyAllowBrowser: true` properties in those objects. */
  browserFlags: Prop[];
}

const memo = new WeakMap<JsFacts, ClientFacts>();

export function clientFacts(facts: JsFacts): ClientFacts {
  const known = memo.get(facts);
  if (known) return known;
  const found: ClientFacts = { objects: new Set(), keyVariables: new Set(), browserFlags: [] };
  memo.set(facts, found);
  if (!/lumenfall/i.test(facts.text)) return found;
  const lookups = new Lookups(facts);
  const authorizations: Prop[] = [];
  const direct: number[] = [];
  facts.tokens.forEach((token, open) => {
    if (token.kind !== "punct" || token.value !== "{") return;
    const props = facts.objectProps(open);
    if (props.some((prop) => pointsAtLumenfall(facts, lookups, prop))) direct.push(open);
    for (const prop of props) if (prop.key.toLowerCase() === "authorization") authorizations.push(prop);
  });
  for (const open of direct) addWithRelatives(facts, open, found.objects);
  for (const open of found.objects) {
    for (const prop of facts.objectProps(open)) {
      if (!prop.spread && isCredentialLike(prop.key)) lookups.envNames(prop, found.keyVariables);
      if (prop.key === "dangerouslyAllowBrowser" && isTrue(facts, prop)) found.browserFlags.push(prop);
    }
  }
  const talksToLumenfall = facts.tokens.some((token) => (token.kind === "string" || token.kind === "template") && LUMENFALL_URL.test(token.value));
  for (const prop of authorizations) {
    if (talksToLumenfall || callMentionsLumenfall(facts, lookups, prop.keyToken)) lookups.envNames(prop, found.keyVariables);
  }
  found.browserFlags.sort((a, b) => a.keyToken - b.keyToken);
  return found;
}

function pointsAtLumenfall(facts: JsFacts, lookups: Lookups, prop: Prop): boolean {
  if (prop.spread || BASE_KEYS.has(prop.key.toLowerCase())) return lookups.mentionsLumenfall(prop);
  const first = facts.tokens[prop.from];
  return prop.to === prop.from + 1 && (first?.kind === "string" || first?.kind === "template") && LUMENFALL_URL.test(first.value);
}

/** The object, the object it is an option of (`configuration: {…}`), and its option objects. */
function addWithRelatives(facts: JsFacts, open: number, objects: Set<number>): void {
  objects.add(open);
  const outer = facts.parentObject(open);
  if (outer !== -1) objects.add(outer);
  for (const prop of facts.objectProps(open)) {
    const inner = facts.objectAt(prop);
    if (inner !== -1) objects.add(inner);
  }
}

function isTrue(facts: JsFacts, range: Range): boolean {
  const values = facts.tokens.slice(range.from, range.to).map((token) => token.value).join("");
  return values === "true" || values === "!0" || values === "!!1";
}

/** `fetch("https://api.lumenfall.ai/…", { headers: { Authorization } })`: the call's arguments name Lumenfall. */
function callMentionsLumenfall(facts: JsFacts, lookups: Lookups, at: number): boolean {
  for (let open = facts.parent[at] ?? -1, guard = 0; open !== -1 && guard < 8; open = facts.parent[open] ?? -1, guard++) {
    if (facts.isPunct(open, "(")) return lookups.mentionsLumenfall({ from: open + 1, to: facts.match[open]! });
  }
  return false;
}

/** Same-file lookups through `const` bindings, memoised per name. */
class Lookups {
  private readonly mentions = new Map<string, boolean>();

  constructor(private readonly facts: JsFacts) {}

  /** The range names Lumenfall: a Lumenfall URL, an identifier like `LUMENFALL_BASE_URL`, or a binding of one. */
  mentionsLumenfall(range: Range, depth = 0): boolean {
    const { facts } = this;
    for (let at = range.from; at < range.to && at < facts.tokens.length; at++) {
      const token = facts.tokens[at]!;
      if ((token.kind === "string" || token.kind === "template") && LUMENFALL_URL.test(token.value)) return true;
      if (token.kind !== "name") continue;
      if (/lumenfall/i.test(token.value)) return true;
      if (depth < MAX_DEPTH && !facts.afterDot(at) && this.bindingMentions(token.value, depth)) return true;
    }
    return false;
  }

  private bindingMentions(name: string, depth: number): boolean {
    const known = this.mentions.get(name);
    if (known !== undefined) return known;
    const ranges = this.facts.bindings.get(name);
    if (!ranges) return false;
    this.mentions.set(name, false);
    const result = ranges.some((range) => this.mentionsLumenfall(range, depth + 1));
    this.mentions.set(name, result);
    return result;
  }

  /** Env variables the range reads, directly or through locals and bindings. */
  envNames(range: Range, out: Set<string>, depth = 0, seen = new Set<string>()): void {
    const { facts } = this;
    const env = envFacts(facts);
    for (const read of readsIn(env, range)) out.add(read.name);
    for (let at = range.from; at < range.to && at < facts.tokens.length; at++) {
      if (!facts.isName(at) || facts.afterDot(at)) continue;
      const name = facts.tokens[at]!.value;
      const local = env.locals.get(name);
      if (local !== undefined) out.add(local);
      const ranges = facts.bindings.get(name);
      if (!ranges || depth >= MAX_DEPTH || seen.has(name)) continue;
      seen.add(name);
      for (const bound of ranges) this.envNames(bound, out, depth + 1, seen);
    }
  }
}
