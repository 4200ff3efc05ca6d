/**
 * The EmailSender on Amazon SES (API v2 SendEmail): a plain-text message from the configured,
 * verified sender identity. SES refuses an unverified sender or, in its sandbox, an unverified
 * recipient; those errors fail the delivery (retried, then the dead-letter queue).
 */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailSender } from '../../domain/alerts/deliver';

export function sesEmailSender(client: SESv2Client, from: string): EmailSender {
  return async (email) => {
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [email.to] },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: email.text, Charset: 'UTF-8' } },
          },
        },
      }),
    );
  };
}
