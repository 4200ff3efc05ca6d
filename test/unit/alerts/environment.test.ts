/** The notification functions' environment: the rules of their own variables (the shared checks are in test/unit/config). */
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../../lambdas/config/schema';
import {
  NOTIFICATION_SENDER_ENVIRONMENT,
  readNotificationSenderEnvironment,
} from '../../../lambdas/notification-sender/environment';
import { readNotificationsApiEnvironment } from '../../../lambdas/notifications-api/environment';

const example = NOTIFICATION_SENDER_ENVIRONMENT.example();

function problemsOf(env: object): readonly string[] {
  try {
    readNotificationSenderEnvironment(env as Record<string, string>);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return (error as EnvironmentError).problems;
  }
  throw new Error('the environment was accepted');
}

describe('notification functions environment', () => {
  it('reads the email sender as optional, and both functions the same variables', () => {
    expect(
      readNotificationSenderEnvironment({ ...example, NOTIFICATION_EMAIL_FROM: undefined } as never),
    ).toMatchObject({ NOTIFICATION_EMAIL_FROM: undefined });
    expect(
      readNotificationsApiEnvironment({
        ...example,
        POWERTOOLS_SERVICE_NAME: 'waggle-notifications-api',
      } as never),
    ).toMatchObject({ NOTIFICATION_EMAIL_FROM: 'alerts@example.com', CONTROL_PLANE_TABLE_NAME: 'example' });
  });

  it('says what is wrong with each malformed variable', () => {
    expect(
      problemsOf({
        ...example,
        NOTIFICATION_EMAIL_FROM: 'alerts',
        CHANNEL_SECRETS_KEY_ARN: 'alias/waggle',
        NOTIFICATION_QUEUE_URL: 'sqs/queue',
      }),
    ).toEqual([
      'CHANNEL_SECRETS_KEY_ARN must be a KMS key ARN, got "alias/waggle"',
      'NOTIFICATION_QUEUE_URL must be an http(s) URL, got "sqs/queue"',
      'NOTIFICATION_EMAIL_FROM must be an email address, got "alerts"',
    ]);
  });
});
