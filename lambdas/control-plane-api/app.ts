/**
 * The control-plane API over API Gateway HTTP API (payload v2) events, one handler per route of
 * CONTROL_PLANE_ROUTES behind the shared router (lambdas/http/router.ts). Each route has three steps:
 * resolve (read what the request is about, never write), authorize (the one policy function, with the
 * route's action) and handle. Nothing is written before authorize allows, so a denied call changes
 * nothing. No AWS imports: the Lambda handler and the local platform wire their own store.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { applyMonitorPatch, parseMonitorInput } from '../domain/alerts/monitors/definition';
import {
  createMonitor,
  deleteMonitor,
  findMonitor,
  listMonitors,
  monitorView,
  updateMonitor,
} from '../domain/alerts/monitors/monitors';
import type { MonitorStateBoard } from '../domain/alerts/monitors/transition-report';
import { API_KEY_SCOPES } from '../domain/auth/principal';
import type { Actor } from '../domain/control-plane/actor';
import {
  createKey,
  DEFAULT_KEY_SCOPES,
  findKey,
  listKeys,
  revokeKey,
  rotateKey,
  viewOf,
} from '../domain/control-plane/api-keys';
import type { ChangePublisher } from '../domain/control-plane/changes';
import { type ControlPlaneContext, controlPlaneContext } from '../domain/control-plane/context';
import {
  type ApiKey,
  type Membership,
  type MonitorRecord,
  membershipId,
  type Organization,
  PROJECT_TYPES,
  type Project,
  ROLES,
  type Workspace,
} from '../domain/control-plane/model';
import { type Action, authorize, type Resource, roleAt } from '../domain/control-plane/policy';
import {
  createProject,
  deleteProject,
  findProjectByName,
  updateProject,
} from '../domain/control-plane/projects';
import type { ControlPlaneStore } from '../domain/control-plane/store';
import {
  createOrganization,
  createWorkspace,
  removeMembership,
  renameOrganization,
  setMembership,
} from '../domain/control-plane/tenancy';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../domain/errors';
import { pickFields } from '../domain/pick-fields';
import { CONTROL_PLANE_BODY_LIMITS, type JsonObject, parseJsonObject } from '../http/json-object-body';
import { jsonResponse as json } from '../http/json-response';
import type { ActorFrom } from '../http/jwt-authorizer-actor';
import { createHttpApi, type HttpApi, type HttpRoute } from '../http/router';
import { configurationWriteRoutes } from './configuration-routes';
import type { ConfigurationWriter } from './configuration-writers';
import {
  optionalEnum,
  optionalEnumList,
  optionalInteger,
  optionalName,
  optionalText,
  requiredName,
} from './request';
import { CONTROL_PLANE_ROUTES, type ControlPlaneRouteKey } from './routes';

export { CONTROL_PLANE_ROUTES } from './routes';

interface ControlPlaneApiDeps {
  store: ControlPlaneStore;
  changes: ChangePublisher;
  clock?: () => number;
  newId?: () => string;
  /** The authenticated caller, or undefined (401). */
  actorFrom: ActorFrom;
  /** Unexpected failures (5xx), for logging. Never given bodies or keys. */
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
  /** Serves the configuration and tool writes (configuration-routes.ts) with this check of the caller. */
  configurationWriter?: ConfigurationWriter;
  /**
   * Monitor states and their history as the data planes evaluating them report them
   * (transition-report.ts: recorded by the notification sender in the control-plane table).
   */
  monitorStates: Pick<MonitorStateBoard, 'load' | 'history'>;
}

/** State changes one history answer lists (newest first). */
const MONITOR_HISTORY_LIMIT = 200;

export type ControlPlaneApi = HttpApi;

interface Request {
  event: APIGatewayProxyEventV2;
  actor: Actor;
  params: Record<string, string>;
  query: URLSearchParams;
  body: JsonObject;
}

/** What resolve found; `notFound` names a record the request refers to that does not exist. */
interface Resolved {
  resource: Resource;
  notFound?: string;
  organization?: Organization;
  workspace?: Workspace;
  project?: Project;
  membership?: Membership;
  key?: ApiKey;
  monitor?: MonitorRecord;
}

interface Reply {
  status: number;
  body: unknown;
}

interface Route {
  action: (request: Request) => Action;
  resolve: (request: Request, context: ControlPlaneContext) => Promise<Resolved>;
  handle: (
    request: Request,
    resolved: Resolved,
    context: ControlPlaneContext,
    deps: Pick<ControlPlaneApiDeps, 'monitorStates'>,
  ) => Promise<Reply>;
}

