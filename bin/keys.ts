/**
 * `npm run keys -- <command>`: makes and manages data-plane API keys. Only the SHA-256 of a key is
 * stored; `create` prints the key once. Wherever a control plane is in use, `create` makes the key
 * in its project (by name or id), as the control-plane API does: through the running local control
 * plane's API signed in as the local admin, through its store when the platform is stopped, or
 * through a control plane's API with an ID token. Only a data plane without a control plane gets
 * keys written straight into its registry.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoKeyRegistry } from '../lambdas/adapters/aws/dynamo-key-registry';
import { generateApiKey, hashApiKey } from '../lambdas/domain/auth/api-key';
import { API_KEY_SCOPES, type ApiKeyRecord, type ApiKeyScope } from '../lambdas/domain/auth/principal';
import { DEFAULT_KEY_SCOPES } from '../lambdas/domain/control-plane/api-keys';
import {
  ControlPlaneClient,
  ControlPlaneUnreachableError,
  type CreatedKey,
  type ProjectSummary,
  pickProject,
} from '../lambdas/local/control-plane-client';
import { ensureKeyTable, LOCAL_KEY_TABLE, startLocalDynamo } from '../lambdas/local/dynamo-local';
import { readLocalControlPlaneSection } from '../lambdas/local/local-info';
import { LOCAL_DATA_PLANE_ID } from '../lambdas/local/local-sync-publisher';
import { createKeyOffline } from '../lambdas/local/offline-control-plane';
import { localPaths } from '../lambdas/local/paths';

const USAGE = `Usage:
  npm run keys -- create --project <name or id> [--scopes ingest,read,admin] <where>
  npm run keys -- revoke (--hash <sha256> | --key <key>) <registry>
  npm run keys -- show --hash <sha256> <registry>

<where> for create:
  --local [--data-dir .data]        the local platform: a key of its control plane's project, made
                                    through the running control plane (signed in as the local admin
                                    from local.json) or, when the platform is stopped, its store
  --control-plane <url>             a control plane's API, with the ID token in WAGGLE_ID_TOKEN (AWS: Cognito)
  --table <dynamodb table> [--region <region>] [--org <id>] [--workspace <id>]
                                    a data plane without a control plane: its key registry

<registry> for revoke and show (a data plane's key registry; revoke control-plane keys through its API):
  --table <dynamodb table> [--region <region>]   AWS, credentials from the default chain
  --local [--data-dir .data]                      the local platform's registry (stop npm start first)

Defaults: --scopes ${DEFAULT_KEY_SCOPES.join(',')} (admin only when asked for); --org local, --workspace local (--table)`;

class UsageError extends Error {}

const { positionals, values } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        project: { type: 'string' },
        org: { type: 'string' },
        workspace: { type: 'string' },
        scopes: { type: 'string' },
        table: { type: 'string' },
        region: { type: 'string' },
        local: { type: 'boolean' },
        'data-dir': { type: 'string' },
        'control-plane': { type: 'string' },
        hash: { type: 'string' },
        key: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseScopes(raw: string | undefined): ApiKeyScope[] {
  const scopes = (raw ?? DEFAULT_KEY_SCOPES.join(',')).split(',').map((scope) => scope.trim());
  for (const scope of scopes) {
    if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) {
      throw new UsageError(`unknown scope "${scope}" (known: ${API_KEY_SCOPES.join(', ')})`);
    }
  }
  return [...new Set(scopes)] as ApiKeyScope[];
}

function keyHashFromArgs(): string {
  if (values.hash && values.key) throw new UsageError('give --hash or --key, not both');
  if (values.key) return hashApiKey(values.key);
  if (!values.hash) throw new UsageError('give --hash <sha256> or --key <key>');
  if (!/^[0-9a-f]{64}$/.test(values.hash)) throw new UsageError('--hash must be 64 lowercase hex characters');
  return values.hash;
}

async function openRegistry(): Promise<{
  registry: DynamoKeyRegistry;
  where: string;
  close(): Promise<void>;
}> {
  if (values.local && values.table) throw new UsageError('give --table or --local, not both');
  if (values.table) {
    const client = new DynamoDBClient(values.region ? { region: values.region } : {});
    return {
      registry: new DynamoKeyRegistry(client, values.table),
      where: `table ${values.table}`,
      close: async () => client.destroy(),
    };
  }
  if (values.local) {
    const dataDir = values['data-dir'] ?? process.env.WAGGLE_DATA_DIR ?? '.data';
    // Fails with a clear message when the platform holds the data folder.
    const dynamo = await startLocalDynamo(localPaths(dataDir).dynamodb);
    await ensureKeyTable(dynamo.client, LOCAL_KEY_TABLE);
    return {
      registry: new DynamoKeyRegistry(dynamo.client, LOCAL_KEY_TABLE),
      where: `local registry in ${localPaths(dataDir).root}`,
      close: () => dynamo.stop(),
    };
  }
  throw new UsageError('say where the registry is: --table <name> or --local');
}

function describeRecord(record: ApiKeyRecord): string {
  return [
    `hash       ${record.keyHash}`,
    `org        ${record.org_id}`,
    `workspace  ${record.workspace_id}`,
    `project    ${record.projectName} (id ${record.project_id})`,
    `scopes     ${record.scopes.join(',')}`,
    `revoked    ${record.revoked}`,
    `created    ${new Date(record.createdAt).toISOString()}`,
  ].join('\n');
}

function localDataDir(): string {
  return values['data-dir'] ?? process.env.WAGGLE_DATA_DIR ?? '.data';
}

/** The local admin's credentials when the data folder has a control plane (local.json `controlPlane`). */
function localControlPlane() {
  return readLocalControlPlaneSection(localPaths(localDataDir()).info);
}

