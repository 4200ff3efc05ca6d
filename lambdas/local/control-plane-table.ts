/** The local control plane's DynamoDB table, on the dynalite the data plane already runs. */
import { CreateTableCommand, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { controlPlaneTableDefinition } from '../adapters/aws/control-plane-store';
import { waitUntilActive } from './dynamo-local';

export const LOCAL_CONTROL_PLANE_TABLE = 'waggle-local-control-plane';

/** Creates the single table (pk, sk, and the sparse by-user index) unless it exists, then waits for ACTIVE. */
export async function ensureControlPlaneTable(
  client: DynamoDBClient,
  tableName = LOCAL_CONTROL_PLANE_TABLE,
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(controlPlaneTableDefinition(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilActive(client, tableName);
}