export function createControlPlaneApi(deps: ControlPlaneApiDeps): ControlPlaneApi {
  const writer = deps.configurationWriter;
  return createHttpApi<string>({
    routes: [
      ...controlPlaneRoutes(deps),
      ...(writer ? configurationWriteRoutes({ context: controlPlaneContext(deps), writer }) : []),
    ],
    bodyLimits: CONTROL_PLANE_BODY_LIMITS,
    onError: deps.onError,
  });
}

/**
 * One router entry per route of CONTROL_PLANE_ROUTES: resolve, authorize, handle. The local
 * control plane serves the same entries beside its own routes (sign-in, tokens, JWKS).
 */
export function controlPlaneRoutes(
  deps: Omit<ControlPlaneApiDeps, 'onError'>,
): HttpRoute<ControlPlaneRouteKey>[] {
  const context = controlPlaneContext(deps);
  return CONTROL_PLANE_ROUTES.map((routeKey) => ({
    routeKey,
    handler: async (http) => {
      const { event } = http;
      const actor = await deps.actorFrom(event);
      if (!actor) throw new UnauthorizedError('Sign in first');
      const route = ROUTES[routeKey];
      const request: Request = {
        event,
        actor,
        params: http.params,
        query: new URLSearchParams(event.rawQueryString ?? ''),
        body: event.requestContext.http.method === 'GET' ? {} : parseJsonObject(http),
      };
      const action = route.action(request);
      const resolved = await route.resolve(request, context);
      if (resolved.notFound !== undefined) {
        // Only members of the organization learn whether something exists in it.
        const orgId = resolved.resource.org_id;
        const member = orgId !== undefined && roleAt(actor, 'org-any', orgId, undefined) !== undefined;
        throw member ? new NotFoundError(resolved.notFound) : forbidden();
      }
      if (!authorize(actor, action, resolved.resource).allowed) throw forbidden();
      const reply = await route.handle(request, resolved, context, deps);
      return json(reply.status, reply.body);
    },
  }));
}

function forbidden(): ForbiddenError {
  return new ForbiddenError('Forbidden');
}

