// Drops the undefined fields of an object literal: optional fields stay absent rather than present as
// undefined (which DynamoDB's marshaller and exact test comparisons both treat as a value).

export function defined<T extends Record<string, unknown>>(
  fields: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
