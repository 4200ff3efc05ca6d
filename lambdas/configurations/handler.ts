/**
 * AWS Lambda entry point of the configurations function: HoneyHive's /configurations, /tools and /metrics on
 * the data plane. Reads come from the sync-state table (the DynamoConfigStore the data-plane
 * controller writes); writes are forwarded to the control plane's API over HTTPS with the caller's
 * credentials. Under the standard observability stack (HTTP API requests).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { createObservability } from '../adapters/aws/observability';
import { createConfigurationLookup } from '../domain/configurations/lookup';
import { createSyncedEvaluatorCatalog } from '../domain/evaluators/definitions/catalog';
import { createConfigurationsHandler } from './app';
import { readConfigurationsEnvironment } from './environment';
import { fetchForwarder } from './forward';

const env = readConfigurationsEnvironment();
const { count, traced, internalError, httpHandler } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const forward = fetchForwarder(env.CONTROL_PLANE_URL);
const configStore = new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME);

const app = createConfigurationsHandler({
  ...callerAuthFromEnvironment(dynamo, env),
  reader: createConfigurationLookup({ configStore }),
  evaluators: createSyncedEvaluatorCatalog({ configStore }),
  forward: async (write) => {
    const answer = await forward(write);
    count(answer.statusCode !== undefined && answer.statusCode < 400 ? 'WritesForwarded' : 'WritesRefused');
    return answer;
  },
  onError: internalError('configurations failure'),
});

export const handler = httpHandler(app);
