/**
 * Builds the id locator (locator.ts) from the events already stored, for a store written before the
 * writer kept one: without it, those events would be found by range but not by id or session. Reads
 * only the id columns of each events file, writes one tier-0 file per project and events file
 * (named after the file, so a re-run overwrites instead of adding), then merges each project's files.
 */
import type { DeletableObjectStore } from '../ports';
import { EVENT_COLUMNS } from './columns';
import { EVENTS_PREFIX } from './layout';
import {
  LOCATOR_COLUMNS,
  LOCATOR_PREFIX,
  type LocatorRow,
  locatorFileKey,
  locatorParquetRows,
} from './locator';
import { mergeLocator } from './locator-merge';
import { readParquet, writeParquet } from './parquet-files';

const EVENTS_FILE = /^events\/project_id=([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/hour=\d{2}\/([^/]+)\.parquet$/;
const ID_COLUMNS = EVENT_COLUMNS.filter(
  (column) => column.name === 'event_id' || column.name === 'session_id',
);

export interface LocatorRebuildResult {
  filesRead: number;
  rows: number;
  projects: number;
}

/** Whether the store holds events but no locator at all: what a store from before the locator looks like. */
export async function needsLocatorRebuild(store: DeletableObjectStore): Promise<boolean> {
  const first = async (prefix: string) => {
    for await (const key of store.list(prefix)) if (key.endsWith('.parquet')) return true;
    return false;
  };
  return (await first(EVENTS_PREFIX)) && !(await first(LOCATOR_PREFIX));
}

export async function rebuildLocator(
  store: DeletableObjectStore,
  options: { now: number; onProgress?: (filesRead: number) => void },
): Promise<LocatorRebuildResult> {
  const projects = new Set<string>();
  let filesRead = 0;
  let rows = 0;
  for await (const key of store.list(EVENTS_PREFIX)) {
    const match = EVENTS_FILE.exec(key);
    if (!match) continue;
    const [, project, dt, file] = match as unknown as [string, string, string, string];
    const body = await store.get(key);
    if (body === undefined) continue;
    const located = new Map<string, LocatorRow>();
    for (const row of await readParquet(ID_COLUMNS, body)) {
      const eventId = row.event_id;
      const sessionId = row.session_id;
      if (typeof eventId !== 'string' || typeof sessionId !== 'string') continue;
      located.set(`e${eventId}`, { kind: 'event', id: eventId, session_id: sessionId, dt });
      located.set(`s${sessionId}`, { kind: 'session', id: sessionId, session_id: null, dt });
    }
    const sorted = [...located.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const name = `rebuilt-${dt}-${key.slice(key.indexOf('/hour=') + 6, key.indexOf('/hour=') + 8)}-${file}`;
    await store.put(
      locatorFileKey(project, 0, name),
      writeParquet(LOCATOR_COLUMNS, locatorParquetRows(sorted)),
      { contentType: 'application/vnd.apache.parquet' },
    );
    projects.add(project);
    rows += sorted.length;
    filesRead++;
    options.onProgress?.(filesRead);
  }
  for (const project of projects) await mergeLocator(store, project, { now: options.now });
  return { filesRead, rows, projects: projects.size };
}
