/**
 * The pure half of the optional gRPC collector (GrpcCollector): its defaults, the Fargate sizes it
 * may take, and the OpenTelemetry Collector configuration it runs, built as an object and rendered
 * to text here so that tests can read it without synthesizing a stack.
 */

/** Where the collector listens for OTLP/gRPC, in the container and on the load balancer. */
export const OTLP_GRPC_PORT = 4317;
/** The health_check extension's port, probed by the load balancer. */
export const HEALTH_CHECK_PORT = 13133;
export const HEALTH_CHECK_PATH = '/';

/**
 * The upstream OpenTelemetry Collector contrib distribution, pinned: 0.159.0 (released 2026-08-17)
 * has every component the configuration below names (otlp receiver, memory_limiter, otlp_http with
 * sending_queue.batch.partition, headers_setter, health_check) and is built for linux/arm64. From
 * GitHub's registry rather than Docker Hub, whose anonymous pulls are rate-limited per address.
 */
export const DEFAULT_COLLECTOR_IMAGE =
  'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib:0.159.0';

export const DEFAULT_COLLECTOR_DESIRED_COUNT = 2;
export const MAX_COLLECTOR_DESIRED_COUNT = 20;
/** 0.5 vCPU and 1 GiB: room for the sending queue and a few hundred concurrent callers. */
export const DEFAULT_COLLECTOR_CPU = 512;
const DEFAULT_COLLECTOR_MEMORY_MIB = 1024;
export const DEFAULT_COLLECTOR_ALLOWED_CIDRS: readonly string[] = ['0.0.0.0/0'];
/** A security group holds at most 60 inbound rules; one per CIDR, with room to spare. */
export const MAX_COLLECTOR_ALLOWED_CIDRS = 50;

/**
 * The Fargate task sizes (Linux) up to 4 vCPU: memory (MiB) allowed for each CPU value (units of
 * 1/1024 vCPU). https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html
 */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16_384, 1024),
  4096: range(8192, 30_720, 1024),
};

/** The task's CPU and memory: as configured, else 512 and the larger of 1024 and the CPU's smallest. */
export function collectorTaskSize(config: { readonly cpu?: number; readonly memoryMiB?: number }): {
  cpu: number;
  memoryMiB: number;
} {
  const cpu = config.cpu ?? DEFAULT_COLLECTOR_CPU;
  const smallest = FARGATE_MEMORY_BY_CPU[cpu]?.[0] ?? DEFAULT_COLLECTOR_MEMORY_MIB;
  return { cpu, memoryMiB: config.memoryMiB ?? Math.max(DEFAULT_COLLECTOR_MEMORY_MIB, smallest) };
}

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, index) => from + index * step);
}

/**
 * The caller's gRPC metadata the collector passes on as HTTP headers, [header, metadata key]: the
 * credential, and the project a token of several projects addresses (docs/ingestion.md,
 * Authentication). Nothing else.
 */
const FORWARDED_METADATA = [
  ['Authorization', 'authorization'],
  ['x-waggle-project', 'x-waggle-project'],
] as const;

interface CollectorConfigOptions {
  /**
   * The data plane's HTTP API base URL (the IngestApiUrl output, with its trailing slash): the
   * exporter appends v1/traces. A CDK token at synth time.
   */
  readonly apiUrl: string;
  /** The task's memory, from which the memory limiter's limits are derived. */
  readonly memoryMiB: number;
}

/** What the memory limiter refuses at (hard limit), and how much headroom it keeps below it (spike). */
export function memoryLimits(memoryMiB: number): { limitMiB: number; spikeLimitMiB: number } {
  // The collector's README: a hard limit near 80% of the container's memory, a spike of about 20%.
  return { limitMiB: Math.floor(memoryMiB * 0.8), spikeLimitMiB: Math.floor(memoryMiB * 0.2) };
}

/** GOMEMLIMIT, as the collector's README advises: 80% of the container's memory. */
export function goMemLimit(memoryMiB: number): string {
  return `${Math.floor(memoryMiB * 0.8)}MiB`;
}

