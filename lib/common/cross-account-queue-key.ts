/**
 * The KMS side of a queue that roles in other accounts write to: the key lets exactly the named
 * sender roles encrypt through SQS in the queue's region, and every queue on it uses the same
 * encryption settings. Used by the data planes' inboxes and the control plane's heartbeat queues.
 */
import { Duration } from 'aws-cdk-lib';
import { AccountPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { urlSuffixOf } from './partition';

interface CrossAccountSenders {
  sid: string;
  /** Accounts of the sender roles. */
  accounts: readonly string[];
  /** Region of the queues (the kms:ViaService SQS endpoint). */
  region: string;
  /** ARNs of the only roles that may use the key. */
  senderArns: readonly string[];
}

export function allowCrossAccountSqsSenders(key: Key, senders: CrossAccountSenders): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: senders.sid,
      principals: [...new Set(senders.accounts)].map((account) => new AccountPrincipal(account)),
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:ViaService': `sqs.${senders.region}.${urlSuffixOf(key)}` },
        ArnEquals: { 'aws:PrincipalArn': [...senders.senderArns] },
      },
    }),
  );
}

/** Customer-key encryption with a long data-key reuse (few KMS calls per message) and TLS only. */
export function kmsQueueEncryption(
  key: Key,
): Pick<QueueProps, 'encryption' | 'encryptionMasterKey' | 'dataKeyReuse' | 'enforceSSL'> {
  return {
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: key,
    dataKeyReuse: Duration.hours(1),
    enforceSSL: true,
  };
}
