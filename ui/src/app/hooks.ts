import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { DataTarget } from '../api/client';
import { fieldSuggestions } from '../components/filters';
import { useApp } from './context';

/** Filter-field suggestions: the columns, plus the fields the project's events carry (event schema). */
export function useFieldSuggestions(target: DataTarget) {
  const { api } = useApp();
  const schema = useQuery({
    queryKey: ['schema', target.dataPlaneId, target.projectId],
    queryFn: () => api.eventSchema(target),
    staleTime: 5 * 60_000,
    retry: false,
    // Until the plane has the schema route (or when it fails), the columns alone are suggested.
    refetchOnMount: false,
  });
  return useMemo(() => fieldSuggestions(schema.data), [schema.data]);
}
