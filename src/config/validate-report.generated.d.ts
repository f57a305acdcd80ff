// The type of lib/src/config/validate-report.generated.js, which scripts/build-config-validator.js
// compiles from schema/report.schema.json at build time.
import type { ValidationError } from "./validate-config.generated.js";
declare const validate: ((data: unknown) => boolean) & { errors?: ValidationError[] | null };
export default validate;
