import { Link, Outlet, useNavigate, useParams, useRouterState } from '@tanstack/react-router';
import { useEffect, useId, useRef, useSyncExternalStore } from 'react';
import { useApp, useProjectRole, useProjects } from '../app/context';
import { currentTheme, saveTheme, subscribeTheme, type Theme } from '../app/theme';
import { ErrorMessage } from '../components/ErrorMessage';
import { Logo } from '../components/Logo';

/** The signed-in layout: skip link, header with navigation, project and data-plane switchers. */
export function Shell() {
  const { projectId } = useParams({ strict: false });
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const { prefs } = useApp();
  // The project shown is the one remembered (not one merely preloaded by hovering a link).
  useEffect(() => {
    if (projectId) prefs.setProjectId(projectId);
  }, [projectId, prefs]);
  // A new page moves focus to its content, so keyboard and screen-reader users start there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each new path
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [pathname]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header projectId={projectId} />
      <main id="main" className="page" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
    </div>
  );
}

function Header({ projectId }: { projectId: string | undefined }) {
  const { sessions, signOut } = useApp();
  const email = sessions.peek()?.email;
  return (
    <header className="header">
      <Link to="/" className="brand" aria-label="Waggle home">
        <Logo /> Waggle
      </Link>
      {projectId ? <ProjectNav projectId={projectId} /> : <span className="grow" />}
      <div className="header-tools">
        <ProjectSwitcher projectId={projectId} />
        <DataPlaneSwitcher />
        <ThemeToggle />
        {email ? <span className="muted user">{email}</span> : null}
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

/** A project's pages, in the order of the main navigation; the project switcher stays on the same one. */
const PROJECT_PAGES = [
  { to: '/projects/$projectId/sessions', label: 'Sessions' },
  { to: '/projects/$projectId/events', label: 'Events' },
  { to: '/projects/$projectId/dashboard', label: 'Dashboard' },
  { to: '/projects/$projectId/playground', label: 'Playground' },
  { to: '/projects/$projectId/evaluators', label: 'Evaluators' },
  { to: '/projects/$projectId/review', label: 'Review' },
  { to: '/projects/$projectId/datasets', label: 'Datasets' },
  { to: '/projects/$projectId/runs', label: 'Experiments' },
  { to: '/projects/$projectId/alerts', label: 'Alerts' },
  { to: '/projects/$projectId/admin', label: 'Admin' },
] as const;

/** The same page of another project: a session (or another item) belongs to one project, so its page's list instead. */
function samePageOf(pathname: string): (typeof PROJECT_PAGES)[number]['to'] {
  const section = /^\/projects\/[^/]+\/([^/?#]+)/.exec(pathname)?.[1];
  return PROJECT_PAGES.find((page) => page.to.endsWith(`/${section}`))?.to ?? '/projects/$projectId/sessions';
}

function ProjectNav({ projectId }: { projectId: string }) {
  const { role } = useProjectRole(projectId);
  const links = PROJECT_PAGES;
  return (
    <nav aria-label="Main" className="nav grow">
      <ul>
        {links.map((link) => (
          <li key={link.to}>
            <Link
              to={link.to}
              params={{ projectId }}
              activeProps={{ 'aria-current': 'page', className: 'active' }}
            >
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
      {role ? (
        <span className="role-badge" title="Your role in this project">
          {role}
        </span>
      ) : null}
    </nav>
  );
}

function ProjectSwitcher({ projectId }: { projectId: string | undefined }) {
  const { prefs } = useApp();
  const selectId = useId();
  const projects = useProjects();
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  if (projects.error) return <ErrorMessage error={projects.error} title="Projects" />;
  const list = projects.data ?? [];
  return (
    <span className="inline-field">
      {/* Named for screen readers only: ten project pages and the tools share the 1280 px header. */}
      <label htmlFor={selectId} className="sr-only">
        Project
      </label>
      <select
        id={selectId}
        title="Project"
        value={projectId ?? ''}
        disabled={list.length === 0}
        onChange={(event) => {
          const next = event.target.value;
          prefs.setProjectId(next);
          // Stay on the same kind of page (a session belongs to one project, so its list instead).
          const to = samePageOf(pathname);
          void navigate({ to, params: { projectId: next } });
        }}
      >
        {projectId === undefined ? <option value="">Choose a project</option> : null}
        {list.map((project) => (
          <option key={project.id} value={project.id}>
            {project.name}
          </option>
        ))}
        {projectId !== undefined && !list.some((project) => project.id === projectId) ? (
          <option value={projectId}>{projects.isLoading ? 'Loading…' : projectId}</option>
        ) : null}
      </select>
    </span>
  );
}

function DataPlaneSwitcher() {
  const { config, dataPlane, selectDataPlane } = useApp();
  const selectId = useId();
  if (config.dataPlanes.length < 2) return null;
  return (
    <span className="inline-field">
      <label htmlFor={selectId}>Data plane</label>
      <select id={selectId} value={dataPlane.id} onChange={(event) => selectDataPlane(event.target.value)}>
        {config.dataPlanes.map((plane) => (
          <option key={plane.id} value={plane.id}>
            {plane.id}
          </option>
        ))}
      </select>
    </span>
  );
}

function ThemeToggle() {
  // What <html> names, so the button follows the system's scheme as well as the user's pick.
  const theme = useSyncExternalStore(subscribeTheme, currentTheme);
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="secondary"
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      onClick={() => saveTheme(next)}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
    </button>
  );
}
