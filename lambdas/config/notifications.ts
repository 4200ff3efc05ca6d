/**
 * The variables of the control plane's two notification functions (the channels API and the
 * sender): where channels live, the KMS key of their signing secrets, the delivery queue and the
 * email sender (lib/control-plane/notifications.ts sets them).
 */
import { matching, optional, string, url } from './schema';

export const NOTIFICATION_VARIABLES = {
  /** The control-plane table: channels, projects and memberships. */
  CONTROL_PLANE_TABLE_NAME: string(),
  /** The KMS key that wraps each webhook secret's data key (the API seals, the sender opens). */
  CHANNEL_SECRETS_KEY_ARN: matching(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/,
    'a KMS key ARN',
    'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ),
  /** The delivery queue: the API queues test notifications, the sender delays retries on it. */
  NOTIFICATION_QUEUE_URL: url('https://sqs.eu-central-1.amazonaws.com/123456789012/waggle-notifications'),
  /** The verified SES identity email comes from; unset: email channels are refused. */
  NOTIFICATION_EMAIL_FROM: optional(
    matching(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an email address', 'alerts@example.com'),
  ),
} as const;
