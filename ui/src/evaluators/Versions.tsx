/** A stored evaluator's versions, newest first, from `GET /v1/metrics/{id}/versions`. */
import { useQuery } from '@tanstack/react-query';
import { type JSX, useId } from 'react';
import type { DataTarget, MetricWire } from '../api/client';
import { useApp } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
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
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Saved</th>
                <th scope="col">Return type</th>
                <th scope="col">Passes</th>
                <th scope="col">Enabled</th>
                <th scope="col">Sampling</th>
                <th scope="col">Definition</th>
              </tr>
            </thead>
            <tbody>
              {list.map((version) => (
                <tr key={version.version}>
                  <th scope="row">v{version.version}</th>
                  <td>{version.updated_at ? formatTime(Date.parse(version.updated_at)) : '—'}</td>
                  <td>{version.return_type}</td>
                  <td>{passRuleText(version)}</td>
                  <td>{version.enabled_in_prod ? 'yes' : 'no'}</td>
                  <td className="num">{version.sampling_percentage}%</td>
                  <td>
                    <details>
                      <summary>{version.name}</summary>
                      <pre className="code-block">
                        {version.code_snippet ?? version.prompt ?? version.criteria ?? '(none)'}
                      </pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
