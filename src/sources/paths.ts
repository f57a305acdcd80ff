import { sep } from "node:path";

/** A path with `/` separators, as reports name files on every platform. */
export function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
