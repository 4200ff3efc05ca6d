import { getRouteApi } from '@tanstack/react-router';
import { atLeast, type RoleTab } from '../app/context';
import { useTitle } from '../app/title';
import { RoleTabsPage } from '../components/RoleTabsPage';
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
  return (
    <RoleTabsPage
      projectId={projectId}
      tabs={TABS}
      requested={search.tab ?? 'monitors'}
      heading="Alerts"
      summary={() => 'Monitors notify channels when their state changes.'}
      idPrefix="alerts"
      onSelect={(next) => void navigate({ search: { tab: next }, replace: true })}
      noTab={<p>Your role in this project does not show alerts.</p>}
    >
      {(tab, role) => (
        <>
          {tab === 'monitors' ? (
            <MonitorsPanel
              projectId={projectId}
              canManage={atLeast(role, 'member')}
              canSeeChannels={atLeast(role, 'member')}
            />
          ) : null}
          {tab === 'channels' ? (
            <ChannelsPanel projectId={projectId} canManage={atLeast(role, 'admin')} />
          ) : null}
          {tab === 'log' ? <NotificationLog projectId={projectId} /> : null}
        </>
      )}
    </RoleTabsPage>
  );
}
