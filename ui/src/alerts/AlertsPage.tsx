import { getRouteApi } from '@tanstack/react-router';
import { atLeast, type RoleTab, useRoleTabs } from '../app/context';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { TabList, tabPanelProps } from '../components/Tabs';
import type { AlertsTab } from '../router';
import { ChannelsPanel } from './ChannelsPanel';
import { MonitorsPanel } from './MonitorsPanel';
import { NotificationLog } from './NotificationLog';
import './alerts.css';

const route = getRouteApi('/signed-in/projects/$projectId/alerts');

/** The control plane's roles (policy.ts): viewers see monitors, members write them and see channels. */
const TABS: RoleTab<AlertsTab>[] = [
  { value: 'monitors', label: 'Monitors', weakest: 'viewer' },
  { value: 'channels', label: 'Channels', weakest: 'member' },
  { value: 'log', label: 'Notification log', weakest: 'member' },
];

/**
 * Alerts (docs/alerts.md): monitors, the channels they notify, and the log of every delivery
 * attempt. What the user's role cannot do is not shown (the APIs refuse it anyway).
 */
export function AlertsPage() {
  useTitle('Alerts');
  const { projectId } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const { role, isLoading, error, visible, tab } = useRoleTabs(projectId, TABS, search.tab ?? 'monitors');
  if (isLoading) return <p role="status">Loading your role…</p>;
  if (error) return <ErrorMessage error={error} title="Could not tell your role in this project" />;
  if (!tab) return <p>Your role in this project does not show alerts.</p>;
  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
        <span className="muted">Monitors notify channels when their state changes.</span>
      </div>
      <TabList
        label="Alerts sections"
        idPrefix="alerts"
        tabs={visible}
        selected={tab.value}
        onSelect={(next) => void navigate({ search: { tab: next }, replace: true })}
      />
      <section {...tabPanelProps('alerts', tab.value)}>
        {tab.value === 'monitors' ? (
          <MonitorsPanel
            projectId={projectId}
            canManage={atLeast(role, 'member')}
            canSeeChannels={atLeast(role, 'member')}
          />
        ) : null}
        {tab.value === 'channels' ? (
          <ChannelsPanel projectId={projectId} canManage={atLeast(role, 'admin')} />
        ) : null}
        {tab.value === 'log' ? <NotificationLog projectId={projectId} /> : null}
      </section>
    </>
  );
}
