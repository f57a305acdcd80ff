/**
 * How comments and strings are written in a file, by its name: what an inline allow marker
 * needs to know to tell a comment (`// lumenguard-allow`) from a string that merely holds the
 * words (`m = "no lumenguard-allow here"`). Files whose format has no comments (JSON) have no
 * syntax at all: they cannot carry an inline allow. Names this table does not know accept `#`
 * and `//` line comments.
 */
export interface CommentSyntax {
  /** Openers of comments that run to the end of the line. */
  line: readonly string[];
  /** Opener and closer pairs of comments that may end on the same line. */
  block: ReadonlyArray<readonly [open: string, close: string]>;
  /** Characters that open and close a string literal (a backslash escapes the next character). */
  quotes: string;
}

const C_BLOCK = [["/*", "*/"]] as const;
const C_LIKE: CommentSyntax = { line: ["//"], block: C_BLOCK, quotes: `"'` };
const JS: CommentSyntax = { line: ["//"], block: C_BLOCK, quotes: "\"'`" };
const CSS: CommentSyntax = { line: [], block: C_BLOCK, quotes: `"'` };
const HASH: CommentSyntax = { line: ["#"], block: [], quotes: `"'` };
const HASH_AND_C: CommentSyntax = { line: ["#", "//"], block: C_BLOCK, quotes: `"'` };
const PHP: CommentSyntax = { line: ["//", "#"], block: C_BLOCK, quotes: "\"'`" };
const SQL: CommentSyntax = { line: ["--"], block: C_BLOCK, quotes: `"'` };
const LUA: CommentSyntax = { line: ["--"], block: [["--[[", "]]"]], quotes: `"'` };
const HASKELL: CommentSyntax = { line: ["--"], block: [["{-", "-}"]], quotes: `"` };
const INI: CommentSyntax = { line: [";", "#"], block: [], quotes: `"` };
const LISP: CommentSyntax = { line: [";"], block: [], quotes: `"` };
const PERCENT: CommentSyntax = { line: ["%"], block: [], quotes: `"` };
const POWERSHELL: CommentSyntax = { line: ["#"], block: [["<#", "#>"]], quotes: `"'` };
/** Text with markup comments: quotes in prose (`don't`) are not strings. */
const MARKUP: CommentSyntax = { line: [], block: [["<!--", "-->"]], quotes: "" };
/** Single-file components: markup around script and style blocks. */
const COMPONENT: CommentSyntax = { line: ["//"], block: [["<!--", "-->"], ...C_BLOCK], quotes: "" };
/** A name this table does not know. */
export const UNKNOWN_SYNTAX: CommentSyntax = { line: ["#", "//"], block: [], quotes: `"'` };

const BY_EXTENSION: Record<string, CommentSyntax | null> = {};
const assign = (syntax: CommentSyntax | null, extensions: string) => {
  for (const extension of extensions.split(" ")) BY_EXTENSION[extension] = syntax;
};
assign(JS, "js mjs cjs jsx ts tsx mts cts");
assign(C_LIKE, "c h cc cpp cxx hpp hh java kt kts scala go rs swift cs dart groovy gradle proto zig m mm sol jsonc json5 fs fsx");
assign(CSS, "css");
assign(C_LIKE, "scss less styl");
assign(HASH, "py pyi pyw rb sh bash zsh fish ksh yaml yml toml env r pl pm tcl cmake mk ex exs cr jl coffee graphql gql nim properties dockerignore gitignore gitattributes npmrc yarnrc");
assign(HASH_AND_C, "tf tfvars hcl nix");
assign(PHP, "php phtml");
assign(SQL, "sql psql");
assign(LUA, "lua");
assign(HASKELL, "hs elm");
assign(INI, "ini cfg conf editorconfig");
assign(LISP, "lisp clj cljs cljc el scm rkt asm s");
assign(PERCENT, "erl hrl tex sty");
assign(POWERSHELL, "ps1 psm1");
assign(MARKUP, "html htm xhtml xml svg xsl plist md markdown mdx");
assign(COMPONENT, "vue svelte astro");
assign(null, "json map webmanifest geojson ipynb jsonl ndjson");

const BY_NAME: Record<string, CommentSyntax> = { dockerfile: HASH, makefile: HASH, gemfile: HASH, rakefile: HASH, procfile: HASH, brewfile: HASH, justfile: HASH };

/**
 * The comment syntax of a file, by its report path: for an archive entry (`app.zip!a/b.js`) the
 * entry's name, for a compressed file (`dump.sql.gz`) the name without the compression suffix.
 * null: the format has no comments (JSON and its relatives).
 */
export function commentSyntaxFor(path: string): CommentSyntax | null {
  const inner = path.slice(path.lastIndexOf("!") + 1);
  const name = inner
    .slice(inner.lastIndexOf("/") + 1)
    .replace(/\.(?:gz|br)$/i, "")
    .toLowerCase();
  if (name === ".env" || name.startsWith(".env.")) return HASH;
  if (BY_NAME[name]) return BY_NAME[name];
  const dot = name.lastIndexOf(".");
  // A dotfile's name is its extension (`.gitignore`, `.npmrc`).
  const extension = dot === -1 ? "" : name.slice(dot + 1);
  if (Object.hasOwn(BY_EXTENSION, extension)) return BY_EXTENSION[extension] as CommentSyntax | null;
  return UNKNOWN_SYNTAX;
}
