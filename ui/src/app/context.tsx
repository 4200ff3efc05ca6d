import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import type { DataTarget, Role } from '../api/client';
import type { DataPlaneEntry } from '../api/types';
import type { Services } from './services';

interface AppState extends Services {
  dataPlane: DataPlaneEntry;
  selectDataPlane(id: string): void;
}

const AppContext = createContext<AppState | undefined>(undefined);

export function AppProvider({ services, children }: { services: Services; children: ReactNode }) {
  const [dataPlaneId, setDataPlaneId] = useState(() => services.prefs.dataPlaneId());
  const selectDataPlane = useCallback(
    (id: string) => {
      services.prefs.setDataPlaneId(id);
      setDataPlaneId(id);
    },
    [services],
  );
  const value = useMemo<AppState>(() => {
    const dataPlane =
      services.config.dataPlanes.find((plane) => plane.id === dataPlaneId) ?? services.config.dataPlanes[0];
    if (!dataPlane) throw new Error('config.json lists no data plane');
    return { ...services, dataPlane, selectDataPlane };
  }, [services, dataPlaneId, selectDataPlane]);
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export function useApp(): AppState {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppProvider');
  return value;
}

/** The data plane and project a page reads. */
export function useTarget(projectId: string): DataTarget {
  const { dataPlane } = useApp();
  return useMemo(() => ({ dataPlaneId: dataPlane.id, projectId }), [dataPlane.id, projectId]);
}

export function useProjects() {
  const { api } = useApp();
  return useQuery({ queryKey: ['projects'], queryFn: () => api.listProjects() });
}

/**
 * The user's role in the project, as the token service answers it (the effective role in the
 * project's workspace). The APIs enforce roles; the console only hides what would be refused.
 */
export function useProjectRole(projectId: string): {
  role: Role | undefined;
  isLoading: boolean;
  error: unknown;
} {
  const { api, dataPlane } = useApp();
  const query = useQuery({
    queryKey: ['role', dataPlane.id, projectId],
    queryFn: async () => (await api.dataPlaneToken(dataPlane.id, projectId)).role,
    staleTime: 60_000,
  });
  return { role: query.data, isLoading: query.isLoading, error: query.error };
}

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Whether `role` is at least `weakest` (viewer < member < admin < owner). */
export function atLeast(role: Role | undefined, weakest: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[weakest];
}

/** A tab of a page that shows each tab only to roles at least `weakest`. */
export interface RoleTab<T extends string> {
  value: T;
  label: string;
  weakest: Role;
}

/**
 * The tabs the user's role in the project may see, and the one shown: the requested tab if visible,
 * else the first visible one (undefined while the role loads, or when no tab is visible).
 */
export function useRoleTabs<T extends string>(
  projectId: string,
  tabs: readonly RoleTab<T>[],
  requested: T | undefined,
) {
  const { role, isLoading, error } = useProjectRole(projectId);
  const visible = tabs.filter((candidate) => atLeast(role, candidate.weakest));
  const tab = visible.find((candidate) => candidate.value === requested) ?? visible[0];
  return { role, isLoading, error, visible, tab };
}
