/** A stored evaluator's versions, newest first, from `GET /v1/metrics/{id}/versions`. */
import { useQuery } from '@tanstack/react-query';
import { type JSX, useId } from 'react';
import type { DataTarget, MetricWire } from '../api/client';
import { useApp } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { TableHead } from '../components/Table';
import { passRuleText } from './form';

export function versionsQueryKey(target: DataTarget, metricId: string) {
  return ['metric-versions', target.dataPlaneId, target.projectId, metricId] as const;
}

export function Versions({ target, metric }: { target: DataTarget; metric: MetricWire }): JSX.Element {
  const { api } = useApp();
  const headingId = useId();
  const versions = useQuery({
    // The latest version is in the key: a save (a new version synced) asks again.
    queryKey: [...versionsQueryKey(target, metric._id), metric.version],
    queryFn: () => api.metricVersions(target, metric._id),
  });
  const list = [...(versions.data ?? [])].sort((a, b) => b.version - a.version);
  return (
    <section className="card stack" aria-labelledby={headingId}>
      <h2 id={headingId}>Versions</h2>
      <ErrorMessage error={versions.error} title="Could not list the versions" />
      {versions.isLoading ? <p className="muted small">Loading…</p> : null}
      {list.length > 0 ? (
        <div className="table-wrap">
          <table className="data" aria-labelledby={headingId}>
            <TableHead
              columns={['Version', 'Saved', 'Passes', 'Prod', { label: 'Sampling', numeric: true }]}
            />
            <tbody>
              {list.map((version) => (
                <tr key={version.version}>
                  <th scope="row">v{version.version}</th>
                  <td>{version.updated_at ? formatTime(Date.parse(version.updated_at)) : '—'}</td>
                  <td>{passRuleText(version)}</td>
                  <td>{version.enabled_in_prod ? 'on' : 'off'}</td>
                  <td className="num">{version.sampling_percentage}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.length > 0 ? (
        <ul className="version-definitions">
          {list.map((version) => (
            <li key={version.version}>
              <details>
                <summary>
                  v{version.version}: {version.name}, {version.return_type}
                  {version.event_type ? `, ${version.event_type} events` : ''}
                  {version.event_name ? ` named ${version.event_name}` : ''}
                </summary>
                <pre className="code-block">
                  {version.code_snippet ?? version.prompt ?? version.criteria ?? '(no code or prompt)'}
                </pre>
              </details>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
