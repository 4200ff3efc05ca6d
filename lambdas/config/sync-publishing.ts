/**
 * The variables of the control plane's two publishers of sync messages (the API function and the
 * scheduled reconciliation): the control-plane table (sequence counters), every data plane's inbox
 * and the current signing key (lambdas/adapters/aws/sync-publisher-wiring.ts wires them).
 */
import { type InputOf, json, string, type ValuesOf } from './schema';

interface InboxAddress {
  id: string;
  region: string;
  queueUrl: string;
}

/** INBOXES: a JSON list of { id, region, queueUrl }; throws saying which entry is wrong. */
function parseInboxes(value: unknown): InboxAddress[] {
  if (!Array.isArray(value)) throw new Error('not a JSON array');
  return value.map((entry, index) => {
    const { id, region, queueUrl } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || typeof region !== 'string' || typeof queueUrl !== 'string' || !id)
      throw new Error(`[${index}] must have id, region and queueUrl strings`);
    return { id, region, queueUrl };
  });
}

export const SIGNING_VARIABLES = {
  /** The current signing key (KMS, ECC_NIST_P256). */
  SIGNING_KEY_ARN: string('arn:aws:kms:eu-west-1:111111111111:key/example'),
  /** Its kid in the JWKS: the key id, not the ARN (which names the account). */
  SIGNING_KEY_KID: string(),
} as const;

export const SYNC_PUBLISHING_VARIABLES = {
  CONTROL_PLANE_TABLE_NAME: string(),
  /** Every data plane's inbox queue, in its own account and region. */
  INBOXES: json(
    'a JSON list of { id, region, queueUrl }',
    JSON.stringify([
      { id: 'example', region: 'eu-west-1', queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/example.fifo' },
    ]),
    parseInboxes,
  ),
  ...SIGNING_VARIABLES,
} as const;

export type SigningValues = ValuesOf<typeof SIGNING_VARIABLES>;
/** What a construct sets for the current key (lib/control-plane/signing-key.ts). */
export type SigningInput = InputOf<typeof SIGNING_VARIABLES>;
export type SyncPublishingValues = ValuesOf<typeof SYNC_PUBLISHING_VARIABLES>;
