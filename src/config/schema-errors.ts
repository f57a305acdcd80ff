import type { ValidationError } from "./validate-config.generated.js";

/**
 * A JSON Schema validation error (Ajv's, from the validators compiled at build time) as the
 * field it is about and what is wrong with it, the way lumenguard's messages name fields:
 * `customPatterns[0].regex`, `entries[2].file`. `prefix` is where the validated object sits
 * (`lumenguard.` inside package.json).
 */
export function describeSchemaError(error: ValidationError | undefined, prefix = ""): { field: string | null; detail: string } {
  const path = (error?.instancePath ?? "").split("/").slice(1).map(unescapePointer);
  const extra = error?.params?.["additionalProperty"] as string | undefined;
  const missing = error?.params?.["missingProperty"] as string | undefined;
  if (extra !== undefined) path.push(extra);
  if (missing !== undefined) path.push(missing);
  const formatted = formatPath(path);
  const field = formatted ? prefix + formatted : prefix.replace(/\.$/, "") || null;
  const allowed = error?.params?.["allowedValues"] as unknown[] | undefined;
  const detail =
    extra !== undefined
      ? "is not a known field"
      : missing !== undefined
        ? "is missing"
        : allowed
          ? `must be one of ${allowed.map((value) => JSON.stringify(value)).join(", ")}`
          : (error?.message ?? "is invalid");
  return { field, detail };
}

function unescapePointer(part: string): string {
  return part.replace(/~1/g, "/").replace(/~0/g, "~");
}

function formatPath(parts: string[]): string {
  return parts.map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`)).join("");
}
