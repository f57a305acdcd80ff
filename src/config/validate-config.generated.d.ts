// The type of lib/src/config/validate-config.generated.js, which scripts/build-config-validator.js
// compiles from schema/lumenguard.schema.json at build time.
export interface ValidationError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}
declare const validate: ((data: unknown) => boolean) & { errors?: ValidationError[] | null };
export default validate;
