/**
 * GET /v1/events/schema: the fields seen in the project's events (HoneyHive's event_schemas), per
 * event type and name, rolled up over the project's event-schema files (store/event-schema.ts; the
 * writer leaves one per batch, compaction merges them). One statement over the project's single
 * partition of `event_schemas` (bounded: partition-bounds.ts counts a reference pinned to one
 * project as one partition), at most MAX_SCHEMA_FIELDS rows.
 */
import type { Tenant } from '../events/event';
import { isSchemaKey, SCHEMA_FIELD_TYPES, type SchemaFieldType } from '../store/event-schema';
import type { QueryEngine } from './engine';
import { resolveField } from './fields';
import { runStatement } from './run-statement';
import { and, param, raw, type Sql, sql } from './sql';
import { number } from './stored-event';
import type { EventSchemaField, EventSchemaQuery, EventSchemaResult, ReadContext } from './types';

/** Fields an answer lists at most: a console's suggestion list, well inside the response budget. */
export const MAX_SCHEMA_FIELDS = 5_000;

export function eventSchemaStatement(tenant: Tenant, query: EventSchemaQuery): Sql {
  const where = and([
    sql`project_id = ${param(tenant.project_id)}`,
    ...(query.eventType === undefined ? [] : [sql`event_type = ${param(query.eventType)}`]),
    ...(query.eventName === undefined ? [] : [sql`event_name = ${param(query.eventName)}`]),
  ]);
  return sql`SELECT event_type, event_name, field, field_type, CAST(sum(occurrences) AS BIGINT) AS occurrences, max(last_seen) AS last_seen
FROM event_schemas
WHERE ${where}
GROUP BY event_type, event_name, field, field_type
ORDER BY event_type, event_name, field, field_type
LIMIT ${raw(String(MAX_SCHEMA_FIELDS))}`;
}

export async function eventSchema(
  engine: QueryEngine,
  tenant: Tenant,
  query: EventSchemaQuery,
  context: ReadContext = {},
): Promise<EventSchemaResult> {
  const rows = await runStatement(engine, 'event-schema', eventSchemaStatement(tenant, query), context);
  return { fields: rows.flatMap(toField) };
}

/** A row as a field; one a filter would refuse (never written so, but files outlive code) is left out. */
function toField(row: Record<string, unknown>): EventSchemaField[] {
  const { event_type, event_name, field, field_type } = row;
  if (typeof event_type !== 'string' || typeof event_name !== 'string' || typeof field !== 'string')
    return [];
  if (!(SCHEMA_FIELD_TYPES as readonly unknown[]).includes(field_type) || !filterable(field)) return [];
  return [
    {
      event_type,
      event_name,
      field,
      field_type: field_type as SchemaFieldType,
      occurrences: number(row.occurrences) ?? 0,
      last_seen: number(row.last_seen) ?? 0,
    },
  ];
}

function filterable(field: string): boolean {
  try {
    const resolved = resolveField(field);
    return resolved.kind === 'column' || resolved.path.every(isSchemaKey);
  } catch {
    return false;
  }
}
