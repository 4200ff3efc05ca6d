/**
 * The local control plane (port 4319): the local identity provider for sign-in (Cognito's
 * stand-in), the control-plane API on the DynamoDB store (same dynalite as the data plane, its own
 * table), the JWKS and data-plane tokens signed with a local P-256 key (KMS's stand-in), and the
 * config sync to the local data plane's key registry through the real publisher and controller.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoControlPlaneStore } from '../adapters/aws/control-plane-store';
import { LocalSigner } from '../adapters/local/local-signer';
import { CONTROL_PLANE_ROUTES, controlPlaneRoutes } from '../control-plane-api/app';
import {
  CONFIGURATION_WRITE_ROUTES,
  configurationWriteRoutes,
} from '../control-plane-api/configuration-routes';
import { createConfigurationWriter } from '../control-plane-api/configuration-writers';
import { TOKEN_ROUTES, type TokenRouteKey } from '../control-plane-tokens/routes';
import { createTokenVerifier } from '../domain/auth/token-verifier';
import { actorFromClaims } from '../domain/control-plane/actor';
import { createKey, DEFAULT_KEY_SCOPES } from '../domain/control-plane/api-keys';
import { type ControlPlaneContext, controlPlaneContext } from '../domain/control-plane/context';
import type { ApiKey, Project } from '../domain/control-plane/model';
import { createProject } from '../domain/control-plane/projects';
import { createOrganization } from '../domain/control-plane/tenancy';
import { UnauthorizedError, ValidationError } from '../domain/errors';
import { createLocalIdentityProvider } from '../domain/identity/identity-provider';
import type { KeyRegistry } from '../domain/ports';
import { lackedBeforeReport } from '../domain/sync/drift';
import type { ConfigStore } from '../domain/sync/stores';
import { type Jwks, keyRingJwks } from '../domain/tokens';
import { CONTROL_PLANE_BODY_LIMITS, parseJsonObject } from '../http/json-object-body';
import { jsonResponse as json } from '../http/json-response';
import { createHttpApi, type HttpApi, type HttpRoute } from '../http/router';
import { CHANNEL_ROUTES } from '../notifications-api/routes';
import { desiredChanges } from '../sync-reconciler/app';
import { startLocalConfigSync } from './config-sync';
import { type ConsoleFiles, isApiPath } from './console-files';
import { FileUserStore, loadOrCreateKeys } from './control-plane-files';
import { ensureControlPlaneTable, LOCAL_CONTROL_PLANE_TABLE } from './control-plane-table';
import { createTokenRoute } from './control-plane-tokens';
import { startHttpServer } from './http-server';
import { ensureLocalKey, type LocalKey, type LocalKeyRequest } from './local-default-project';
import { type Logger, loggerFromLines } from './logger';
import {
  type LocalNotificationSettings,
  type LocalNotifications,
  startLocalNotifications,
} from './notifications-local';
import { localPaths } from './paths';
import { logAnsweredRequest } from './request-log';
import { runInOrder } from './run-in-order';

export const LOCAL_ADMIN_EMAIL = 'admin@local';
/** Sign-in with the local identity provider (Cognito's stand-in). */
const SIGN_IN_ROUTE = 'POST /v1/auth/sign-in';
type LocalRouteKey = TokenRouteKey | typeof SIGN_IN_ROUTE;
/** Every route the local control plane serves (for 405 answers on a known path). */
const CONTROL_PLANE_SERVER_ROUTES = [
  ...CONTROL_PLANE_ROUTES,
  ...CONFIGURATION_WRITE_ROUTES,
  ...CHANNEL_ROUTES,
  ...TOKEN_ROUTES,
  SIGN_IN_ROUTE,
];
/** The app client id ID tokens are issued for (Cognito's `aud`). */
const LOCAL_CLIENT_ID = 'waggle-local-console';

