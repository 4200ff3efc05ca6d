/**
 * What the control plane's two publishers (the API function and the scheduled reconciliation) share
 * on AWS: the KMS-backed message signer, the DynamoDB sequence store and the inbox queues, all from
 * the environment the CDK constructs set (INBOXES, SIGNING_KEY_ARN, SIGNING_KEY_KID,
 * CONTROL_PLANE_TABLE_NAME).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoSequenceStore } from '../adapters/aws/dynamo-sequence-store';
import { KmsSigner } from '../adapters/aws/kms-signer';
import { requiredEnv } from '../adapters/aws/required-env';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import type { MessageQueue } from '../domain/ports';
import { createSyncPublisher, type SyncPublisher } from '../domain/sync/publisher';
import type { MessageSigner } from '../domain/sync/signing';

export interface InboxAddress {
  id: string;
  region: string;
  queueUrl: string;
}

/** Parses INBOXES (JSON list of { id, region, queueUrl }); fails loudly on anything else. */
export function parseInboxes(text: string): InboxAddress[] {
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed)) throw new Error('INBOXES must be a JSON array');
  return parsed.map((entry, index) => {
    const { id, region, queueUrl } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || typeof region !== 'string' || typeof queueUrl !== 'string' || !id)
      throw new Error(`INBOXES[${index}] must have id, region and queueUrl strings`);
    return { id, region, queueUrl };
  });
}

/** The KMS signer as a MessageSigner: same key as the tokens, same kid as the JWKS publishes. */
export function kmsMessageSigner(signer: KmsSigner): MessageSigner {
  return { keyId: signer.keyId, sign: (data) => signer.sign(data) };
}

export function controlPlaneSigner(): KmsSigner {
  return new KmsSigner(new KMSClient({}), requiredEnv('SIGNING_KEY_ARN'), {
    kid: requiredEnv('SIGNING_KEY_KID'),
  });
}

export interface AwsSyncPublisher {
  publisher: SyncPublisher;
  dataPlaneIds: string[];
}

export function awsSyncPublisher(dynamo: DynamoDBClient, signer: KmsSigner): AwsSyncPublisher {
  const inboxes = parseInboxes(requiredEnv('INBOXES'));
  // One SQS client per region: inboxes live in other regions (and accounts).
  const clients = new Map<string, SQSClient>();
  const queues = new Map<string, MessageQueue>();
  for (const inbox of inboxes) {
    let client = clients.get(inbox.region);
    if (!client) {
      client = new SQSClient({ region: inbox.region });
      clients.set(inbox.region, client);
    }
    queues.set(inbox.id, new SqsMessageQueue(client, inbox.queueUrl));
  }
  const publisher = createSyncPublisher({
    signer: kmsMessageSigner(signer),
    sequences: new DynamoSequenceStore(dynamo, requiredEnv('CONTROL_PLANE_TABLE_NAME')),
    inboxFor: (id) => queues.get(id),
  });
  return { publisher, dataPlaneIds: inboxes.map((inbox) => inbox.id) };
}
