import type { ReactNode } from 'react';
import type { Role } from '../api/client';
import { type RoleTab, useRoleTabs } from '../app/context';
import { ErrorMessage } from './ErrorMessage';
import { TabList, tabPanelProps } from './Tabs';

/**
 * A page of tabs, each shown only to roles at least its `weakest` (useRoleTabs): the role's loading
 * and error, the heading, the tabs the role may see and the chosen tab's panel.
 */
export function RoleTabsPage<T extends string>({
  projectId,
  tabs,
  requested,
  heading,
  summary,
  idPrefix,
  onSelect,
  noTab = null,
  children,
}: {
  projectId: string;
  tabs: readonly RoleTab<T>[];
  requested: T | undefined;
  heading: string;
  summary(role: Role | undefined): ReactNode;
  idPrefix: string;
  onSelect(tab: T): void;
  /** What a role that may see no tab is shown. */
  noTab?: ReactNode;
  children(tab: T, role: Role | undefined): ReactNode;
}) {
  const { role, isLoading, error, visible, tab } = useRoleTabs(projectId, tabs, requested);
  if (isLoading) return <p role="status">Loading your role…</p>;
  if (error) return <ErrorMessage error={error} title="Could not tell your role in this project" />;
  if (!tab) return noTab;
  return (
    <>
      <div className="page-head">
        <h1>{heading}</h1>
        <span className="muted">{summary(role)}</span>
      </div>
      <TabList
        label={`${heading} sections`}
        idPrefix={idPrefix}
        tabs={visible}
        selected={tab.value}
        onSelect={onSelect}
      />
      <section {...tabPanelProps(idPrefix, tab.value)}>{children(tab.value, role)}</section>
    </>
  );
}
