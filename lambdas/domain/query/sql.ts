/**
 * SQL fragments that keep text and parameters together, so a statement's `?` placeholders and its
 * parameter list can never drift apart. Only `raw` puts text into SQL, and only the query layer's
 * own constants and allow-listed identifiers go through it; every user value goes through `param`.
 */
import type { SqlParam } from './engine';

export interface Sql {
  readonly text: string;
  readonly params: readonly SqlParam[];
}

export function raw(text: string): Sql {
  return { text, params: [] };
}

export function param(value: SqlParam): Sql {
  return { text: '?', params: [value] };
}

/** Tagged template: every interpolation is a fragment, spliced in order with its parameters. */
export function sql(strings: TemplateStringsArray, ...parts: Sql[]): Sql {
  let text = strings[0] ?? '';
  const params: SqlParam[] = [];
  parts.forEach((part, index) => {
    text += part.text + (strings[index + 1] ?? '');
    params.push(...part.params);
  });
  return { text, params };
}

export function join(parts: readonly Sql[], separator: string): Sql {
  return {
    text: parts.map((part) => part.text).join(separator),
    params: parts.flatMap((part) => part.params),
  };
}

/** `a AND b AND ...`, or TRUE for no conditions. */
export function and(conditions: readonly Sql[]): Sql {
  if (conditions.length === 0) return raw('TRUE');
  return join(
    conditions.map((condition) => sql`(${condition})`),
    ' AND ',
  );
}