/**
 * The collector's configuration: OTLP/gRPC in, OTLP/HTTP out to the data plane's API, each request
 * carrying the Authorization its caller sent. Only traces: the HTTP API takes nothing else over
 * OTLP, so metrics and logs sent here are answered Unimplemented by the receiver.
 *
 * - The receiver keeps the caller's gRPC metadata (`include_metadata`), and headers_setter copies
 *   its `authorization` (and `x-waggle-project`) into the outgoing request's headers: the collector
 *   holds no credential of its own, and Waggle authenticates every forwarded request as if the
 *   caller had sent it.
 * - Batching happens in the exporter's sending queue, partitioned by those keys, so one outgoing
 *   request only ever holds data of callers that sent the same credential (and project), and the
 *   merged request keeps them. Not the batch processor: its `metadata_keys` creates one batcher
 *   per distinct value that lives as long as the process, and past `metadata_cardinality_limit`
 *   (1,000 by default) it refuses every new value for good. Control-plane tokens change every 15
 *   minutes and anyone who reaches the endpoint can send made-up values, so that limit would be
 *   reached; the queue's partitions are dropped once idle.
 * - `wait_for_result`: a caller's request is answered when Waggle has answered the forwarded one, so
 *   a bad key gets Unauthenticated (401) or PermissionDenied (403) back instead of a silent drop,
 *   and a refusal reaches the client's own retry logic.
 * - Batches are bounded in bytes (1 MiB, uncompressed protobuf) so that a merged request stays well
 *   inside the ingest limits (4 MiB sent, 16,384 spans per request: a 1 MiB batch would need spans
 *   under 64 bytes each to pass it); a larger caller request is split.
 * - The memory limiter comes first and refuses data (a retryable error for the caller) before the
 *   task runs out of memory; the queue is bounded in bytes to a quarter of the task's memory.
 */
export function collectorConfig(options: CollectorConfigOptions) {
  const { limitMiB, spikeLimitMiB } = memoryLimits(options.memoryMiB);
  const MiB = 1024 * 1024;
  return {
    extensions: {
      health_check: { endpoint: `0.0.0.0:${HEALTH_CHECK_PORT}`, path: HEALTH_CHECK_PATH },
      headers_setter: {
        headers: FORWARDED_METADATA.map(([header, key]) => ({
          action: 'upsert',
          key: header,
          from_context: key,
        })),
      },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: {
            // The collector binds to localhost by default; the load balancer reaches the task's address.
            endpoint: `0.0.0.0:${OTLP_GRPC_PORT}`,
            include_metadata: true,
            // The gRPC default, stated: a larger message is refused before it is decoded.
            max_recv_msg_size_mib: 4,
          },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_mib: limitMiB, spike_limit_mib: spikeLimitMiB },
    },
    exporters: {
      otlp_http: {
        endpoint: options.apiUrl,
        encoding: 'proto',
        compression: 'gzip',
        // API Gateway gives up on an integration after 30 s.
        timeout: '30s',
        auth: { authenticator: 'headers_setter' },
        retry_on_failure: {
          enabled: true,
          initial_interval: '1s',
          max_interval: '5s',
          // The caller waits (wait_for_result) and its exporter retries too: give up long before it.
          max_elapsed_time: '30s',
        },
        sending_queue: {
          enabled: true,
          wait_for_result: true,
          block_on_overflow: false,
          num_consumers: 10,
          sizer: 'bytes',
          queue_size: Math.floor(options.memoryMiB / 4) * MiB,
          batch: {
            flush_timeout: '200ms',
            sizer: 'bytes',
            min_size: 512 * 1024,
            max_size: MiB,
            partition: { metadata_keys: FORWARDED_METADATA.map(([, key]) => key) },
          },
        },
      },
    },
    service: {
      extensions: ['health_check', 'headers_setter'],
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['memory_limiter'], exporters: ['otlp_http'] },
      },
      telemetry: { logs: { level: 'info', encoding: 'json' } },
    },
  };
}

type CollectorConfig = ReturnType<typeof collectorConfig>;

/**
 * The configuration as the collector reads it (`--config=env:OTEL_CONFIG`: YAML from an environment
 * variable). Written as JSON, which is YAML too (flow style), so no YAML library and no quoting
 * rules of our own. CDK tokens inside strings survive: their markers hold no character JSON escapes.
 */
export function renderCollectorConfig(config: CollectorConfig): string {
  return JSON.stringify(config);
}