export interface LocalControlPlaneOptions {
  port?: number;
  host?: string;
  dataDir: string;
  /** The data plane's DynamoDB (dynalite): the control plane gets its own table there. */
  dynamo: DynamoDBClient;
  /** The data plane's key registry, which the sync writes. */
  keyRegistry: KeyRegistry;
  /** The `aud` of data-plane tokens. */
  dataPlaneId: string;
  /** The sync controller's batching window; default 200 ms. */
  syncBatchingWindowMs?: number;
  /**
   * How often the data plane is reconciled with the control plane's projects and keys (changes
   * whose message was lost are sent again); default 60 s (the AWS schedule defaults to 15 min).
   */
  reconcileIntervalMs?: number;
  /** How often the data plane reports its applied state (30 s by default). */
  heartbeatIntervalMs?: number;
  /**
   * The local key (the one `npm start` prints): a key of this control-plane project, kept across
   * restarts, created or imported through the control plane (local-default-project.ts).
   */
  localKey?: LocalKeyRequest;
  /** Notification channels and their delivery (notifications-local.ts); local mode by default. */
  notifications?: LocalNotificationSettings;
  logger?: Logger;
  /** A plain line sink instead of logger (every level, text); tests use it. */
  log?: (line: string) => void;
}

/** Created on the first start only: the admin's password is shown once and never stored in clear elsewhere. */
export interface LocalBootstrap {
  email: string;
  password: string;
  org_id: string;
  workspace_id: string;
  project_id: string;
  project: string;
  apiKey: string;
}

export interface LocalControlPlane {
  url: string;
  /** The `iss` of data-plane tokens (the control plane's URL). */
  issuer: string;
  dataPlaneId: string;
  /** The published JWKS, in-process (the local data plane's custom fetcher). */
  jwks(): Promise<Jwks>;
  projectName(projectId: string): Promise<string | undefined>;
  /** The local data plane's synced copy (configurations, tools, projects), which its readers read. */
  configStore: ConfigStore;
  bootstrap?: LocalBootstrap;
  /** Set when options.localKey was given. */
  localKey?: LocalKey;
  /** The delivery queue, its dead letters and the email outbox. */
  notifications: Pick<LocalNotifications, 'queue' | 'deadLetterQueue' | 'outboxDir'>;
  /** Serves the web console (its files and config.json) beside the API from now on (console-files.ts). */
  serveConsole(files: ConsoleFiles): void;
  /**
   * Adds a user to the local identity provider (Cognito's stand-in: an admin creates users there);
   * give it a role with `PUT /v1/orgs/{orgId}/members/{userId}`. Tests and the screenshots use it.
   */
  createUser(email: string, password: string): Promise<{ id: string; email: string }>;
  close(): Promise<void>;
}

/**
 * A change made less than this before the heartbeat that lacks it may still be on its way (queue,
 * batching window, a busy machine): not drift yet. A lost change is older and is reported.
 */
const IN_FLIGHT_MS = 10_000;

/** When each entity the control plane holds last changed, by the id its sync messages carry. */
function changeTimes(records: {
  projects: readonly Project[];
  apiKeys: readonly ApiKey[];
  configurations?: readonly { id: string; updated_at: string }[];
  tools?: readonly { id: string; updated_at: string }[];
  evaluators?: readonly { id: string; updated_at: string }[];
  monitors?: readonly { id: string; updated_at: string }[];
}): Map<string, number> {
  const changedAt = new Map<string, number>();
  for (const record of [
    ...(records.configurations ?? []),
    ...(records.tools ?? []),
    ...(records.evaluators ?? []),
    ...(records.monitors ?? []),
  ])
    changedAt.set(record.id, Date.parse(record.updated_at));
  for (const project of records.projects) changedAt.set(project.id, Date.parse(project.updated_at));
  for (const key of records.apiKeys) changedAt.set(key.key_hash, Date.parse(key.updated_at));
  return changedAt;
}

