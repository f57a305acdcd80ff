/**
 * Where a finding's file is, for the reports a person reads at the terminal (text, compact):
 * from the current directory, the way the scan was asked for. Findings name files from the scan
 * root (`scan packages/web` reports `src/app.ts`); `base` is that root as the user gave it
 * (`packages/web`), and is put in front so the name can be opened from where the command ran.
 * Absolute names, `<stdin>` and URLs (`webpack://…`) keep theirs.
 */
export function displayPath(path: string, base: string | undefined): string {
  if (!base || base === "." || path.startsWith("/") || path.startsWith("<") || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(path)) return path;
  const joined = `${base.replace(/\/+$/, "")}/${path}`;
  const parts: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "." || (part === "" && parts.length > 0)) continue;
    if (part === ".." && parts.length > 0 && parts[parts.length - 1] !== ".." && parts[parts.length - 1] !== "") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}