/** A key of a control-plane project: through its API when it answers, else (local, stopped) its store. */
async function createInControlPlane(project: string, scopes: ApiKeyScope[]): Promise<void> {
  if (values.local && values['control-plane'])
    throw new UsageError('give --local or --control-plane, not both');
  let made: { created: CreatedKey; project: ProjectSummary };
  let where: string;
  if (values['control-plane']) {
    const token = process.env.WAGGLE_ID_TOKEN;
    if (!token) throw new UsageError('--control-plane needs an ID token in WAGGLE_ID_TOKEN');
    const client = ControlPlaneClient.withToken(values['control-plane'], token);
    made = await createThroughApi(client, project, scopes);
    where = `control plane at ${client.url}`;
  } else {
    const admin = (await localControlPlane()) as NonNullable<Awaited<ReturnType<typeof localControlPlane>>>;
    try {
      const client = await ControlPlaneClient.signIn(admin.url, admin.email, admin.password);
      made = await createThroughApi(client, project, scopes, admin.org_id);
      where = `running local control plane at ${client.url} (works in about a second)`;
    } catch (error) {
      if (!(error instanceof ControlPlaneUnreachableError)) throw error;
      made = await createKeyOffline({
        dataDir: localDataDir(),
        adminEmail: admin.email,
        orgId: admin.org_id,
        dataPlaneId: LOCAL_DATA_PLANE_ID,
        project,
        scopes,
      });
      where = `local control plane's store in ${localPaths(localDataDir()).root} (platform stopped: works once npm start runs)`;
    }
  }
  const { created } = made;
  console.log(
    [
      `Created a key in the ${where}:`,
      `key id     ${created.id}`,
      `project    ${made.project.name} (id ${made.project.id})`,
      `scopes     ${created.scopes.join(',')}`,
      '',
      `API key (shown once, store it now): ${created.key}`,
    ].join('\n'),
  );
}

async function createThroughApi(
  client: ControlPlaneClient,
  project: string,
  scopes: ApiKeyScope[],
  orgId?: string,
) {
  const chosen = pickProject(await client.listProjects(orgId), project);
  return { created: await client.createKey(chosen.id, scopes), project: chosen };
}

async function run(): Promise<void> {
  const command = positionals[0];
  if (values.help || !command) fail(command ? 'help' : 'missing command');
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);

  // Validate everything before touching the registry, so bad arguments change nothing.
  let action: (registry: DynamoKeyRegistry, where: string) => Promise<void>;
  if (command === 'create') {
    const project = values.project?.trim();
    if (!project) throw new UsageError('create needs --project <name or id>');
    const scopes = parseScopes(values.scopes);
    if (values['control-plane'] || (values.local && (await localControlPlane()))) {
      if (values.org || values.workspace)
        throw new UsageError(
          '--org and --workspace are for --table; a control plane finds the project by name',
        );
      return createInControlPlane(project, scopes);
    }
    action = async (registry, where) => {
      const key = generateApiKey();
      const record: ApiKeyRecord = {
        keyHash: hashApiKey(key),
        org_id: values.org ?? 'local',
        workspace_id: values.workspace ?? 'local',
        project_id: project,
        projectName: project,
        scopes,
        revoked: false,
        createdAt: Date.now(),
      };
      await registry.put(record);
      console.log(`Created a key in the ${where}:\n${describeRecord(record)}\n`);
      console.log(`API key (shown once, store it now): ${key}`);
    };
  } else if (command === 'revoke' || command === 'show') {
    const keyHash = keyHashFromArgs();
    action = async (registry, where) => {
      const record = await registry.findByHash(keyHash);
      if (!record) {
        console.error(`no key with hash ${keyHash} in the ${where}`);
        process.exitCode = 1;
        return;
      }
      if (command === 'revoke') {
        await registry.put({ ...record, revoked: true });
        console.log(`Revoked in the ${where}:\n${describeRecord({ ...record, revoked: true })}`);
      } else {
        console.log(describeRecord(record));
      }
    };
  } else {
    throw new UsageError(`unknown command "${command}"`);
  }

  const { registry, where, close } = await openRegistry();
  try {
    await action(registry, where);
  } finally {
    await close();
  }
}

run().catch((error: unknown) => {
  if (error instanceof UsageError) fail(error.message);
  console.error(`keys: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
