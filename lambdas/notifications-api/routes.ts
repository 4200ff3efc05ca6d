/**
 * The channels API's routes (and the notification log's), as API Gateway route keys: one list for the function's router, the
 * routes the CDK construct adds to the control plane's HTTP API (behind its JWT authorizer) and the
 * local control plane's server. The paths are fixed by the alerts issue, so scripts can use them.
 */
export const CHANNEL_ROUTES = [
  'POST /v1/projects/{projectId}/channels',
  'GET /v1/projects/{projectId}/channels',
  'DELETE /v1/projects/{projectId}/channels/{channelId}',
  'POST /v1/projects/{projectId}/channels/{channelId}/rotate-secret',
  'POST /v1/projects/{projectId}/channels/{channelId}/test',
  'GET /v1/projects/{projectId}/notifications',
] as const;

export type ChannelRouteKey = (typeof CHANNEL_ROUTES)[number];