const ROUTES: Record<ControlPlaneRouteKey, Route> = {
  'POST /v1/orgs': {
    action: () => 'org.create',
    resolve: async () => ({ resource: {} }),
    handle: async (request, _resolved, context) => {
      const name = requiredName(request.body, 'name');
      const created = await createOrganization(context, request.actor, { name });
      return {
        status: 201,
        body: { organization: orgView(created.organization), workspace: workspaceView(created.workspace) },
      };
    },
  },
  'GET /v1/orgs/{orgId}': {
    action: () => 'org.read',
    resolve: (request, context) => resolveOrg(request, context),
    handle: async (_request, resolved) => ({ status: 200, body: orgView(must(resolved.organization)) }),
  },
  'PUT /v1/orgs/{orgId}': {
    action: () => 'org.update',
    resolve: (request, context) => resolveOrg(request, context),
    handle: async (request, resolved, context) => {
      const name = requiredName(request.body, 'name');
      return {
        status: 200,
        body: orgView(await renameOrganization(context, must(resolved.organization), name)),
      };
    },
  },
  'GET /v1/orgs/{orgId}/workspaces': {
    action: () => 'workspace.list',
    resolve: async (request) => ({ resource: { org_id: param(request, 'orgId') } }),
    handle: async (request, resolved, context) => {
      const workspaces = await context.store.listByOrg('workspace', must(resolved.resource.org_id));
      const visible = workspaces.filter(
        (workspace) =>
          authorize(request.actor, 'workspace.read', { org_id: workspace.org_id, workspace_id: workspace.id })
            .allowed,
      );
      return { status: 200, body: visible.map(workspaceView) };
    },
  },
  'POST /v1/orgs/{orgId}/workspaces': {
    action: () => 'workspace.create',
    resolve: async (request) => ({ resource: { org_id: param(request, 'orgId') } }),
    handle: async (request, resolved, context) => {
      const name = requiredName(request.body, 'name');
      const workspace = await createWorkspace(context, must(resolved.resource.org_id), { name });
      return { status: 201, body: workspaceView(workspace) };
    },
  },
  'GET /v1/orgs/{orgId}/members': {
    action: () => 'member.list',
    resolve: async (request) => ({ resource: { org_id: param(request, 'orgId') } }),
    handle: async (_request, resolved, context) => {
      const members = await context.store.listByOrg('membership', must(resolved.resource.org_id));
      return { status: 200, body: members.map(memberView) };
    },
  },
  'PUT /v1/orgs/{orgId}/members/{userId}': {
    action: (request) =>
      request.body.workspace_id === undefined ? 'member.set-org' : 'member.set-workspace',
    resolve: async (request, context) => {
      const role = optionalEnum(request.body, 'role', ROLES);
      if (role === undefined) throw new ValidationError(`role is required (${ROLES.join(', ')})`);
      const resolved = await resolveMembership(request, context, optionalName(request.body, 'workspace_id'));
      return {
        ...resolved,
        notFound: resolved.workspaceMissing,
        resource: { ...resolved.resource, grantRole: role },
      };
    },
    handle: async (request, resolved, context) => {
      const membership = await setMembership(context, {
        org_id: must(resolved.resource.org_id),
        user_id: param(request, 'userId'),
        email: optionalName(request.body, 'email'),
        workspace_id: resolved.resource.workspace_id,
        role: must(resolved.resource.grantRole),
      });
      return { status: 200, body: memberView(membership) };
    },
  },
  'DELETE /v1/orgs/{orgId}/members/{userId}': {
    action: (request) =>
      request.query.get('workspace_id') === null ? 'member.set-org' : 'member.set-workspace',
    resolve: async (request, context) => {
      const resolved = await resolveMembership(
        request,
        context,
        request.query.get('workspace_id') ?? undefined,
      );
      return { ...resolved, notFound: resolved.membership ? undefined : 'No such membership' };
    },
    handle: async (_request, resolved, context) => {
      await removeMembership(context, must(resolved.membership));
      return { status: 200, body: { success: true } };
    },
  },
  'GET /v1/projects': {
    action: () => 'project.list',
    resolve: async (request) => ({ resource: { org_id: orgContext(request) } }),
    handle: async (request, resolved, context) => {
      const name = request.query.get('name');
      const projects = await context.store.listByOrg('project', must(resolved.resource.org_id));
      const visible = projects.filter(
        (project) =>
          (name === null || project.name === name) &&
          authorize(request.actor, 'project.read', {
            org_id: project.org_id,
            workspace_id: project.workspace_id,
          }).allowed,
      );
      return { status: 200, body: visible.map(projectView) };
    },
  },
  'POST /v1/projects': {
    action: () => 'project.create',
    resolve: async (request, context) => {
      const orgId = orgContext(request);
      if (orgId === undefined) return { resource: {} };
      const organization = await context.store.get({ kind: 'organization', org_id: orgId, id: orgId });
      const workspaceId = optionalName(request.body, 'workspace_id') ?? organization?.default_workspace_id;
      const workspace =
        workspaceId === undefined
          ? undefined
          : await context.store.get({ kind: 'workspace', org_id: orgId, id: workspaceId });
      if (!workspace) return { resource: { org_id: orgId }, notFound: 'No such workspace' };
      return { resource: { org_id: orgId, workspace_id: workspace.id }, workspace };
    },
    handle: async (request, resolved, context) => {
      const workspace = must(resolved.workspace);
      const project = await createProject(
        context,
        { org_id: workspace.org_id, workspace_id: workspace.id },
        { name: requiredName(request.body, 'name'), ...projectDetails(request.body) },
      );
      return { status: 200, body: projectView(project) };
    },
  },
  'PUT /v1/projects': {
    action: () => 'project.update',
    resolve: (request, context) => resolveProjectByName(request, context, requiredName(request.body, 'name')),
    handle: async (request, resolved, context) => {
      const project = await updateProject(context, must(resolved.project), {
        new_name: optionalName(request.body, 'new_name'),
        ...projectDetails(request.body),
      });
      return { status: 200, body: projectView(project) };
    },
  },
  'DELETE /v1/projects': {
    action: () => 'project.delete',
    resolve: (request, context) => {
      const name = request.query.get('name');
      if (name === null || name.trim() === '') throw new ValidationError('name is required');
      return resolveProjectByName(request, context, name.trim());
    },
    handle: async (_request, resolved, context) => {
      await deleteProject(context, must(resolved.project));
      return { status: 200, body: { success: true } };
    },
  },
  'GET /v1/projects/{projectId}/monitors': {
    action: () => 'monitor.list',
    resolve: (request, context) => resolveProject(request, context),
    handle: async (_request, resolved, context, deps) => {
      const project = must(resolved.project);
      return { status: 200, body: await withStates(deps, project.id, await listMonitors(context, project)) };
    },
  },
  'POST /v1/projects/{projectId}/monitors': {
    action: () => 'monitor.manage',
    resolve: (request, context) => resolveProject(request, context),
    handle: async (request, resolved, context) => {
      const record = await createMonitor(context, must(resolved.project), parseMonitorInput(request.body));
      return { status: 201, body: monitorView(record) };
    },
  },
  'GET /v1/projects/{projectId}/monitors/{monitorId}': {
    action: () => 'monitor.list',
    resolve: (request, context) => resolveMonitor(request, context),
    handle: async (_request, resolved, _context, deps) => {
      const monitor = must(resolved.monitor);
      return { status: 200, body: (await withStates(deps, monitor.project_id, [monitor]))[0] };
    },
  },
  'PATCH /v1/projects/{projectId}/monitors/{monitorId}': {
    action: () => 'monitor.manage',
    resolve: (request, context) => resolveMonitor(request, context),
    handle: async (request, resolved, context) => {
      const current = must(resolved.monitor);
      const content = applyMonitorPatch(current.content, request.body);
      const record = await updateMonitor(context, must(resolved.project), current, content);
      return { status: 200, body: monitorView(record) };
    },
  },
  'DELETE /v1/projects/{projectId}/monitors/{monitorId}': {
    action: () => 'monitor.manage',
    resolve: (request, context) => resolveMonitor(request, context),
    handle: async (_request, resolved, context) => {
      await deleteMonitor(context, must(resolved.monitor));
      return { status: 200, body: { success: true } };
    },
  },
  'GET /v1/projects/{projectId}/monitors/{monitorId}/history': {
    action: () => 'monitor.list',
    resolve: (request, context) => resolveMonitor(request, context),
    handle: async (_request, resolved, _context, deps) => {
      const monitor = must(resolved.monitor);
      return {
        status: 200,
        body: await deps.monitorStates.history(monitor.project_id, monitor.id, MONITOR_HISTORY_LIMIT),
      };
    },
  },
  'GET /v1/projects/{projectId}/keys': {
    action: () => 'key.list',
    resolve: (request, context) => resolveProject(request, context),
    handle: async (_request, resolved, context) => ({
      status: 200,
      body: await listKeys(context, must(resolved.project)),
    }),
  },
  'POST /v1/projects/{projectId}/keys': {
    action: () => 'key.create',
    resolve: (request, context) => resolveProject(request, context),
    handle: async (request, resolved, context) => {
      const scopes = optionalEnumList(request.body, 'scopes', API_KEY_SCOPES) ?? [...DEFAULT_KEY_SCOPES];
      const issued = await createKey(context, must(resolved.project), {
        scopes,
        created_by: request.actor.user_id,
      });
      return { status: 201, body: { key: issued.key, ...viewOf(issued.record) } };
    },
  },
  'POST /v1/projects/{projectId}/keys/{keyId}/rotate': {
    action: () => 'key.rotate',
    resolve: (request, context) => resolveKey(request, context),
    handle: async (request, resolved, context) => {
      const rotated = await rotateKey(context, must(resolved.project), must(resolved.key), {
        graceSeconds: optionalInteger(request.body, 'grace_seconds') ?? 0,
        created_by: request.actor.user_id,
      });
      return {
        status: 201,
        body: { key: rotated.issued.key, ...viewOf(rotated.issued.record), replaced: viewOf(rotated.old) },
      };
    },
  },
  'DELETE /v1/projects/{projectId}/keys/{keyId}': {
    action: () => 'key.revoke',
    resolve: (request, context) => resolveKey(request, context),
    handle: async (_request, resolved, context) => ({
      status: 200,
      body: viewOf(await revokeKey(context, must(resolved.key))),
    }),
  },
};

