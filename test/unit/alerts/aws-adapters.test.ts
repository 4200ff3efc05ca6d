/** The notification sender's AWS adapters against mocked SDK clients: SES SendEmail and SQS visibility. */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { sesEmailSender } from '../../../lambdas/adapters/aws/ses-email-sender';
import { sqsRetryLater } from '../../../lambdas/adapters/aws/sqs-retry-later';

describe('SES email sender', () => {
  it('sends a plain-text email from the configured address', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm1' });
    await sesEmailSender(
      new SESv2Client({ region: 'eu-central-1' }),
      'alerts@example.com',
    )({
      to: 'oncall@example.com',
      subject: '[Waggle] x',
      text: 'body',
    });
    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input)).toEqual([
      {
        FromEmailAddress: 'alerts@example.com',
        Destination: { ToAddresses: ['oncall@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: '[Waggle] x', Charset: 'UTF-8' },
            Body: { Text: { Data: 'body', Charset: 'UTF-8' } },
          },
        },
      },
    ]);
    ses.restore();
  });

  it('rejects when SES refuses (the delivery is then retried)', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).rejects(new Error('MessageRejected: Email address is not verified'));
    await expect(
      sesEmailSender(
        new SESv2Client({ region: 'eu-central-1' }),
        'alerts@example.com',
      )({ to: 'a@b.co', subject: 's', text: 't' }),
    ).rejects.toThrow(/not verified/);
    ses.restore();
  });
});

describe('SQS retry later', () => {
  it('sets the visibility of the message, within SQS bounds', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const later = sqsRetryLater(new SQSClient({ region: 'eu-central-1' }), 'https://sqs.example/q');
    await later('rh1', 30);
    await later('rh2', 100_000);
    await later('rh3', -1);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: 'https://sqs.example/q', ReceiptHandle: 'rh1', VisibilityTimeout: 30 },
      { QueueUrl: 'https://sqs.example/q', ReceiptHandle: 'rh2', VisibilityTimeout: 43_200 },
      { QueueUrl: 'https://sqs.example/q', ReceiptHandle: 'rh3', VisibilityTimeout: 0 },
    ]);
    sqs.restore();
  });
});
