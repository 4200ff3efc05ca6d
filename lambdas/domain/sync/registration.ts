/**
 * A data plane's registration: the first report it sends when it is deployed (and again on every
 * deploy), a heartbeat plus where it lives (account, region, the ingest endpoint, hosting model).
 * Health figures and location only, never event contents: the builder copies the known fields.
 */
import { isPlainObject } from './canonical-json';
import { type Heartbeat, HeartbeatError, type HeartbeatFigures, parseHeartbeat } from './heartbeat';

export interface RegistrationFields {
  account: string;
  region: string;
  /** The ingest API's base URL (https). */
  endpoint: string;
  hostingModel: string;
}

export interface Registration extends Omit<Heartbeat, 'type'>, RegistrationFields {
  type: 'registration';
}

/** What the control plane receives from a data plane: a heartbeat or a registration. */
export type DataPlaneReport = Heartbeat | Registration;

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2,8}(-[a-z]+)+-\d{1,2}$/;
const HOSTING_MODEL = /^[a-z][a-z-]{0,39}$/;
const MAX_ENDPOINT_LENGTH = 2048;

export function buildRegistration(
  figures: HeartbeatFigures & RegistrationFields,
  now: number = Date.now(),
): Registration {
  const { dataPlaneId, queueDepth, errors, lagMs, appliedSeq, digest } = figures;
  const { account, region, endpoint, hostingModel } = figures;
  return parseRegistration({
    v: 1,
    type: 'registration',
    sentAt: now,
    dataPlaneId,
    queueDepth,
    errors,
    lagMs,
    appliedSeq,
    digest,
    account,
    region,
    endpoint,
    hostingModel,
  });
}

/** Control-plane side: checks a registration field by field; throws HeartbeatError. */
export function parseRegistration(value: unknown): Registration {
  if (!isPlainObject(value)) throw new HeartbeatError('registration is not an object');
  if (value.type !== 'registration') throw new HeartbeatError('not a registration');
  const { type: _type, ...figures } = parseHeartbeat({ ...value, type: 'heartbeat' });
  const { account, region, endpoint, hostingModel } = value;
  if (typeof account !== 'string' || !ACCOUNT.test(account)) throw new HeartbeatError('bad account');
  if (typeof region !== 'string' || !REGION.test(region)) throw new HeartbeatError('bad region');
  if (typeof hostingModel !== 'string' || !HOSTING_MODEL.test(hostingModel))
    throw new HeartbeatError('bad hostingModel');
  if (typeof endpoint !== 'string' || endpoint.length > MAX_ENDPOINT_LENGTH || !isHttpUrl(endpoint))
    throw new HeartbeatError('bad endpoint');
  return { ...figures, type: 'registration', account, region, endpoint, hostingModel };
}

/** Either kind of report, by its `type`; throws HeartbeatError for anything else. */
export function parseDataPlaneReport(value: unknown): DataPlaneReport {
  if (isPlainObject(value) && value.type === 'registration') return parseRegistration(value);
  return parseHeartbeat(value);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
  } catch {
    return false;
  }
}
