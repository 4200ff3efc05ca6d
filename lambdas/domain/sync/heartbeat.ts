/**
 * Heartbeats a data plane sends back to the control plane: health figures and the applied-state
 * digest, nothing else. The builder copies only the known figures, so whatever else a caller has at
 * hand (events, payloads, keys) cannot ride along.
 */
import { isPlainObject } from './canonical-json';
import type { Digest } from './digest';
import { ENTITY_KINDS } from './messages';

export interface HeartbeatFigures {
  dataPlaneId: string;
  /** Messages waiting in the data plane's queues. */
  queueDepth: number;
  /** Errors since the previous heartbeat. */
  errors: number;
  /** How far behind the control plane the applied state is, in ms. */
  lagMs: number;
  appliedSeq: number;
  digest: Digest;
}

export interface Heartbeat extends Omit<HeartbeatFigures, 'digest'> {
  v: 1;
  type: 'heartbeat';
  sentAt: number;
  /** A kind is absent when the sender predates it; reconciliation then treats the kind as differing. */
  digest: Partial<Digest>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const DATA_PLANE_ID = /^[A-Za-z0-9._-]{1,128}$/;

export class HeartbeatError extends Error {
  override readonly name = 'HeartbeatError';
}

export function buildHeartbeat(figures: HeartbeatFigures, now: number = Date.now()): Heartbeat {
  return parseHeartbeat({ v: 1, type: 'heartbeat', sentAt: now, ...pick(figures) });
}

/** Control-plane side: checks a received heartbeat field by field; throws HeartbeatError. */
export function parseHeartbeat(value: unknown): Heartbeat {
  if (!isPlainObject(value)) throw new HeartbeatError('heartbeat is not an object');
  if (value.v !== 1 || value.type !== 'heartbeat') throw new HeartbeatError('not a version 1 heartbeat');
  if (typeof value.dataPlaneId !== 'string' || !DATA_PLANE_ID.test(value.dataPlaneId))
    throw new HeartbeatError('bad dataPlaneId');
  const digestValue = value.digest;
  if (!isPlainObject(digestValue)) throw new HeartbeatError('digest is not an object');
  const digest: Partial<Digest> = {};
  for (const kind of ENTITY_KINDS) {
    const hash = digestValue[kind];
    // A data plane upgraded after its control plane does not know the newest kinds yet (e.g. tool).
    if (hash === undefined) continue;
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash))
      throw new HeartbeatError(`digest.${kind} is not a SHA-256`);
    digest[kind] = hash;
  }
  return {
    v: 1,
    type: 'heartbeat',
    dataPlaneId: value.dataPlaneId,
    sentAt: count(value.sentAt, 'sentAt'),
    queueDepth: count(value.queueDepth, 'queueDepth'),
    errors: count(value.errors, 'errors'),
    lagMs: count(value.lagMs, 'lagMs'),
    appliedSeq: count(value.appliedSeq, 'appliedSeq'),
    digest,
  };
}

function pick(figures: HeartbeatFigures): HeartbeatFigures {
  const { dataPlaneId, queueDepth, errors, lagMs, appliedSeq, digest } = figures;
  return { dataPlaneId, queueDepth, errors, lagMs, appliedSeq, digest };
}

function count(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new HeartbeatError(`${name} is not a non-negative integer`);
  return value;
}
