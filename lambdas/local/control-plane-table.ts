/** The local control plane's DynamoDB table, on the dynalite the data plane already runs. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { controlPlaneTableDefinition } from '../adapters/aws/control-plane-store';

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
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
