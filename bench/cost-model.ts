/**
 * AWS list prices (us-east-1, checked in ../shared/TOOLCHAIN.md) and the cost of one million spans
 * from counted requests. Only request counts and measured durations go in; nothing is assumed per span.
 */
export const PRICES = {
  httpApiPerMillionRequests: 1.0,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  sqsPerMillion64KiBChunks: 0.4,
  s3PutPer1000: 0.005,
  /** KMS requests; S3 Bucket Keys make SSE-KMS puts reuse a bucket-level key, so they are rare. */
  kmsPer10000Requests: 0.03,
} as const;

export interface PerRequestCounts {
  spansPerRequest: number;
  /** Billed SQS requests (64 KiB chunks of each SendMessageBatch payload). */
  sqsChunks: number;
  s3Puts: number;
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
    {
      service: 'SQS (64 KiB chunks)',
      requestsPerMillionSpans: requests * counts.sqsChunks,
      usdPerMillionSpans: (requests * counts.sqsChunks * PRICES.sqsPerMillion64KiBChunks) / 1e6,
    },
    {
      service: 'S3 PUT (raw archive + overflow)',
      requestsPerMillionSpans: requests * counts.s3Puts,
      usdPerMillionSpans: (requests * counts.s3Puts * PRICES.s3PutPer1000) / 1000,
    },
  ];
}
