/**
 * Inputs and outputs too large for a row are stored whole in a payload object; the row holds a
 * truncated copy and the object's key (`inputs_ref` / `outputs_ref`). Single-event and session
 * reads put the full values back, fetching at most `maxObjects` payloads per request (exports keep
 * the truncated copies: a page of 7500 events must not mean 15000 object reads), and only while the
 * answer stays within its byte budget (response-budget.ts): a payload that would push it past keeps
 * the stored truncated copy (`{ _truncated: true, _preview, _bytes }`), which says so.
 */
import { gunzipSync } from 'node:zlib';
import type { Tenant } from '../events/event';
import { isJsonObject } from '../honeyhive/fields';
import type { ObjectStore } from '../ports';
import type { SessionNode, SessionResult, StoredEvent } from '../query/types';
import { runWithConcurrency } from '../run-with-concurrency';
import { PAYLOADS_PREFIX } from '../store/layout';
import { responseCost } from './response-budget';

export const MAX_PAYLOADS_PER_REQUEST = 100;
/** A payload inflating past this is not put back; the truncated copy stays. */
const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
/** Payloads read at once: each may inflate up to the budget left, so this bounds the memory held. */
const PAYLOADS_AT_ONCE = 4;

const SECTIONS = [
  ['inputs', 'inputs_ref'],
  ['outputs', 'outputs_ref'],
] as const;

export interface RestoreLimits {
  maxObjects?: number;
  /** Response bytes (responseCost) the restored values may add in all; unbounded when absent. */
  maxAddedBytes?: number;
}

/** Replaces truncated inputs/outputs of the given events in place (callers pass copies) where it can. */
export async function restoreFullPayloads(
  events: readonly StoredEvent[],
  store: ObjectStore,
  tenant: Tenant,
  limits: RestoreLimits = {},
): Promise<void> {
  const maxObjects = limits.maxObjects ?? MAX_PAYLOADS_PER_REQUEST;
  let room = limits.maxAddedBytes ?? Number.POSITIVE_INFINITY;
  // Only keys under the caller's own project are read, whatever a row says.
  const ownPrefix = `${PAYLOADS_PREFIX}project_id=${encodeURIComponent(tenant.project_id)}/`;
  const work: Array<() => Promise<void>> = [];
  for (const event of events) {
    for (const [section, refField] of SECTIONS) {
      const ref = event[refField];
      if (typeof ref !== 'string' || !ref.startsWith(ownPrefix) || work.length >= maxObjects) continue;
      work.push(async () => {
        if (room <= 0) return;
        const full = await readPayload(store, ref, Math.min(MAX_PAYLOAD_BYTES, room));
        if (!full) return;
        // What putting it back adds to the answer; past the room left, the truncated copy stays.
        const added = responseCost(JSON.stringify(full)) - responseCost(JSON.stringify(event[section]));
        if (added > room) return;
        room -= added;
        event[section] = full;
      });
    }
  }
  await runWithConcurrency(work, PAYLOADS_AT_ONCE, (task) => task());
}

/** The event with full payloads, as a copy: what the query service returned is left as it was. */
export async function eventWithFullPayloads(
  event: StoredEvent,
  store: ObjectStore,
  tenant: Tenant,
  limits: RestoreLimits = {},
): Promise<StoredEvent> {
  const copy = { ...event };
  await restoreFullPayloads([copy], store, tenant, limits);
  return copy;
}

/** The session with full payloads in a copied tree. */
export async function sessionWithFullPayloads(
  session: SessionResult,
  store: ObjectStore,
  tenant: Tenant,
  limits: RestoreLimits = {},
): Promise<SessionResult> {
  const root = copyTree(session.root);
  await restoreFullPayloads(treeEvents(root), store, tenant, limits);
  return { ...session, root };
}

/** Every node of a session tree, without recursion (a parent chain is client data). */
export function treeEvents(root: SessionNode): SessionNode[] {
  const all: SessionNode[] = [];
  const pending = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    all.push(node);
    pending.push(...node.children);
  }
  return all;
}

function copyTree(root: SessionNode): SessionNode {
  const top: SessionNode = { ...root, children: [] };
  const pending: Array<[SessionNode, SessionNode]> = [[root, top]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [source, copy] = item;
    for (const child of source.children) {
      const childCopy: SessionNode = { ...child, children: [] };
      copy.children.push(childCopy);
      pending.push([child, childCopy]);
    }
  }
  return top;
}

async function readPayload(
  store: ObjectStore,
  key: string,
  maxBytes: number,
): Promise<Record<string, unknown> | undefined> {
  try {
    const bytes = await store.get(key);
    if (!bytes) return undefined;
    const parsed: unknown = JSON.parse(gunzipSync(bytes, { maxOutputLength: maxBytes }).toString('utf8'));
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    // A missing or unreadable payload leaves the truncated copy, which is still a valid answer.
    return undefined;
  }
}