function param(request: Request, name: string): string {
  return must(request.params[name]);
}

/**
 * The organization a /v1/projects request is about: `org_id` in the query, else the caller's only
 * organization. Undefined (and so denied) when it cannot be told.
 */
function orgContext(request: Request): string | undefined {
  const named = request.query.get('org_id');
  if (named !== null && named !== '') return named;
  const orgs = new Set(request.actor.memberships.map((membership) => membership.org_id));
  if (orgs.size > 1)
    throw new ValidationError('org_id is required: you belong to more than one organization');
  return [...orgs][0];
}

async function resolveOrg(request: Request, context: ControlPlaneContext): Promise<Resolved> {
  const orgId = param(request, 'orgId');
  const organization = await context.store.get({ kind: 'organization', org_id: orgId, id: orgId });
  return organization
    ? { resource: { org_id: orgId }, organization }
    : { resource: { org_id: orgId }, notFound: 'No such organization' };
}

async function resolveMembership(
  request: Request,
  context: ControlPlaneContext,
  workspaceId: string | undefined,
): Promise<Resolved & { workspaceMissing?: string }> {
  const orgId = param(request, 'orgId');
  const resource: Resource = { org_id: orgId, workspace_id: workspaceId };
  if (workspaceId !== undefined) {
    const workspace = await context.store.get({ kind: 'workspace', org_id: orgId, id: workspaceId });
    if (!workspace) return { resource, workspaceMissing: 'No such workspace' };
  }
  const id = membershipId(param(request, 'userId'), workspaceId);
  const membership = await context.store.get({ kind: 'membership', org_id: orgId, id });
  return { resource: { ...resource, targetRole: membership?.role }, membership };
}