export async function startLocalControlPlane(options: LocalControlPlaneOptions): Promise<LocalControlPlane> {
  const logger = options.logger ?? loggerFromLines(options.log ?? (() => {}));
  const paths = localPaths(options.dataDir);
  const folder = paths.controlPlane;
  const keys = await loadOrCreateKeys(join(folder, 'keys.json'));
  const tokenSigner = LocalSigner.fromPem('local-cp-1', keys.tokens);
  const jwks = () => keyRingJwks({ current: tokenSigner });
  await ensureControlPlaneTable(options.dynamo);
  const store = new DynamoControlPlaneStore(options.dynamo, LOCAL_CONTROL_PLANE_TABLE);
  const users = await FileUserStore.open(join(folder, 'users.json'));

  const sync = await startLocalConfigSync({
    inboxDir: paths.dataPlaneInbox,
    dataPlaneId: options.dataPlaneId,
    keyRegistry: options.keyRegistry,
    syncKeyPem: keys.sync,
    maximumBatchingWindowMs: options.syncBatchingWindowMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    log: (line) => logger.warn(line),
  });
  const cleanup: (() => Promise<void>)[] = [() => sync.close()];
  const notifications = await startLocalNotifications({
    dataDir: paths.root,
    store,
    dynamo: options.dynamo,
    tableName: LOCAL_CONTROL_PLANE_TABLE,
    logger,
    settings: options.notifications,
  }).catch(async (error: unknown) => {
    await sync.close();
    throw error;
  });
  cleanup.unshift(() => notifications.close());
  let reconciling = false;
  const reconcileTimer = setInterval(async () => {
    if (reconciling) return;
    reconciling = true;
    try {
      const records = await store.projectsAndApiKeys();
      const desired = desiredChanges(records);
      const report = await sync.heartbeats.latest(options.dataPlaneId);
      const plan = await sync.reconcile(desired);
      const sent = plan.toRepublish.length;
      const drifted = lackedBeforeReport({
        toRepublish: plan.toRepublish,
        desired,
        changedAt: changeTimes(records),
        reported: { sentAt: report?.sentAt ?? 0, digest: report?.digest ?? {} },
        inFlightMs: IN_FLIGHT_MS,
      });
      // A data plane that reports holding nothing has just started (its applied state is in memory):
      // resending everything refills it and is no news; nor is a change still on its way (made shortly
      // before the heartbeat that lacks it). Anything else missing is drift, repaired.
      if (sent > 0 && (plan.refill || drifted === 0))
        logger.debug(
          `sync: reconciliation sent ${sent} change(s) the data plane had not reported yet (${plan.refill ? 'it starts empty' : 'in flight'})`,
        );
      else if (sent > 0)
        logger.warn(
          `sync: reconciliation sent ${sent} change(s) again: the data plane lacked ${drifted} made before its last report (${plan.differingKinds.join(', ')})`,
        );
    } catch (error) {
      logger.error('sync: reconciliation failed', { error: (error as Error).message });
    } finally {
      reconciling = false;
    }
  }, options.reconcileIntervalMs ?? 60_000);
  reconcileTimer.unref();
  cleanup.unshift(async () => clearInterval(reconcileTimer));
  try {
    // The handler needs the URL (the issuer), which exists once the server listens.
    let handle: HttpApi | undefined;
    // The console answers what is not an API route (its files, config.json, the SPA fallback).
    let consoleFiles: ConsoleFiles | undefined;
    const server = await startHttpServer({
      port: options.port ?? 4319,
      host: options.host ?? '127.0.0.1',
      handler: async (event) => {
        const page = event.routeKey === '$default' ? await consoleFiles?.answer(event) : undefined;
        return page ?? (handle ? handle(event) : json(503, { success: false, error: 'Starting' }));
      },
      functionName: 'waggle-control-plane',
      log: (line) => logger.error(line),
      routes: CONTROL_PLANE_SERVER_ROUTES,
      // A page load fetches a dozen files: those lines are debug, the API's stay info.
      onAnswered: logAnsweredRequest(logger, { quiet: (request) => !isApiPath(request.path) }),
    });
    cleanup.unshift(() => server.close());
    const issuer = server.url;

    const identity = createLocalIdentityProvider({
      users,
      signer: LocalSigner.fromPem('local-idp-1', keys.identity),
      issuer,
      audience: LOCAL_CLIENT_ID,
    });
    const actorFrom = async (event: APIGatewayProxyEventV2) => {
      const token = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(event.headers.authorization ?? '')?.[1];
      const identityClaims = token ? await identity.verify(token) : undefined;
      return identityClaims ? actorFromClaims({ ...identityClaims }, store) : undefined;
    };
    const onError = (error: unknown, context: { routeKey: string; status: number }) =>
      logger.error(`control plane: ${context.routeKey} answered ${context.status}`, {
        error: (error as Error).message,
      });
    const tokens = createTokenRoute({
      store,
      signer: tokenSigner,
      issuer: () => issuer,
      dataPlaneId: options.dataPlaneId,
    });
    // The control-plane API's routes and the local stand-ins for Cognito's sign-in and the token service.
    const localRoutes: HttpRoute<LocalRouteKey>[] = [
      { routeKey: 'GET /.well-known/jwks.json', handler: async () => json(200, await jwks()) },
      {
        routeKey: SIGN_IN_ROUTE,
        handler: async (request) => {
          const { email, password } = parseJsonObject(request);
          if (typeof email !== 'string' || typeof password !== 'string') {
            throw new ValidationError('email and password are required');
          }
          return json(
            200,
            await identity.signIn(email, password, request.event.requestContext.http.sourceIp),
          );
        },
      },
      {
        routeKey: 'POST /v1/tokens',
        handler: async (request) => {
          const actor = await actorFrom(request.event);
          if (!actor) throw new UnauthorizedError('Sign in first');
          return tokens(actor, parseJsonObject(request));
        },
      },
    ];
    // Configuration and tool writes: keys, signed-in users, or data-plane tokens (forwarded by the data plane).
    const configurationWriter = createConfigurationWriter({
      store,
      actorFrom,
      tokens: createTokenVerifier({ issuer, audience: options.dataPlaneId, jwks: { fetch: jwks } }),
    });
    const writeRoutes = configurationWriteRoutes({
      context: controlPlaneContext({ store, changes: sync.changes }),
      writer: configurationWriter,
    });
    handle = createHttpApi<string>({
      routes: [
        ...controlPlaneRoutes({
          store,
          changes: sync.changes,
          actorFrom,
          // As on AWS: the states the data plane reported through the delivery queue.
          monitorStates: notifications.states,
        }),
        ...writeRoutes,
        ...notifications.routes(actorFrom),
        ...localRoutes,
      ],
      bodyLimits: CONTROL_PLANE_BODY_LIMITS,
      onError,
    });

    const context = controlPlaneContext({ store, changes: sync.changes });
    const admin = await users.findByEmail(LOCAL_ADMIN_EMAIL);
    const bootstrap = admin
      ? undefined
      : await createFirstAdmin(identity, context, options.localKey?.projectName !== 'default');
    const adminId = admin?.id ?? (await users.findByEmail(LOCAL_ADMIN_EMAIL))?.id;
    if (bootstrap)
      logger.info(`control plane: created ${LOCAL_ADMIN_EMAIL}, organization "local" and project "default"`);
    let localKey: LocalKey | undefined;
    if (options.localKey && adminId) {
      localKey = await ensureLocalKey(context, adminId, options.keyRegistry, options.localKey);
      if (bootstrap && localKey.project_id === bootstrap.project_id) bootstrap.apiKey = localKey.apiKey;
      if (localKey.created)
        logger.info(`control plane: registered the local API key for project "${localKey.project}"`);
    }

    let closed: Promise<void> | undefined;
    return {
      url: server.url,
      issuer,
      dataPlaneId: options.dataPlaneId,
      jwks,
      projectName: sync.projectName,
      configStore: sync.configStore,
      bootstrap,
      localKey,
      notifications,
      serveConsole(files) {
        consoleFiles = files;
      },
      async createUser(email, password) {
        const user = await identity.createUser(email, password);
        return { id: user.id, email: user.email };
      },
      close() {
        closed ??= runInOrder(cleanup, 'local control plane');
        return closed;
      },
    };
  } catch (error) {
    await runInOrder(cleanup, 'local control plane').catch(() => undefined);
    throw error;
  }
}

/** The admin, the organization and the project "default"; its key too unless the local key is made by ensureLocalKey. */
async function createFirstAdmin(
  identity: ReturnType<typeof createLocalIdentityProvider>,
  context: ControlPlaneContext,
  withKey: boolean,
): Promise<LocalBootstrap> {
  const password = randomBytes(18).toString('base64url');
  const user = await identity.createUser(LOCAL_ADMIN_EMAIL, password);
  const { organization, workspace } = await createOrganization(
    context,
    { user_id: user.id, email: user.email },
    { name: 'local', workspaceName: 'local' },
  );
  const project = await createProject(
    context,
    { org_id: organization.id, workspace_id: workspace.id },
    { name: 'default' },
  );
  const key = withKey
    ? (await createKey(context, project, { scopes: [...DEFAULT_KEY_SCOPES], created_by: user.id })).key
    : '';
  return {
    email: user.email,
    password,
    org_id: organization.id,
    workspace_id: workspace.id,
    project_id: project.id,
    project: project.name,
    apiKey: key,
  };
}
