/**
 * AWS list prices (us-east-1) and the cost of one million spans from counted requests. Only request
 * counts, measured bytes and measured durations go in; nothing is assumed per span.
 *
 * Prices from AWS's pricing pages:
 *   API Gateway HTTP APIs  https://aws.amazon.com/api-gateway/pricing/  ($1.00 per million, first 300 million)
 *   Lambda                 https://aws.amazon.com/lambda/pricing/       ($0.20 per million requests, arm64 GB-second)
 *   SQS                    https://aws.amazon.com/sqs/pricing/          (standard queue, per million requests;
 *                                                                        each 64 KiB chunk of a payload is one request)
 *   S3                     https://aws.amazon.com/s3/pricing/           (S3 Standard PUT, COPY, POST, LIST per 1,000)
 *   KMS                    https://aws.amazon.com/kms/pricing/          (per 10,000 requests)
 *   Step Functions         https://aws.amazon.com/step-functions/pricing/ (Standard: per state transition;
 *                                                                        a Distributed Map's child executions too)
 *   DynamoDB               https://aws.amazon.com/dynamodb/pricing/on-demand/ (per million write / read request units)
 *   Athena                 https://aws.amazon.com/athena/pricing/       (per TB scanned, at least 10 MB a query)
 */
import { SQS_BILLED_CHUNK_BYTES, SQS_MAX_BATCH_ENTRIES } from '../lambdas/domain/queue-limits';

export const PRICES = {
  httpApiPerMillionRequests: 1.0,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  sqsPerMillion64KiBChunks: 0.4,
  s3PutPer1000: 0.005,
  s3GetPer1000: 0.0004,
  stepFunctionsPer1000Transitions: 0.025,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  athenaPerTbScanned: 5,
  /** KMS requests; S3 Bucket Keys make SSE-KMS puts reuse a bucket-level key, so they are rare. */
  kmsPer10000Requests: 0.03,
} as const;

/**
 * Lambda's invocation payload limit (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
 * an SQS event source stops filling a batch there, whatever its batch size.
 */
const LAMBDA_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Assumed: what Lambda's SQS event adds per message (ids, receipt handle, attributes, ARN), JSON. */
const SQS_EVENT_RECORD_OVERHEAD_BYTES = 1024;

interface WriterBatchInput {
  /** Messages one ingest request puts on the events queue (raw request + records). */
  messagesPerRequest: number;
  /** Their bodies' bytes together. */
  messageBytesPerRequest: number;
  /** The writer's event-source batch size (EVENT_WRITER_DEFAULTS.batchSize). */
  batchSize: number;
}

/**
 * Requests whose messages fill one writer batch when traffic keeps the queue full: the batch closes
 * at its size or at Lambda's 6 MB payload, whichever comes first. (At low traffic the batching
 * window closes batches earlier: then the writer's PUTs are at most one per window per concurrent
 * writer, a fixed cost, not a per-span one.)
 */
export function requestsPerWriterBatch(input: WriterBatchInput): number {
  const bySize = Math.floor(input.batchSize / input.messagesPerRequest);
  const perRequestPayload =
    input.messageBytesPerRequest + input.messagesPerRequest * SQS_EVENT_RECORD_OVERHEAD_BYTES;
  const byPayload = Math.floor(LAMBDA_INVOCATION_PAYLOAD_BYTES / perRequestPayload);
  return Math.max(1, Math.min(bySize, byPayload));
}

/**
 * The writer's SQS requests per ingest request: ReceiveMessage calls (10 messages each, billed per
 * 64 KiB chunk of what they return) and DeleteMessageBatch calls (10 messages each, small payloads).
 */
export function writerSqsRequestsPerRequest(input: Omit<WriterBatchInput, 'batchSize'>): number {
  const callsPerRequest = input.messagesPerRequest / SQS_MAX_BATCH_ENTRIES;
  const bytesPerCall = (input.messageBytesPerRequest / input.messagesPerRequest) * SQS_MAX_BATCH_ENTRIES;
  const receiveChunksPerCall = Math.max(1, Math.ceil(bytesPerCall / SQS_BILLED_CHUNK_BYTES));
  return callsPerRequest * receiveChunksPerCall + callsPerRequest;
}

interface PerRequestCounts {
  spansPerRequest: number;
  /** Billed SQS requests of ingest's SendMessageBatch calls (64 KiB chunks of each payload). */
  sqsChunks: number;
  /** Billed SQS requests of the writer's receives and deletes, per ingest request (amortized). */
  writerSqsRequests: number;
  /** S3 PUTs by ingest (requests too big for a message, overflow events). */
  ingestS3Puts: number;
  /** The writer's PUTs (raw batch, events file, id locator, event schema, change marker), per ingest request (amortized over a batch). */
  writerS3Puts: number;
  /** Lambda billed duration per request, ms. */
  lambdaMs: number;
  lambdaMemoryMb: number;
}

export interface CostLine {
  service: string;
  requestsPerMillionSpans: number;
  usdPerMillionSpans: number;
}

export function costPerMillionSpans(counts: PerRequestCounts): CostLine[] {
  const requests = 1_000_000 / counts.spansPerRequest;
  const gbSeconds = requests * (counts.lambdaMs / 1000) * (counts.lambdaMemoryMb / 1024);
  const sqs = (service: string, perRequest: number): CostLine => ({
    service,
    requestsPerMillionSpans: requests * perRequest,
    usdPerMillionSpans: (requests * perRequest * PRICES.sqsPerMillion64KiBChunks) / 1e6,
  });
  const s3 = (service: string, perRequest: number): CostLine => ({
    service,
    requestsPerMillionSpans: requests * perRequest,
    usdPerMillionSpans: (requests * perRequest * PRICES.s3PutPer1000) / 1000,
  });
  return [
    {
      service: 'API Gateway HTTP API',
      requestsPerMillionSpans: requests,
      usdPerMillionSpans: (requests * PRICES.httpApiPerMillionRequests) / 1e6,
    },
    {
      service: 'Lambda requests',
      requestsPerMillionSpans: requests,
      usdPerMillionSpans: (requests * PRICES.lambdaPerMillionRequests) / 1e6,
    },
    {
      service: 'Lambda duration (arm64)',
      requestsPerMillionSpans: requests,
      usdPerMillionSpans: gbSeconds * PRICES.lambdaArmPerGbSecond,
    },
    sqs('SQS send (64 KiB chunks, raw request included)', counts.sqsChunks),
    sqs('SQS receive + delete (writer, amortized)', counts.writerSqsRequests),
    s3('S3 PUT by ingest (oversized requests, overflow events)', counts.ingestS3Puts),
    s3(
      'S3 PUTs of the writer: raw batch, events file, id locator, event schema, change marker (amortized)',
      counts.writerS3Puts,
    ),
  ];
}