async function resolveProject(request: Request, context: ControlPlaneContext): Promise<Resolved> {
  const orgId = orgContext(request);
  if (orgId === undefined) return { resource: {} };
  const project = await context.store.get({
    kind: 'project',
    org_id: orgId,
    id: param(request, 'projectId'),
  });
  if (!project) return { resource: { org_id: orgId }, notFound: 'No such project' };
  return { resource: { org_id: orgId, workspace_id: project.workspace_id }, project };
}

async function resolveProjectByName(
  request: Request,
  context: ControlPlaneContext,
  name: string,
): Promise<Resolved> {
  const orgId = orgContext(request);
  if (orgId === undefined) return { resource: {} };
  const project = await findProjectByName(context, orgId, name);
  if (!project) return { resource: { org_id: orgId }, notFound: `No project named "${name}"` };
  return { resource: { org_id: orgId, workspace_id: project.workspace_id }, project };
}

/** Monitors as shown, each with the state its data plane last reported (none before its first evaluation). */
async function withStates(
  deps: Pick<ControlPlaneApiDeps, 'monitorStates'>,
  projectId: string,
  monitors: readonly MonitorRecord[],
) {
  const states = await deps.monitorStates.load(
    projectId,
    monitors.map((monitor) => monitor.id),
  );
  return monitors.map((monitor) => {
    const status = states.get(monitor.id);
    return { ...monitorView(monitor), ...(status && { state: status.state, value: status.value }) };
  });
}

async function resolveMonitor(request: Request, context: ControlPlaneContext): Promise<Resolved> {
  const resolved = await resolveProject(request, context);
  if (!resolved.project) return resolved;
  try {
    return {
      ...resolved,
      monitor: await findMonitor(context, resolved.project, param(request, 'monitorId')),
    };
  } catch (error) {
    if (error instanceof NotFoundError) return { ...resolved, notFound: error.message };
    throw error;
  }
}

async function resolveKey(request: Request, context: ControlPlaneContext): Promise<Resolved> {
  const resolved = await resolveProject(request, context);
  if (!resolved.project) return resolved;
  try {
    return { ...resolved, key: await findKey(context, resolved.project, param(request, 'keyId')) };
  } catch (error) {
    if (error instanceof NotFoundError) return { ...resolved, notFound: error.message };
    throw error;
  }
}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('route invariant: resolved value missing');
  return value;
}

/** What a project's creation and update both may set besides its name. */
function projectDetails(body: JsonObject) {
  return {
    description: optionalText(body, 'description'),
    type: optionalEnum(body, 'type', PROJECT_TYPES),
  };
}

function orgView(organization: Organization) {
  return pickFields(organization, ['id', 'name', 'default_workspace_id', 'created_at', 'updated_at']);
}

function workspaceView(workspace: Workspace) {
  return pickFields(workspace, ['id', 'org_id', 'name', 'created_at', 'updated_at']);
}

function memberView(membership: Membership) {
  return pickFields(membership, ['user_id', 'email', 'org_id', 'workspace_id', 'role']);
}

/** HoneyHive's ProjectItem (plus workspace_id, which its additionalProperties allow). */
function projectView(project: Project) {
  return pickFields(project, [
    'id',
    'name',
    'description',
    'type',
    'org_id',
    'workspace_id',
    'created_at',
    'updated_at',
  ]);
}
