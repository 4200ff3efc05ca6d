/**
 * The scheduled reconciliation: the desired state of every data plane is every project and API key
 * in the control-plane store (at its latest version, revocations included); each data plane's
 * reported state is compared with it and the difference is republished (publisher.reconcile).
 * The reported state is the digest of the data plane's newest heartbeat (heartbeat-store): kinds
 * whose digests match are left alone, so a converged data plane costs no message. A data plane that
 * has not reported yet gets everything (data planes ignore versions they already hold). No AWS imports.
 */

import { monitorChange } from '../domain/alerts/monitors/monitors';
import { promptChange } from '../domain/configurations/configurations';
import { toolPayload } from '../domain/configurations/tools';
import { apiKeyChange, projectPayload } from '../domain/control-plane/changes';
import type {
  ApiKey,
  ConfigurationRecord,
  EvaluatorRecord,
  MonitorRecord,
  Project,
  ToolRecord,
} from '../domain/control-plane/model';
import { evaluatorChange } from '../domain/evaluators/definitions/metrics';
import { entityChangeOf } from '../domain/sync/control-plane-changes';
import type { EntityChange, ReportedState, SyncPublisher } from '../domain/sync/publisher';

interface DesiredRecords {
  projects: readonly Project[];
  apiKeys: readonly ApiKey[];
  configurations?: readonly ConfigurationRecord[];
  tools?: readonly ToolRecord[];
  evaluators?: readonly EvaluatorRecord[];
  monitors?: readonly MonitorRecord[];
}

interface ReconcilerDeps {
  publisher: SyncPublisher;
  dataPlaneIds: readonly string[];
  /** Every project and API key the control plane holds. */
  desired(): Promise<DesiredRecords>;
  /** What a data plane last reported; undefined when it has not reported (everything is republished). */
  reported(dataPlaneId: string): Promise<ReportedState | undefined>;
}

interface ReconcileSummary {
  dataPlaneId: string;
  republished: number;
  differingKinds: string[];
  unexpected: number;
  error?: unknown;
}

export function desiredChanges(records: DesiredRecords): EntityChange[] {
  return [
    ...records.projects.map((project) =>
      entityChangeOf({
        type: 'project.upserted',
        version: project.version,
        payload: projectPayload(project),
      }),
    ),
    ...records.apiKeys.map((key) => entityChangeOf(apiKeyChange(key))),
    ...(records.configurations ?? []).map((record) => entityChangeOf(promptChange(record))),
    ...(records.tools ?? []).map((tool) =>
      entityChangeOf({ type: 'tool.upserted', version: tool.version, payload: toolPayload(tool) }),
    ),
    ...(records.evaluators ?? []).map((record) => entityChangeOf(evaluatorChange(record))),
    ...(records.monitors ?? []).map((record) => entityChangeOf(monitorChange(record))),
  ];
}

/** Reconciles every data plane; one failing plane does not stop the others (its summary carries the error). */
export function createReconciler(deps: ReconcilerDeps): () => Promise<ReconcileSummary[]> {
  return async () => {
    const desired = desiredChanges(await deps.desired());
    const summaries: ReconcileSummary[] = [];
    for (const dataPlaneId of deps.dataPlaneIds) {
      try {
        const reported = (await deps.reported(dataPlaneId)) ?? { digest: {} };
        const plan = await deps.publisher.reconcile(dataPlaneId, desired, reported);
        summaries.push({
          dataPlaneId,
          republished: plan.toRepublish.length,
          differingKinds: plan.differingKinds,
          unexpected: plan.unexpected.length,
        });
      } catch (error) {
        summaries.push({ dataPlaneId, republished: 0, differingKinds: [], unexpected: 0, error });
      }
    }
    return summaries;
  };
}
