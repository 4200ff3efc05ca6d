/** The heartbeat sender's environment (lib/data-plane/heartbeat-sender.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { json, matching, string, url } from '../config/schema';

/** DEAD_LETTER_QUEUE_URLS: a JSON list of queue URLs. */
function queueUrls(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && URL.canParse(item)))
    throw new Error('not a list of URLs');
  return value;
}

export const HEARTBEAT_SENDER_ENVIRONMENT = defineFunctionEnvironment('heartbeat-sender', {
  DATA_PLANE_ID: string(),
  /** The registration's location: account, region, endpoint, hosting model. */
  DATA_PLANE_ACCOUNT: matching(/^\d{12}$/, 'a 12-digit AWS account id', '111111111111'),
  DATA_PLANE_REGION: string('eu-west-1'),
  DATA_PLANE_ENDPOINT: url(),
  HOSTING_MODEL: string('self-hosted'),
  /** This data plane's heartbeat queue, in the control plane's account and region. */
  HEARTBEAT_QUEUE_URL: url(),
  HEARTBEAT_QUEUE_REGION: string('eu-west-1'),
  /** Queue depths reported: the events queue, and the dead-letter queues (as errors). */
  EVENTS_QUEUE_URL: url(),
  DEAD_LETTER_QUEUE_URLS: json(
    'a JSON list of queue URLs',
    JSON.stringify(['https://sqs.eu-west-1.amazonaws.com/111111111111/example-dlq']),
    queueUrls,
  ),
  /** The applied config (digest, applied seq, lag). */
  SYNC_STATE_TABLE_NAME: string(),
});

export const readHeartbeatSenderEnvironment = HEARTBEAT_SENDER_ENVIRONMENT.read;
export const environmentForHeartbeatSender = HEARTBEAT_SENDER_ENVIRONMENT.environmentFor;
