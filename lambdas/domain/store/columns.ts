/**
 * The Parquet schemas of the store's tables: the one definition the writer, the query layer and the
 * Glue tables (CDK) all read. JSON sections are stored as JSON text (Athena json_extract*, DuckDB
 * json_extract*), times as epoch milliseconds. Partition columns (project_id, dt, hour) come from the
 * object path and are not inside the files.
 */
import { EVENT_SECTIONS } from '../events/event';

export type ColumnType = 'string' | 'bigint' | 'double' | 'boolean';

export interface Column {
  name: string;
  type: ColumnType;
  description: string;
}

/** Whose a row is, in every table (the project is a partition column). */
export const OWNER_COLUMNS = [
  { name: 'org_id', type: 'string', description: 'Owning organization' },
  { name: 'workspace_id', type: 'string', description: 'Owning workspace' },
] as const satisfies readonly Column[];

export const EVENT_COLUMNS = [
  { name: 'event_id', type: 'string', description: 'Event id; with version, the row key' },
  { name: 'version', type: 'bigint', description: 'Newer versions of an event id supersede older ones' },
  ...OWNER_COLUMNS,
  { name: 'session_id', type: 'string', description: 'Session the event belongs to' },
  { name: 'parent_id', type: 'string', description: 'Parent event id; NULL for a root' },
  { name: 'children_ids', type: 'string', description: 'JSON array of child event ids sent by the client' },
  { name: 'trace_id', type: 'string', description: 'OpenTelemetry trace id (hex); NULL for REST events' },
  { name: 'span_id', type: 'string', description: 'OpenTelemetry span id (hex)' },
  { name: 'event_type', type: 'string', description: 'session | model | tool | chain' },
  { name: 'event_name', type: 'string', description: 'Event name' },
  { name: 'source', type: 'string', description: 'Where the event came from (sdk, service name)' },
  { name: 'start_time', type: 'bigint', description: 'Epoch milliseconds' },
  { name: 'end_time', type: 'bigint', description: 'Epoch milliseconds' },
  { name: 'duration', type: 'double', description: 'Milliseconds' },
  { name: 'model', type: 'string', description: 'Model name for model events' },
  { name: 'provider', type: 'string', description: 'Model provider' },
  { name: 'prompt_tokens', type: 'bigint', description: 'Input tokens' },
  { name: 'completion_tokens', type: 'bigint', description: 'Output tokens' },
  { name: 'total_tokens', type: 'bigint', description: 'Input plus output tokens' },
  { name: 'cost', type: 'double', description: 'USD' },
  { name: 'error', type: 'string', description: 'Error message; NULL when none' },
  { name: 'config', type: 'string', description: 'JSON object' },
  { name: 'inputs', type: 'string', description: 'JSON object (a truncated copy when inputs_ref is set)' },
  { name: 'outputs', type: 'string', description: 'JSON object (a truncated copy when outputs_ref is set)' },
  { name: 'metadata', type: 'string', description: 'JSON object' },
  { name: 'metrics', type: 'string', description: 'JSON object' },
  { name: 'feedback', type: 'string', description: 'JSON object' },
  { name: 'user_properties', type: 'string', description: 'JSON object' },
  {
    name: 'inputs_ref',
    type: 'string',
    description: 'Object key of the full inputs when the row holds a truncated copy',
  },
  {
    name: 'outputs_ref',
    type: 'string',
    description: 'Object key of the full outputs when the row holds a truncated copy',
  },
  {
    name: 'ingested_at',
    type: 'bigint',
    description: 'Epoch milliseconds when the data plane accepted the event',
  },
  { name: 'deleted', type: 'boolean', description: 'Always false for written events; kept for the model' },
] as const satisfies readonly Column[];

export const TOMBSTONE_COLUMNS = [
  { name: 'target', type: 'string', description: "'event' or 'session'" },
  { name: 'id', type: 'string', description: 'Deleted event_id or session_id' },
  ...OWNER_COLUMNS,
  { name: 'deleted_at', type: 'bigint', description: 'Epoch milliseconds' },
] as const satisfies readonly Column[];

/** Event columns that hold JSON text: the event's sections and the children_ids array. */
export const JSON_TEXT_COLUMNS: ReadonlySet<string> = new Set([...EVENT_SECTIONS, 'children_ids']);

/** Partition columns, in path order, for both tables. */
export const PARTITION_COLUMNS = [
  { name: 'project_id', type: 'string', description: 'Project (from the API key)' },
  { name: 'dt', type: 'string', description: 'UTC day, YYYY-MM-DD' },
  { name: 'hour', type: 'string', description: 'UTC hour, 00-23' },
] as const satisfies readonly Column[];

export type EventColumnName = (typeof EVENT_COLUMNS)[number]['name'];

/** The JavaScript value a column of each type holds (INT64 as a number: the store's stay below 2^53). */
export type ColumnValue<T extends ColumnType> = T extends 'string'
  ? string | null
  : T extends 'boolean'
    ? boolean
    : number | null;

/** One stored event row, as written to and read from Parquet. */
export type EventRow = {
  [C in (typeof EVENT_COLUMNS)[number] as C['name']]: ColumnValue<C['type']>;
};

/** A row as its values in column order: the writer's form, transposed into columns without lookups by name. */
export type RowValues<Columns extends readonly Column[]> = {
  -readonly [Index in keyof Columns]: ColumnValue<Columns[Index]['type']>;
};

export type EventRowValues = RowValues<typeof EVENT_COLUMNS>;
