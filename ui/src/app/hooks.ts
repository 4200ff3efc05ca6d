import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { type DataTarget, isApiError } from '../api/client';
import type { EventType } from '../api/types';
import { fieldSuggestions } from '../components/filters';
import { useApp } from './context';

/** Filter-field suggestions: the columns, plus the fields the project's events carry (event schema). */
export function useFieldSuggestions(target: DataTarget, eventType?: EventType) {
  const { api } = useApp();
  const schema = useQuery({
    queryKey: ['schema', target.dataPlaneId, target.projectId],
    // A plane without the schema route (404) has no suggestions beyond the columns: kept as an answer.
    queryFn: () =>
      api.eventSchema(target).catch((error: unknown) => {
        if (isApiError(error) && error.status === 404) return { fields: [] };
        throw error;
      }),
    staleTime: 5 * 60_000,
    retry: false,
  });
  return useMemo(() => fieldSuggestions(schema.data, eventType), [schema.data, eventType]);
}
