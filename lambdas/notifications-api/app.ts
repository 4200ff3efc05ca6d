/**
 * The channels API: a project's notification channels and its notification log, with the control plane's RBAC (members
 * list, admins create, delete, rotate and test). Each request finds the project and authorizes the
 * caller before its body is read, so a refused call learns nothing and changes nothing. No AWS
 * imports: the Lambda handler and the local control plane wire their own ports.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { channelView, readChannelInput } from '../domain/alerts/channel';
import {
  type ChannelDeps,
  createChannel,
  deleteChannel,
  findChannel,
  listChannels,
  queueTestNotification,
  rotateChannelSecret,
} from '../domain/alerts/channels';
import { type NotificationLog, readLogPageQuery } from '../domain/alerts/notification-log';
import type { Actor } from '../domain/control-plane/actor';
import type { Project } from '../domain/control-plane/model';
import { type Action, authorize, roleAt } from '../domain/control-plane/policy';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../domain/errors';
import { CONTROL_PLANE_BODY_LIMITS, parseJsonObject } from '../http/json-object-body';
import { jsonResponse as json } from '../http/json-response';
import type { ActorFrom } from '../http/jwt-authorizer-actor';
import {
  createHttpApi,
  type HttpApi,
  type HttpRequest,
  type HttpResult,
  type HttpRoute,
} from '../http/router';
import { CHANNEL_ROUTES, type ChannelRouteKey } from './routes';

export interface NotificationsApiDeps extends ChannelDeps {
  log: Pick<NotificationLog, 'list'>;
  actorFrom: ActorFrom;
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

interface Call {
  request: HttpRequest<ChannelRouteKey>;
  actor: Actor;
  project: Project;
}

export function createNotificationsApi(deps: NotificationsApiDeps): HttpApi {
  return createHttpApi<string>({
    routes: channelRoutes(deps),
    bodyLimits: CONTROL_PLANE_BODY_LIMITS,
    onError: deps.onError,
  });
}

/** The router entries of CHANNEL_ROUTES; the local control plane serves them beside its own. */
export function channelRoutes(deps: Omit<NotificationsApiDeps, 'onError'>): HttpRoute<ChannelRouteKey>[] {
  const { context } = deps;
  const channelOf = (call: Call) =>
    findChannel(context, call.project, call.request.params.channelId as string);
  const handlers: Record<ChannelRouteKey, { action: Action; handle: (call: Call) => Promise<HttpResult> }> = {
    'POST /v1/projects/{projectId}/channels': {
      action: 'channel.manage',
      handle: async (call) => {
        const input = readChannelInput(parseJsonObject(call.request));
        const { channel, secret } = await createChannel(deps, call.project, input, call.actor.user_id);
        return json(201, { id: channel.id, secret, channel: channelView(channel) });
      },
    },
    'GET /v1/projects/{projectId}/channels': {
      action: 'channel.list',
      handle: async (call) => json(200, (await listChannels(context, call.project)).map(channelView)),
    },
    'DELETE /v1/projects/{projectId}/channels/{channelId}': {
      action: 'channel.manage',
      handle: async (call) => {
        await deleteChannel(context, await channelOf(call));
        return json(200, { success: true });
      },
    },
    'POST /v1/projects/{projectId}/channels/{channelId}/rotate-secret': {
      action: 'channel.manage',
      handle: async (call) => {
        const rotated = await rotateChannelSecret(deps, await channelOf(call));
        return json(200, {
          id: rotated.channel.id,
          secret: rotated.secret,
          channel: channelView(rotated.channel),
        });
      },
    },
    'POST /v1/projects/{projectId}/channels/{channelId}/test': {
      action: 'channel.manage',
      handle: async (call) => {
        const id = await queueTestNotification(deps, call.project, await channelOf(call));
        // Queued for the delivery path: the receiver gets it within seconds, retried on failure.
        return json(202, { queued: true, notification_id: id });
      },
    },
    'GET /v1/projects/{projectId}/notifications': {
      // Who may see a project's channels may see what was sent to them.
      action: 'channel.list',
      handle: async (call) => {
        const query = new URLSearchParams(call.request.event.rawQueryString ?? '');
        return json(200, await deps.log.list(inProjectOf(call.project), readLogPageQuery(query)));
      },
    },
  };
  return CHANNEL_ROUTES.map((routeKey) => ({
    routeKey,
    handler: async (request) => {
      const actor = await deps.actorFrom(request.event);
      if (!actor) throw new UnauthorizedError('Sign in first');
      const { action, handle } = handlers[routeKey];
      const project = await authorizedProject(deps, actor, request, action);
      return handle({ request, actor, project });
    },
  }));
}

function inProjectOf(project: Project) {
  return { org_id: project.org_id, project_id: project.id };
}

/**
 * The project named in the path, in the organization of `org_id` (else the caller's only one),
 * once the caller may do `action` there. Only members of the organization learn whether a project
 * exists; everyone else is forbidden.
 */
async function authorizedProject(
  deps: Pick<ChannelDeps, 'context'>,
  actor: Actor,
  request: HttpRequest<ChannelRouteKey>,
  action: Action,
): Promise<Project> {
  const orgId = organizationOf(actor, request.event);
  if (orgId === undefined) throw new ForbiddenError('Forbidden');
  const id = request.params.projectId as string;
  const project = await deps.context.store.get({ kind: 'project', org_id: orgId, id });
  if (!project) {
    const member = roleAt(actor, 'org-any', orgId, undefined) !== undefined;
    throw member ? new NotFoundError('No such project') : new ForbiddenError('Forbidden');
  }
  if (!authorize(actor, action, { org_id: orgId, workspace_id: project.workspace_id }).allowed)
    throw new ForbiddenError('Forbidden');
  return project;
}

/** `org_id` from the query, else the caller's only organization (as the control-plane API reads it). */
function organizationOf(actor: Actor, event: APIGatewayProxyEventV2): string | undefined {
  const named = new URLSearchParams(event.rawQueryString ?? '').get('org_id');
  if (named !== null && named !== '') return named;
  const orgs = new Set(actor.memberships.map((membership) => membership.org_id));
  if (orgs.size > 1)
    throw new ValidationError('org_id is required: you belong to more than one organization');
  return [...orgs][0];
}
