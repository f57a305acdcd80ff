/**
 * How comments and strings are written in a file, by its name: what an inline allow marker
 * needs to know to tell a comment (`// lumenguard-allow`) from a string, a URL or a word that
 * merely holds the characters (`m = "no lumenguard-allow here"`, `https://x/#lumenguard-allow`).
 * Files whose format has no comments (JSON) have no syntax at all: they cannot carry an inline
 * allow. Names this table does not know accept `#` and `//` line comments at the start of a word.
 */
export interface CommentSyntax {
  /** Openers of comments that run to the end of the line. */
  line: readonly string[];
  /** Opener and closer pairs of comments that end at their closer, on this line or a later one. */
  block: ReadonlyArray<readonly [open: string, close: string]>;
  /** Characters that open and close a string on one line (a backslash escapes the next character). */
  quotes: string;
  /** Delimiters of strings that may run over several lines (the same string opens and closes): `` ` ``, `"""`. */
  multiline?: readonly string[];
  /**
   * Line openers count only at the start of a word: at the start of the line or after one of
   * these characters — a shell's `#` (https://www.gnu.org/software/bash/manual/bash.html#Comments),
   * YAML's `#` after white space (https://yaml.org/spec/1.2.2/#66-comments), and text whose
   * `//` may be a URL's.
   */
  wordStart?: string;
  /** A quote opens a string only at the start of a word (after white space, `=`, `:`, `,`, `[`, `{`, `(`): prose has apostrophes. */
  quotesAtWordStart?: boolean;
  /** Single-quoted strings take no escapes (a shell's: https://www.gnu.org/software/bash/manual/bash.html#Single-Quotes). */
  rawSingleQuotes?: boolean;
  /** Markup: inside a tag (`<p title="…">`), quotes delimit attribute values, and no comment opens. */
  markup?: boolean;
}

const BLANKS = " \t";
const SHELL_WORD_START = " \t;|&()<>";
const C_BLOCK = [["/*", "*/"]] as const;
const C_LIKE: CommentSyntax = { line: ["//"], block: C_BLOCK, quotes: `"'` };
const C_TEXT_BLOCKS: CommentSyntax = { ...C_LIKE, multiline: ['"""'] };
const GO: CommentSyntax = { ...C_LIKE, multiline: ["`"] };
const JS: CommentSyntax = { line: ["//"], block: C_BLOCK, quotes: `"'`, multiline: ["`"] };
const CSS: CommentSyntax = { line: [], block: C_BLOCK, quotes: `"'` };
const PYTHON: CommentSyntax = { line: ["#"], block: [], quotes: `"'`, multiline: ['"""', "'''"] };
const HASH: CommentSyntax = { line: ["#"], block: [], quotes: `"'` };
const TOML: CommentSyntax = { line: ["#"], block: [], quotes: `"'`, multiline: ['"""', "'''"] };
const SHELL: CommentSyntax = { line: ["#"], block: [], quotes: "", multiline: ['"', "'"], wordStart: SHELL_WORD_START, rawSingleQuotes: true };
const YAML: CommentSyntax = { line: ["#"], block: [], quotes: `"'`, wordStart: BLANKS, quotesAtWordStart: true };
const ENV: CommentSyntax = { line: ["#"], block: [], quotes: `"'`, wordStart: BLANKS, quotesAtWordStart: true };
const HASH_AND_C: CommentSyntax = { line: ["#", "//"], block: C_BLOCK, quotes: `"'` };
const PHP: CommentSyntax = { line: ["//", "#"], block: C_BLOCK, quotes: `"'`, multiline: ["`"] };
const SQL: CommentSyntax = { line: ["--"], block: C_BLOCK, quotes: `"'` };
const LUA: CommentSyntax = { line: ["--"], block: [["--[[", "]]"]], quotes: `"'` };
const HASKELL: CommentSyntax = { line: ["--"], block: [["{-", "-}"]], quotes: `"` };
const INI: CommentSyntax = { line: [";", "#"], block: [], quotes: `"`, wordStart: BLANKS, quotesAtWordStart: true };
const LISP: CommentSyntax = { line: [";"], block: [], quotes: `"` };
const PERCENT: CommentSyntax = { line: ["%"], block: [], quotes: `"` };
const POWERSHELL: CommentSyntax = { line: ["#"], block: [["<#", "#>"]], quotes: `"'` };
/** Text with markup comments: quotes in prose (`don't`) are not strings; inside tags they are. */
const MARKUP: CommentSyntax = { line: [], block: [["<!--", "-->"]], quotes: "", markup: true };
/** Single-file components: markup around script and style blocks. */
const COMPONENT: CommentSyntax = { line: ["//"], block: [["<!--", "-->"], ...C_BLOCK], quotes: "", markup: true, wordStart: BLANKS };
/** A name this table does not know: `#` and `//` at the start of a word, so that a URL's `//` or `#fragment` opens nothing. */
export const UNKNOWN_SYNTAX: CommentSyntax = { line: ["#", "//"], block: [], quotes: `"'`, wordStart: BLANKS, quotesAtWordStart: true };

const BY_EXTENSION: Record<string, CommentSyntax | null> = {};
const assign = (syntax: CommentSyntax | null, extensions: string) => {
  for (const extension of extensions.split(" ")) BY_EXTENSION[extension] = syntax;
};
assign(JS, "js mjs cjs jsx ts tsx mts cts");
assign(C_LIKE, "c h cc cpp cxx hpp hh m mm rs cs proto zig sol jsonc json5 fs fsx");
assign(C_TEXT_BLOCKS, "java kt kts scala swift dart groovy gradle");
assign(GO, "go");
assign(CSS, "css");
assign(C_LIKE, "scss less styl");
assign(PYTHON, "py pyi pyw");
assign(HASH, "rb r pl pm tcl cmake ex exs cr jl coffee graphql gql nim");
assign(TOML, "toml");
assign(SHELL, "sh bash zsh fish ksh mk dockerignore gitignore gitattributes npmrc yarnrc");
assign(YAML, "yaml yml");
assign(ENV, "env properties");
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

const BY_NAME: Record<string, CommentSyntax> = { dockerfile: SHELL, makefile: SHELL, gemfile: HASH, rakefile: HASH, procfile: SHELL, brewfile: HASH, justfile: SHELL };

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
  if (name === ".env" || name.startsWith(".env.")) return ENV;
  if (BY_NAME[name]) return BY_NAME[name];
  const dot = name.lastIndexOf(".");
  // A dotfile's name is its extension (`.gitignore`, `.npmrc`).
  const extension = dot === -1 ? "" : name.slice(dot + 1);
  if (Object.hasOwn(BY_EXTENSION, extension)) return BY_EXTENSION[extension] as CommentSyntax | null;
  return UNKNOWN_SYNTAX;
}
