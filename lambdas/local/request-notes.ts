/**
 * What a handler's hooks report about the request being served (its project, the spans accepted
 * or refused), gathered for the local server's one log line per request. The hooks are created
 * once per handler, not per request, so the request they belong to is found through
 * AsyncLocalStorage: the server runs each handler call inside its own notes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogFields } from './logger';

const current = new AsyncLocalStorage<LogFields>();

export function withRequestNotes<T>(notes: LogFields, serve: () => T): T {
  return current.run(notes, serve);
}

/** Adds fields to the log line of the request being served; outside a request it does nothing. */
export function noteRequest(fields: LogFields): void {
  const notes = current.getStore();
  if (notes) Object.assign(notes, fields);
}
