/**
 * The variables of the control plane's two notification functions (the channels API and the
 * sender): where channels live, the KMS key of their signing secrets, the delivery queue and the
 * email sender (lib/control-plane/notifications.ts sets them).
 */
import { kmsKeyArn, matching, optional, string, url } from './schema';

export const NOTIFICATION_VARIABLES = {
  /** The control-plane table: channels, projects and memberships. */
  CONTROL_PLANE_TABLE_NAME: string(),
  /** The KMS key that wraps each webhook secret's data key (the API seals, the sender opens). */
  CHANNEL_SECRETS_KEY_ARN: kmsKeyArn(),
  /** The delivery queue: the API queues test notifications, the sender delays retries on it. */
  NOTIFICATION_QUEUE_URL: url('https://sqs.eu-central-1.amazonaws.com/123456789012/waggle-notifications'),
  /** The verified SES identity email comes from; unset: email channels are refused. */
  NOTIFICATION_EMAIL_FROM: optional(
    matching(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an email address', 'alerts@example.com'),
  ),
} as const;
