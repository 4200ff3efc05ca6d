/**
 * What the control plane's two publishers (the API function and the scheduled reconciliation) share
 * on AWS: the KMS-backed message signer, the DynamoDB sequence store and the inbox queues, all from
 * their validated environment (lambdas/config/sync-publishing.ts: INBOXES, SIGNING_KEY_ARN,
 * SIGNING_KEY_KID, CONTROL_PLANE_TABLE_NAME). Every AWS SDK client goes through `traced`.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SigningValues, SyncPublishingValues } from '../../config/sync-publishing';
import type { MessageQueue } from '../../domain/ports';
import { createSyncPublisher, type SyncPublisher } from '../../domain/sync/publisher';
import type { MessageSigner } from '../../domain/sync/signing';
import { DynamoSequenceStore } from './dynamo-sequence-store';
import { KmsSigner } from './kms-signer';
import { SqsMessageQueue } from './sqs-message-queue';

/** Records an AWS SDK client's calls (Observability.traced); the identity when not tracing. */
export type Traced = <Client>(client: Client) => Client;

/** The KMS signer as a MessageSigner: same key as the tokens, same kid as the JWKS publishes. */
function kmsMessageSigner(signer: KmsSigner): MessageSigner {
  return { keyId: signer.keyId, sign: (data) => signer.sign(data) };
}

export function controlPlaneSigner(env: SigningValues, traced: Traced): KmsSigner {
  return new KmsSigner(traced(new KMSClient({})), env.SIGNING_KEY_ARN, { kid: env.SIGNING_KEY_KID });
}

interface AwsSyncPublisher {
  publisher: SyncPublisher;
  dataPlaneIds: string[];
}

export function awsSyncPublisher(
  dynamo: DynamoDBClient,
  signer: KmsSigner,
  env: SyncPublishingValues,
  traced: Traced,
): AwsSyncPublisher {
  const inboxes = env.INBOXES;
  // One SQS client per region: inboxes live in other regions (and accounts).
  const clients = new Map<string, SQSClient>();
  const queues = new Map<string, MessageQueue>();
  for (const inbox of inboxes) {
    let client = clients.get(inbox.region);
    if (!client) {
      client = traced(new SQSClient({ region: inbox.region }));
      clients.set(inbox.region, client);
    }
    queues.set(inbox.id, new SqsMessageQueue(client, inbox.queueUrl));
  }
  const publisher = createSyncPublisher({
    signer: kmsMessageSigner(signer),
    sequences: new DynamoSequenceStore(dynamo, env.CONTROL_PLANE_TABLE_NAME),
    inboxFor: (id) => queues.get(id),
  });
  return { publisher, dataPlaneIds: inboxes.map((inbox) => inbox.id) };
}
