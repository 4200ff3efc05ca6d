/**
 * Drift or a change on its way: a heartbeat has one digest per kind, so a new key still on its way
 * gets every key republished; only what the data plane lacked from before its report is drift.
 */
import { describe, expect, it } from 'vitest';
import { digest, type InventoryEntry } from '../../../lambdas/domain/sync/digest';
import { lackedBeforeReport } from '../../../lambdas/domain/sync/drift';
import type { EntityChange } from '../../../lambdas/domain/sync/publisher';

const SENT_AT = Date.parse('2026-12-04T00:04:05Z');
const OLD = SENT_AT - 5 * 60_000;
const FRESH = SENT_AT - 3_000;

function upsert(kind: 'api-key' | 'project', entityId: string, entityVersion = 1): EntityChange {
  return { kind: `${kind}.upserted`, entityId, entityVersion, payload: {} };
}

function reportOf(entries: InventoryEntry[]) {
  return { sentAt: SENT_AT, digest: digest(entries) };
}

const project = upsert('project', 'p1');
const oldKey = upsert('api-key', 'old');
const newKey = upsert('api-key', 'new');
const changedAt = new Map([
  ['p1', OLD],
  ['old', OLD],
  ['new', FRESH],
]);
const held = (...changes: EntityChange[]): InventoryEntry[] =>
  changes.map((change) => ({
    kind: change.kind.split('.')[0] as InventoryEntry['kind'],
    entityId: change.entityId,
    entityVersion: change.entityVersion,
  }));

describe('lackedBeforeReport', () => {
  it('is no drift when the report lacked only a change made just before it', () => {
    const desired = [project, oldKey, newKey];
    const lacked = lackedBeforeReport({
      toRepublish: [oldKey, newKey],
      desired,
      changedAt,
      reported: reportOf(held(project, oldKey)),
      inFlightMs: 10_000,
    });
    expect(lacked).toBe(0);
  });

  it('is no drift when the report held a fresh update at its previous version', () => {
    const revoked = upsert('api-key', 'new', 2);
    const lacked = lackedBeforeReport({
      toRepublish: [oldKey, revoked],
      desired: [project, oldKey, revoked],
      changedAt,
      reported: reportOf(held(project, oldKey, newKey)),
      inFlightMs: 10_000,
    });
    expect(lacked).toBe(0);
  });

  it('is drift when an old entity is missing, even beside a change in flight of its kind', () => {
    const lacked = lackedBeforeReport({
      toRepublish: [oldKey, newKey],
      desired: [project, oldKey, newKey],
      changedAt,
      reported: reportOf(held(project)),
      inFlightMs: 10_000,
    });
    expect(lacked).toBe(1);
  });

  it('is drift when an old entity is missing and nothing is in flight', () => {
    const lacked = lackedBeforeReport({
      toRepublish: [project],
      desired: [project, oldKey],
      changedAt,
      reported: reportOf(held(oldKey)),
      inFlightMs: 10_000,
    });
    expect(lacked).toBe(1);
  });

  it('is nothing when only fresh changes were republished', () => {
    const lacked = lackedBeforeReport({
      toRepublish: [newKey],
      desired: [project, oldKey, newKey],
      changedAt,
      reported: reportOf(held(project, oldKey)),
      inFlightMs: 10_000,
    });
    expect(lacked).toBe(0);
  });
});
