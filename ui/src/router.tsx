/**
 * Routes. Every page is its own chunk (lazyRouteComponent), so the first load carries only React,
 * the router, the query client and the shell.
 *
 *   /sign-in                                   local sign-in form, or the Cognito redirect
 *   /auth/callback                             Cognito's redirect back (code + state)
 *   /                                          the remembered (or first) project's sessions
 *   /projects/$projectId/sessions              sessions table
 *   /projects/$projectId/sessions/$sessionId   one session (?event=<id> selects an event)
 *   /projects/$projectId/events                events table (?type=model|tool|chain)
 *   /projects/$projectId/dashboard             charts
 *   /projects/$projectId/playground            try a prompt through the LLM proxy (?configuration=<id>)
 *   /projects/$projectId/evaluators            metrics: list, create and edit, versions, dry run (?metric=<id>|new)
 *   /projects/$projectId/review                human review: a queue per human metric (?metric=<id>)
 *   /projects/$projectId/datasets              datasets: list, create
 *   /projects/$projectId/datasets/$datasetId   one dataset: datapoints, import/export, versions
 *   /projects/$projectId/runs                  experiment runs (pick two to compare)
 *   /projects/$projectId/runs/$runId           one run's result (?aggregate=<function>)
 *   /projects/$projectId/runs/$runId/compare/$oldRunId   the run against an older one
 *   /projects/$projectId/alerts                monitors, channels, notification log (?tab=monitors|channels|log;
 *                                              ?monitor=<id>|new with ?field=&event_type=&aggregation= to prefill)
 *   /projects/$projectId/admin                 projects, members, API keys (?tab=keys|members|projects)
 */
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  type RouterHistory,
  redirect,
} from '@tanstack/react-router';
import { SESSION_SORT_FIELDS } from '../../lambdas/domain/read-api/wire-types';
import { AGGREGATE_FUNCTIONS, type AggregateFunction } from './api/experiments';
import { type ListSearch, parseListSearch } from './app/list-search';
import type { Services } from './app/services';
import { NotFound, RouteError } from './components/RouteError';
import { Shell } from './layout/Shell';

export type RouterContext = Pick<Services, 'sessions' | 'prefs' | 'config'>;

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFound,
  errorComponent: RouteError,
});

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (search: Record<string, unknown>): { redirect?: string } => ({
    redirect: text(search.redirect),
  }),
  component: lazyRouteComponent(() => import('./pages/SignInPage'), 'SignInPage'),
});

const callbackRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/auth/callback',
  component: lazyRouteComponent(() => import('./pages/AuthCallbackPage'), 'AuthCallbackPage'),
});

/** Everything below needs a signed-in user; others go to sign-in and come back. */
const signedInRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'signed-in',
  beforeLoad: ({ context, location }) => {
    // A Cognito session whose ID token expired is renewed by the first API call.
    if (!context.sessions.get() && context.sessions.peek()?.refreshToken === undefined) {
      throw redirect({
        to: '/sign-in',
        search: { redirect: location.href === '/' ? undefined : location.href },
      });
    }
  },
  component: Shell,
});

const homeRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/',
  component: lazyRouteComponent(() => import('./pages/HomePage'), 'HomePage'),
});

const projectRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: 'projects/$projectId',
});

const projectIndexRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: '/',
  beforeLoad: ({ params }) => {
    throw redirect({ to: '/projects/$projectId/sessions', params });
  },
});

/** The orders the session list takes: the read API's own list. */
export const SESSION_SORTS = SESSION_SORT_FIELDS;
export const EVENT_SORTS = ['start_time', 'duration', 'cost', 'total_tokens', 'event_name', 'model'] as const;

const sessionsRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'sessions',
  validateSearch: (search: Record<string, unknown>) => parseListSearch(search, SESSION_SORTS),
  component: lazyRouteComponent(() => import('./pages/SessionsPage'), 'SessionsPage'),
});

const sessionRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'sessions/$sessionId',
  validateSearch: (search: Record<string, unknown>): { event?: string } => ({ event: text(search.event) }),
  component: lazyRouteComponent(() => import('./pages/SessionPage'), 'SessionPage'),
});

export type EventTypeTab = 'all' | 'model' | 'tool' | 'chain';
const EVENT_TABS: readonly EventTypeTab[] = ['all', 'model', 'tool', 'chain'];

const eventsRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'events',
  validateSearch: (
    search: Record<string, unknown>,
  ): ListSearch<(typeof EVENT_SORTS)[number]> & { type?: Exclude<EventTypeTab, 'all'> } => {
    const parsed = parseListSearch(search, EVENT_SORTS);
    const type = EVENT_TABS.find((tab) => tab === search.type);
    return type === undefined || type === 'all' ? parsed : { ...parsed, type };
  },
  component: lazyRouteComponent(() => import('./pages/EventsPage'), 'EventsPage'),
});

const dashboardRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'dashboard',
  component: lazyRouteComponent(() => import('./pages/DashboardPage'), 'DashboardPage'),
});

const playgroundRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'playground',
  validateSearch: (search: Record<string, unknown>): { configuration?: string } => ({
    configuration: text(search.configuration),
  }),
  component: lazyRouteComponent(() => import('./pages/PlaygroundPage'), 'PlaygroundPage'),
});

const evaluatorsRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'evaluators',
  validateSearch: (search: Record<string, unknown>): { metric?: string } => ({ metric: text(search.metric) }),
  component: lazyRouteComponent(() => import('./pages/EvaluatorsPage'), 'EvaluatorsPage'),
});

const reviewRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'review',
  validateSearch: (search: Record<string, unknown>): { metric?: string } => ({ metric: text(search.metric) }),
  component: lazyRouteComponent(() => import('./pages/ReviewPage'), 'ReviewPage'),
});

const datasetsRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'datasets',
  component: lazyRouteComponent(() => import('./datasets/DatasetsPage'), 'DatasetsPage'),
});

const datasetRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'datasets/$datasetId',
  component: lazyRouteComponent(() => import('./datasets/DatasetPage'), 'DatasetPage'),
});

const runsRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'runs',
  component: lazyRouteComponent(() => import('./experiments/RunsPage'), 'RunsPage'),
});

const aggregateSearch = (search: Record<string, unknown>): { aggregate?: AggregateFunction } => ({
  aggregate: AGGREGATE_FUNCTIONS.find((name) => name === search.aggregate && name !== 'average'),
});

const runRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'runs/$runId',
  validateSearch: aggregateSearch,
  component: lazyRouteComponent(() => import('./experiments/RunPage'), 'RunPage'),
});

const compareRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'runs/$runId/compare/$oldRunId',
  validateSearch: aggregateSearch,
  component: lazyRouteComponent(() => import('./experiments/ComparePage'), 'ComparePage'),
});

export type AlertsTab = 'monitors' | 'channels' | 'log';
const ALERTS_TABS: readonly AlertsTab[] = ['monitors', 'channels', 'log'];

/** The alerts page's address: its tab, the monitor open (an id or `new`) and a new monitor's prefill. */
export interface AlertsSearch {
  tab?: AlertsTab;
  monitor?: string;
  field?: string;
  event_type?: string;
  aggregation?: string;
}

const alertsRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'alerts',
  validateSearch: (search: Record<string, unknown>): AlertsSearch => ({
    tab: ALERTS_TABS.find((tab) => tab === search.tab),
    monitor: text(search.monitor),
    field: text(search.field),
    event_type: text(search.event_type),
    aggregation: text(search.aggregation),
  }),
  component: lazyRouteComponent(() => import('./alerts/AlertsPage'), 'AlertsPage'),
});

export type AdminTab = 'keys' | 'members' | 'projects' | 'provider-keys';
const ADMIN_TABS: readonly AdminTab[] = ['keys', 'members', 'projects', 'provider-keys'];

const adminRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: 'admin',
  validateSearch: (search: Record<string, unknown>): { tab?: AdminTab } => ({
    tab: ADMIN_TABS.find((tab) => tab === search.tab),
  }),
  component: lazyRouteComponent(() => import('./pages/AdminPage'), 'AdminPage'),
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  callbackRoute,
  signedInRoute.addChildren([
    homeRoute,
    projectRoute.addChildren([
      projectIndexRoute,
      sessionsRoute,
      sessionRoute,
      eventsRoute,
      dashboardRoute,
      playgroundRoute,
      evaluatorsRoute,
      reviewRoute,
      datasetsRoute,
      datasetRoute,
      runsRoute,
      runRoute,
      compareRoute,
      alertsRoute,
      adminRoute,
    ]),
  ]),
]);

export function createAppRouter(context: RouterContext, history?: RouterHistory) {
  return createRouter({
    routeTree,
    context,
    history,
    defaultPreload: 'intent',
    scrollRestoration: true,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
