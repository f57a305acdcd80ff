import { parse, type DefaultTreeAdapterMap } from "parse5";

/**
 * HTML checks with parse5, the parser that follows the WHATWG HTML parsing algorithm
 * (https://html.spec.whatwg.org/multipage/parsing.html) as browsers do. A document is well
 * formed when parsing it reports no parse error at all.
 */
export type Element = DefaultTreeAdapterMap["element"];
type Node = DefaultTreeAdapterMap["node"];

export interface ParsedHtml {
  document: DefaultTreeAdapterMap["document"];
  /** Every parse error: `code` (the spec's name, e.g. `control-character-in-input-stream`) and position. */
  errors: Array<{ code: string; line: number; column: number }>;
}

export function parseHtml(html: string): ParsedHtml {
  const errors: ParsedHtml["errors"] = [];
  const document = parse(html, { onParseError: (error) => errors.push({ code: error.code, line: error.startLine, column: error.startCol }) });
  return { document, errors };
}

/** Every element below `root`, in document order. */
export function allElements(root: Node): Element[] {
  const found: Element[] = [];
  const visit = (node: Node) => {
    if ("tagName" in node) found.push(node);
    const children = "content" in node && node.nodeName === "template" ? node.content.childNodes : "childNodes" in node ? node.childNodes : [];
    for (const child of children) visit(child as Node);
  };
  visit(root);
  return found;
}

/** Elements with this tag name whose `class` attribute holds `className` (when given). */
export function byTag(root: Node, tagName: string, className?: string): Element[] {
  return allElements(root).filter((element) => element.tagName === tagName && (className === undefined || classes(element).includes(className)));
}

export function attr(element: Element, name: string): string | undefined {
  return element.attrs.find((attribute) => attribute.name === name)?.value;
}

export function classes(element: Element): string[] {
  return (attr(element, "class") ?? "").split(/\s+/).filter(Boolean);
}

/** The decoded text below a node (what a reader sees, before CSS). */
export function textOf(node: Node): string {
  if (node.nodeName === "#text") return (node as DefaultTreeAdapterMap["textNode"]).value;
  return "childNodes" in node ? node.childNodes.map((child) => textOf(child as Node)).join("") : "";
}
