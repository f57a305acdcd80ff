/**
 * Colour for the text report as plain SGR sequences (ECMA-48, "Select Graphic Rendition"),
 * applied only when the report's context says so. The CLI decides once, for each destination,
 * from --color / --no-color, NO_COLOR, FORCE_COLOR and whether that destination is a terminal;
 * nothing here looks at the process or its streams. (Node's `util.styleText` does, on some
 * versions: it checks the real `process.stdout`, whatever the report is written to.)
 */
export type Style = "bold" | "red" | "green" | "yellow" | "cyan" | "gray";

/** Each style's opening and closing parameter: bold ends with 22, a foreground colour with 39. */
const SGR: Readonly<Record<Style, readonly [number, number]>> = {
  bold: [1, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  gray: [90, 39],
};

/** A painter: with `enabled` false it returns the text unchanged. Styles nest in the order given. */
export function painter(enabled: boolean): (styles: Style | readonly Style[], text: string) => string {
  if (!enabled) return (_, text) => text;
  return (styles, text) => {
    const list = typeof styles === "string" ? [styles] : styles;
    const open = list.map((style) => `\u001b[${SGR[style][0]}m`).join("");
    const close = [...list].reverse().map((style) => `\u001b[${SGR[style][1]}m`).join("");
    return `${open}${text}${close}`;
  };
}

export type Paint = ReturnType<typeof painter>;
