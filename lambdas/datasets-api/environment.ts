/** The datasets function's environment (lib/data-plane/datasets.ts sets it; handler.ts reads it). */
import { CALLER_AUTH_VARIABLES, tokenTrustProblems } from '../config/caller-auth';
import { defineFunctionEnvironment } from '../config/function-environment';
import { string } from '../config/schema';

export const DATASETS_API_ENVIRONMENT = defineFunctionEnvironment(
  'datasets-api',
  {
    /** Datasets, datapoints and their memberships (adapters/aws/dynamo-dataset-store.ts). */
    DATASETS_TABLE_NAME: string(),
    ...CALLER_AUTH_VARIABLES,
  },
  { check: tokenTrustProblems },
);

export const readDatasetsApiEnvironment = DATASETS_API_ENVIRONMENT.read;
export const environmentForDatasetsApi = DATASETS_API_ENVIRONMENT.environmentFor;
