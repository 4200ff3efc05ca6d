/**
 * The Athena statements a read request would run, without AWS: the request goes through the query
 * function's own handler (routing, parsing, the query layer) with a recording engine that answers
 * plausible rows, so every statement of the read's longest path is seen. Each statement comes with
 * the execution parameters Athena would get (as literals) and, per events/tombstones reference, the
 * hour partitions it can touch (partition-bounds.ts). Used by `npm run query:plan` and by tests.
 */

import { generateApiKey, hashApiKey } from '../domain/auth/api-key';
import type { ApiKeyRecord } from '../domain/auth/principal';
import type { KeyRegistry, MessageQueue, ObjectStore } from '../domain/ports';
import { athenaLiteral } from '../domain/query/athena-rules';
import { createEventQueryService } from '../domain/query/event-query-service';
import { KNOWN_UNBOUNDED_REFERENCES, partitionReach, referenceKey } from '../domain/query/partition-bounds';
import { createRecordingEngine } from '../domain/query/recording-engine';
import { createQueryApiHandler, QUERY_ROUTES } from '../query-api/app';
import { buildApiGatewayEvent } from './api-gateway-event';

interface PlannedPartitions {
  table: string;
  cte: string | null;
  /** Hour partitions the reference can touch; for an unbounded one, the whole projected range. */
  hours: number;
  bounded: boolean;
  /** An unbounded reference that is one of the known, tolerated ones (partition-bounds.ts). */
  knownUnbounded?: true;
}

interface PlannedStatement {
  statement: string;
  sql: string;
  /** ExecutionParameters as Athena receives them. */
  parameters: string[];
  partitions: PlannedPartitions[];
}

interface QueryPlan {
  /** The status the read would answer with over these (empty) results; a 4xx means nothing ran. */
  status: number;
  error?: string;
  statements: PlannedStatement[];
}

/** A key that lives only in this process's memory, for the plan's own in-memory key registry. */
const PLAN_KEY = generateApiKey();
const PLAN_KEY_RECORD: ApiKeyRecord = {
  keyHash: hashApiKey(PLAN_KEY),
  org_id: 'plan-org',
  workspace_id: 'plan-workspace',
  project_id: 'plan-project',
  projectName: 'plan',
  scopes: ['read', 'ingest'],
  revoked: false,
  createdAt: 0,
};

export async function planRead(
  method: string,
  target: string,
  body?: string,
  now: number = Date.now(),
): Promise<QueryPlan> {
  const engine = createRecordingEngine('athena', now);
  const keys: KeyRegistry = {
    findByHash: async (hash) => (hash === PLAN_KEY_RECORD.keyHash ? PLAN_KEY_RECORD : undefined),
    put: async () => {},
  };
  const nowhere: ObjectStore = {
    put: async () => {},
    get: async () => undefined,
    list: async function* () {},
  };
  const queue: MessageQueue = { sendBatch: async () => {} };
  const handler = createQueryApiHandler({
    keys,
    queries: createEventQueryService(engine, { clock: () => now }),
    eventsQueue: queue,
    overflowStore: nowhere,
    clock: () => now,
  });
  const event = buildApiGatewayEvent(
    {
      method,
      target,
      rawHeaders: ['authorization', `Bearer ${PLAN_KEY}`, 'content-type', 'application/json'],
      body: new TextEncoder().encode(body ?? ''),
      sourceIp: '127.0.0.1',
      protocol: 'HTTP/1.1',
      domainName: 'plan.local',
      requestId: 'plan',
      timeEpoch: Date.now(),
    },
    QUERY_ROUTES,
  );
  const response = await handler(event);
  const status = response.statusCode ?? 200;
  const statements = engine.statements.map(
    (recorded): PlannedStatement => ({
      statement: recorded.statement,
      sql: recorded.sql,
      parameters: recorded.params.map(athenaLiteral),
      partitions: partitionReach(recorded.sql, recorded.params, now).map((reach) => ({
        table: reach.table,
        cte: reach.cte ?? null,
        hours: reach.hours,
        bounded: reach.bounded,
        ...(!reach.bounded && KNOWN_UNBOUNDED_REFERENCES.has(referenceKey(recorded.statement, reach))
          ? { knownUnbounded: true as const }
          : {}),
      })),
    }),
  );
  return { status, ...(status >= 400 ? { error: errorOf(response.body) } : {}), statements };
}

function errorOf(body: string | undefined): string {
  try {
    const parsed = JSON.parse(body ?? '') as { error?: unknown; message?: unknown };
    return String(parsed.error ?? parsed.message ?? body);
  } catch {
    return String(body);
  }
}
