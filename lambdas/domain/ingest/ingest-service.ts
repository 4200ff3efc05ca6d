/**
 * Accepting a request: convert it to records, then make both the raw request and the records
 * durable before anything is acknowledged. The raw request travels on the events queue beside its
 * records (the writer archives it, one object per batch), so the queue's acceptance is the durable
 * copy and no S3 PUT is made per request; only a request too big for a message is written to the
 * raw archive here. If a write fails the caller is told to retry (UnavailableError); a retry may archive or
 * queue a second copy, which is harmless because event ids are stable, the newest version of each id
 * wins downstream, and replay reads each request once.
 */
import type { Principal } from '../auth/principal';
import { UnavailableError } from '../errors';
import { DEFAULT_OTLP_LIMITS, type OtlpLimits } from '../otlp/limits';
import type { MessageQueue, ObjectStore } from '../ports';
import { SQS_MAX_MESSAGE_BYTES } from '../queue-limits';
import { TimeSlices } from '../time-slices';
import { type Conversion, convertRequestInSlices } from './convert-request';
import { publishRecords } from './publish-records';
import { rawRequestMessageBody } from './queue-envelope';
import { type ArchivedRoute, encodeArchiveObject, rawArchiveKey } from './raw-archive';
import { versionClock } from './version-clock';

/** Sizes of one request; the OtlpLimits bound what one OTLP body may hold (lambdas/domain/otlp/limits.ts). */
export interface IngestLimits extends OtlpLimits {
  /** Largest body accepted as sent (after base64 decoding, before gzip decoding). */
  maxBodyBytes: number;
  /** Largest body after gzip decoding (guards against compression bombs). */
  maxDecompressedBytes: number;
  /** Longer attribute values are truncated in events; the full value stays in the raw archive. */
  maxAttributeValueBytes: number;
  /** Largest events-queue message body; a raw request over it is written to S3 instead. */
  maxMessageBytes: number;
}

/**
 * Lambda's synchronous payload limit is 6 MB and API Gateway base64-encodes binary bodies (x4/3),
 * so about 4.4 MB of protobuf is the most that can arrive; 4 MiB leaves room for the event envelope.
 */
export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  ...DEFAULT_OTLP_LIMITS,
  maxBodyBytes: 4 * 1024 * 1024,
  maxDecompressedBytes: 32 * 1024 * 1024,
  maxAttributeValueBytes: 64 * 1024,
  maxMessageBytes: SQS_MAX_MESSAGE_BYTES,
};

interface IngestServiceDeps {
  rawArchive: ObjectStore;
  overflowStore: ObjectStore;
  eventsQueue: MessageQueue;
  limits?: Partial<IngestLimits>;
  /** Reports write failures (never request contents or keys). */
  onStorageError?: (stage: 'archive' | 'queue', error: unknown) => void;
}

interface IncomingRequest {
  route: ArchivedRoute;
  principal: Principal;
  requestId: string;
  receivedAt: number;
  contentType: string;
  /** The body after content decoding. */
  body: Uint8Array;
  /** The body as it arrived (gzip bytes when it came gzip-encoded): this is what gets archived. */
  rawBody: Uint8Array;
  rawIsGzip: boolean;
}

export type IngestOutcome = Conversion & {
  rawArchiveKey: string;
  /** Whether the raw request was written to S3 here (too big for a queue message). */
  rawOverflowed: boolean;
};

interface IngestService {
  readonly limits: IngestLimits;
  ingest(request: IncomingRequest): Promise<IngestOutcome>;
}

export function createIngestService(deps: IngestServiceDeps): IngestService {
  const limits = { ...DEFAULT_INGEST_LIMITS, ...deps.limits };
  const versions = versionClock();

  async function ingest(request: IncomingRequest): Promise<IngestOutcome> {
    const { principal } = request;
    const tenant = {
      org_id: principal.org_id,
      workspace_id: principal.workspace_id,
      project_id: principal.project_id,
    };
    const header = {
      v: 1 as const,
      requestId: request.requestId,
      receivedAt: request.receivedAt,
      route: request.route,
      contentType: request.contentType,
      tenant,
      projectName: principal.projectName,
    };
    const archiveKey = rawArchiveKey(header);
    // One request's long work runs in slices, so others sharing the process (locally) keep being served.
    const slices = new TimeSlices();
    // Conversion comes first: a request that is invalid as a whole is refused (4xx) and stored nowhere.
    const conversion = await convertRequestInSlices(
      {
        ...header,
        body: request.body,
        ingestedAt: request.receivedAt,
        version: versions(request.receivedAt),
        rawArchiveKey: archiveKey,
        maxAttributeValueBytes: limits.maxAttributeValueBytes,
        otlpLimits: limits,
      },
      slices,
    );
    const rawMessage = rawRequestMessageBody(header, request.rawBody, request.rawIsGzip);
    const rawOverflowed = Buffer.byteLength(rawMessage, 'utf8') > limits.maxMessageBytes;
    const archived = rawOverflowed
      ? deps.rawArchive
          .put(archiveKey, encodeArchiveObject(header, request.rawBody, request.rawIsGzip), {
            contentType: 'application/octet-stream',
          })
          .catch((error: unknown) => {
            deps.onStorageError?.('archive', error);
            throw new UnavailableError('The raw archive is unavailable; retry the request', 2);
          })
      : Promise.resolve();
    const queued = publishRecords(conversion.records, deps.eventsQueue, deps.overflowStore, {
      requestId: request.requestId,
      maxMessageBytes: limits.maxMessageBytes,
      slices,
      leadingBodies: rawOverflowed ? [] : [rawMessage],
    }).catch((error: unknown) => {
      deps.onStorageError?.('queue', error);
      throw new UnavailableError('The events queue is unavailable; retry the request', 2);
    });
    const [archiveResult, queueResult] = await Promise.allSettled([archived, queued]);
    if (archiveResult.status === 'rejected') throw archiveResult.reason;
    if (queueResult.status === 'rejected') throw queueResult.reason;
    return { ...conversion, rawArchiveKey: archiveKey, rawOverflowed };
  }

  return { limits, ingest };
}
