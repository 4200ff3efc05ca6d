import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueSendError, SqsMessageQueue } from '../../lambdas/adapters/aws/sqs-message-queue';

// No emulator reports partial `Failed` entries or throttles on demand: aws-sdk-client-mock stands in.
const sqsMock = mockClient(SQSClient);
const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/events';
const messages = [
  { id: 'first', body: 'one' },
  { id: 'second', body: 'two' },
  { id: 'third', body: 'three' },
];

function sentBodies(call: number): string[] {
  const input = sqsMock.commandCalls(SendMessageBatchCommand)[call]?.args[0].input;
  return (input?.Entries ?? []).map((entry) => entry.MessageBody ?? '');
}

describe('SqsMessageQueue failure handling', () => {
  afterEach(() => sqsMock.reset());

  it('retries only the entries reported in Failed, then resolves', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: 'm0', MessageId: '1', MD5OfMessageBody: '' }],
        Failed: [
          { Id: 'm1', Code: 'InternalError', SenderFault: false, Message: 'try again' },
          { Id: 'm2', Code: 'InternalError', SenderFault: false, Message: 'try again' },
        ],
      })
      .resolvesOnce({ Successful: [], Failed: [{ Id: 'm2', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Successful: [{ Id: 'm2', MessageId: '3', MD5OfMessageBody: '' }], Failed: [] });

    await new SqsMessageQueue(new SQSClient({}), queueUrl, { baseDelayMs: 1 }).sendBatch(messages);

    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
    expect(sentBodies(0)).toEqual(['one', 'two', 'three']);
    expect(sentBodies(1)).toEqual(['two', 'three']);
    expect(sentBodies(2)).toEqual(['three']);
  });

  it('rejects naming the messages that still failed after the last attempt', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [
        { Id: 'm0', MessageId: '1', MD5OfMessageBody: '' },
        { Id: 'm2', MessageId: '3', MD5OfMessageBody: '' },
      ],
      Failed: [{ Id: 'm1', Code: 'InternalError', SenderFault: false, Message: 'down' }],
    });
    const queue = new SqsMessageQueue(new SQSClient({}), queueUrl, { maxAttempts: 3, baseDelayMs: 1 });
    const error = await queue.sendBatch(messages).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueueSendError);
    expect((error as QueueSendError).failures).toEqual([
      { id: 'second', code: 'InternalError', message: 'down', senderFault: false },
    ]);
    expect((error as Error).message).toContain('second (InternalError: down)');
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });

  it('does not retry sender faults', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: 'm0', Code: 'InvalidParameterValue', SenderFault: true, Message: 'bad' }],
    });
    const queue = new SqsMessageQueue(new SQSClient({}), queueUrl, { baseDelayMs: 1 });
    await expect(queue.sendBatch([{ id: 'only', body: 'x' }])).rejects.toThrow(
      /only \(InvalidParameterValue/,
    );
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('retries the batch after a throttling error and gives up after maxAttempts', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sqsMock.on(SendMessageBatchCommand).rejectsOnce(throttled).resolves({ Successful: [], Failed: [] });
    await new SqsMessageQueue(new SQSClient({}), queueUrl, { baseDelayMs: 1 }).sendBatch(messages);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(2);

    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).rejects(throttled);
    const queue = new SqsMessageQueue(new SQSClient({}), queueUrl, { maxAttempts: 2, baseDelayMs: 1 });
    await expect(queue.sendBatch(messages)).rejects.toThrow(/ThrottlingException: Rate exceeded/);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
  });

  it('rethrows errors that are not retryable at once', async () => {
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
    sqsMock.on(SendMessageBatchCommand).rejects(denied);
    const queue = new SqsMessageQueue(new SQSClient({}), queueUrl, { baseDelayMs: 1 });
    await expect(queue.sendBatch(messages)).rejects.toBe(denied);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('sends FIFO group and deduplication ids, and the same ids again on a retry', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: 'm1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Successful: [], Failed: [] });
    const fifo = [
      { id: 'seq-1', body: 'one', fifo: { groupId: 'dp-eu-1', deduplicationId: 'seq-1' } },
      { id: 'seq-2', body: 'two', fifo: { groupId: 'dp-eu-1', deduplicationId: 'seq-2' } },
    ];
    await new SqsMessageQueue(new SQSClient({}), `${queueUrl}.fifo`, { baseDelayMs: 1 }).sendBatch(fifo);
    const entries = sqsMock
      .commandCalls(SendMessageBatchCommand)
      .map((call) => call.args[0].input.Entries?.map((e) => [e.MessageGroupId, e.MessageDeduplicationId]));
    expect(entries).toEqual([
      [
        ['dp-eu-1', 'seq-1'],
        ['dp-eu-1', 'seq-2'],
      ],
      [['dp-eu-1', 'seq-2']],
    ]);
  });
});
