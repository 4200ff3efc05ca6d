/** Query keys and reads the datasets and experiments pages share (one cache entry per plane and project). */
import { useQuery } from '@tanstack/react-query';
import type { DataTarget } from '../api/client';
import { useApp } from '../app/context';

export const datasetsKey = (target: DataTarget) =>
  ['datasets', target.dataPlaneId, target.projectId] as const;
export const datasetKey = (target: DataTarget, id: string) => [...datasetsKey(target), id] as const;
export const datapointsKey = (target: DataTarget, id: string) =>
  [...datasetKey(target, id), 'datapoints'] as const;
export const versionsKey = (target: DataTarget, id: string) =>
  [...datasetKey(target, id), 'versions'] as const;
export const runsKey = (target: DataTarget) => ['runs', target.dataPlaneId, target.projectId] as const;

/** The project's datasets, by name. */
export function useDatasets(target: DataTarget, enabled = true) {
  const { api } = useApp();
  return useQuery({
    queryKey: datasetsKey(target),
    queryFn: async () =>
      (await api.listDatasets(target)).testcases.sort((a, b) => a.name.localeCompare(b.name)),
    enabled,
  });
}

/** The project's runs, newest first (as the API answers). */
export function useRuns(target: DataTarget) {
  const { api } = useApp();
  return useQuery({
    queryKey: runsKey(target),
    queryFn: async () => (await api.listRuns(target)).evaluations,
  });
}
