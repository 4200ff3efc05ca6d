/**
 * Writes event-store Parquet files for query tests with DuckDB's own COPY, following columns.ts
 * exactly and the layout's Hive partition folders, independently of the production writer.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Tenant, WaggleTombstone } from '../../../lambdas/domain/events/event';
import type { StoredEvent } from '../../../lambdas/domain/query/types';
import { type Column, EVENT_COLUMNS, TOMBSTONE_COLUMNS } from '../../../lambdas/domain/store/columns';
import {
  EVENTS_PREFIX,
  hourPartitionOf,
  partitionPrefix,
  TOMBSTONES_PREFIX,
} from '../../../lambdas/domain/store/layout';
import { LOCATOR_COLUMNS, LOCATOR_PREFIX } from '../../../lambdas/domain/store/locator';
import { storedEventFixture } from '../../support/stored-event';

export const TENANT: Tenant = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };
export const BASE_TIME = Date.UTC(2026, 2, 10, 12, 0, 0);

export function makeEvent(overrides: Partial<StoredEvent> & { event_id: string }): StoredEvent {
  return storedEventFixture(TENANT, {
    session_id: 'sess-1',
    start_time: BASE_TIME,
    inputs_ref: null,
    outputs_ref: null,
    ...overrides,
  });
}

/** A session's own event: of type session, its event id the session's id unless `overrides` say otherwise. */
export function makeSessionEvent(sessionId: string, overrides: Partial<StoredEvent> = {}): StoredEvent {
  return makeEvent({ event_id: sessionId, session_id: sessionId, event_type: 'session', ...overrides });
}

const SQL_TYPES: Record<Column['type'], string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

type Cell = string | number | boolean | null;

async function copyRows(
  root: string,
  folder: string,
  columns: readonly Column[],
  rows: Cell[][],
  fileName = `${randomUUID()}.parquet`,
): Promise<void> {
  const directory = join(root, folder);
  await mkdir(directory, { recursive: true });
  const select = columns.map((column) => `CAST(? AS ${SQL_TYPES[column.type]}) AS ${column.name}`).join(', ');
  const union = rows.map(() => `SELECT ${select}`).join(' UNION ALL ');
  const target = join(directory, fileName).replaceAll("'", "''");
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    await connection.run(`COPY (${union}) TO '${target}' (FORMAT parquet)`, rows.flat());
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

/** One Parquet file per hour partition (by start_time), as the writer lays them out. */
export async function writeEvents(root: string, events: readonly StoredEvent[]): Promise<void> {
  const byPartition = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const folder = partitionPrefix(EVENTS_PREFIX, hourPartitionOf(event.project_id, event.start_time));
    byPartition.set(folder, [...(byPartition.get(folder) ?? []), event]);
  }
  for (const [folder, group] of byPartition) {
    const rows = group.map((event) =>
      EVENT_COLUMNS.map((column): Cell => {
        const value = (event as unknown as Record<string, unknown>)[column.name];
        if (value === undefined || value === null) return null;
        return typeof value === 'object' ? JSON.stringify(value) : (value as Cell);
      }),
    );
    await copyRows(root, folder, EVENT_COLUMNS, rows);
  }
  await writeLocator(root, events);
}

/**
 * The id locator rows of the events, as the writer writes them beside each batch: per project, the
 * day of each event id (with its session) and every day of each session.
 */
async function writeLocator(root: string, events: readonly StoredEvent[]): Promise<void> {
  const byProject = new Map<string, Map<string, Cell[]>>();
  for (const event of events) {
    const rows = byProject.get(event.project_id) ?? new Map<string, Cell[]>();
    const day = hourPartitionOf(event.project_id, event.start_time).dt;
    rows.set(`event ${event.event_id} ${day}`, ['event', event.event_id, event.session_id, day]);
    rows.set(`session ${event.session_id} ${day}`, ['session', event.session_id, null, day]);
    byProject.set(event.project_id, rows);
  }
  for (const [projectId, rows] of byProject) {
    const folder = `${LOCATOR_PREFIX}project_id=${encodeURIComponent(projectId)}/`;
    await copyRows(root, folder, LOCATOR_COLUMNS, [...rows.values()], `t0-${randomUUID()}.parquet`);
  }
}

export async function writeTombstones(root: string, tombstones: readonly WaggleTombstone[]): Promise<void> {
  for (const tombstone of tombstones) {
    const folder = partitionPrefix(
      TOMBSTONES_PREFIX,
      hourPartitionOf(tombstone.project_id, tombstone.deleted_at),
    );
    const row = TOMBSTONE_COLUMNS.map(
      (column) => (tombstone as unknown as Record<string, Cell>)[column.name] ?? null,
    );
    await copyRows(root, folder, TOMBSTONE_COLUMNS, [row]);
  }
}
