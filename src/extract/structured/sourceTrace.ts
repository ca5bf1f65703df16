/**
 * Remembers, per field, the XML path a value was read from, so an operator can see why a
 * value is what it is (`source.fields`). Only values that were found are recorded.
 */
export type SourceTrace = <T extends string | null>(field: string, path: string, value: T) => T;

export function sourceTrace(fields: Record<string, string>): SourceTrace {
  return (field, path, value) => {
    if (value !== null) fields[field] = path;
    return value;
  };
}
