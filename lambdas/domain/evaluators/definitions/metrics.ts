/**
 * The control plane's metric (evaluator) operations. Every change is a new immutable version: the
 * record's `version` is the latest version's number (also what the sync orders by), its content is
 * that version, and each version is kept in an EvaluatorVersionRecord for the history. Names are
 * unique per project (a NameClaim), since composites and filters name metrics. A composite's
 * children must exist in the project; they are stored by id (with the name they had), so a renamed
 * child stays the same child. A metric some composite uses cannot be deleted. Every check runs before
 * anything is stored, so a refused write changes nothing.
 */

import { jsonBytes, MAX_SYNC_PAYLOAD_BYTES } from '../../configurations/limits';
import { deletion } from '../../control-plane/changes';
import { type ControlPlaneContext, isoNow } from '../../control-plane/context';
import { projectNameClaims, refuseSecrets } from '../../control-plane/entity-names';
import type { EvaluatorRecord, EvaluatorVersionRecord, Project } from '../../control-plane/model';
import { ConflictError, NotFoundError, TooLargeError, ValidationError } from '../../errors';
import { canonicalJson } from '../../sync/canonical-json';
import { versionedPayload } from '../../sync/versioned-payload';
import type { ChildMetric } from '../evaluator';
import type { MetricContent } from './metric-content';
import { applyMetricPatch, type MetricPatch } from './metric-input';
import type { EvaluatorPayload } from './synced';

/** The name claims that keep names unique in a project. */
const names = projectNameClaims<EvaluatorRecord>('metric', evaluatorNameClaimId);

export function evaluatorNameClaimId(projectId: string, name: string): string {
  return `evaluator-name#${projectId}#${name}`;
}

export async function createMetric(
  context: ControlPlaneContext,
  project: Project,
  content: MetricContent,
): Promise<EvaluatorRecord> {
  refuseMetricSecrets(content);
  const now = isoNow(context);
  const id = context.newId();
  const record: EvaluatorRecord = {
    kind: 'evaluator',
    org_id: project.org_id,
    workspace_id: project.workspace_id,
    project_id: project.id,
    id,
    name: content.name,
    content: await withResolvedChildren(context, project, id, content),
    version: 1,
    created_at: now,
    updated_at: now,
  };
  checkPayloadSize(record);
  await names.claim(context, record);
  await context.store.put(record);
  await context.store.put(historyOf(record));
  await context.changes.publish(evaluatorChange(record));
  return record;
}

/** The next version, or the current record unchanged when the patch changes nothing. */
export async function updateMetric(
  context: ControlPlaneContext,
  project: Project,
  current: EvaluatorRecord,
  patch: MetricPatch,
): Promise<EvaluatorRecord> {
  const next = applyMetricPatch(current.content, patch);
  refuseMetricSecrets(next);
  const content = await withResolvedChildren(context, project, current.id, next);
  if (canonicalJson(content) === canonicalJson(current.content)) return current;
  const record: EvaluatorRecord = {
    ...current,
    name: content.name,
    content,
    version: current.version + 1,
    updated_at: isoNow(context),
  };
  checkPayloadSize(record);
  if (record.name !== current.name) await names.claim(context, record);
  // The conditional put (version n-1 -> n) makes concurrent updates of one metric lose cleanly.
  await context.store.put(record);
  if (record.name !== current.name) await names.release(context, current);
  await context.store.put(historyOf(record));
  await context.changes.publish(evaluatorChange(record));
  return record;
}

export async function deleteMetric(context: ControlPlaneContext, current: EvaluatorRecord): Promise<void> {
  const parent = (await listMetricRecords(context, current)).find((record) =>
    record.content.childMetrics?.some((child) => child.id === current.id),
  );
  if (parent)
    throw new ConflictError(
      `Metric "${current.name}" is a child of the composite "${parent.name}"; remove it there first`,
    );
  await removeMetric(context, current);
}

/** Deletes a metric no composite names any more: its record, its name, and its tombstone to the data planes. */
async function removeMetric(context: ControlPlaneContext, current: EvaluatorRecord): Promise<void> {
  await context.store.delete({ kind: 'evaluator', org_id: current.org_id, id: current.id }, current.version);
  await names.release(context, current);
  await context.changes.publish(deletion('evaluator.deleted', current, evaluatorPayload(current)));
}

/**
 * Deletes every metric of a project (its deletion), each tombstone published: composites before the
 * children they name, so no metric goes while a composite still names it (the project's metrics are
 * listed once, not again for each delete). Cycles are refused at write, so every round frees one.
 */
export async function deleteProjectMetrics(context: ControlPlaneContext, project: Project): Promise<void> {
  let remaining = await listMetricRecords(context, project);
  while (remaining.length > 0) {
    const named = new Set(
      remaining.flatMap((record) => record.content.childMetrics?.map((child) => child.id) ?? []),
    );
    const unnamed = remaining.filter((record) => !named.has(record.id));
    if (unnamed.length === 0)
      throw new ConflictError("The project's composite metrics name each other in a cycle");
    for (const record of unnamed) await removeMetric(context, record);
    remaining = remaining.filter((record) => named.has(record.id));
  }
}

/** The project's metric with this id; NotFoundError for another project's (never told apart). */
export async function findMetric(
  context: ControlPlaneContext,
  project: Project,
  id: string,
): Promise<EvaluatorRecord> {
  const record = await context.store.get({ kind: 'evaluator', org_id: project.org_id, id });
  if (!record || record.project_id !== project.id) throw new NotFoundError(`No metric ${id} in this project`);
  return record;
}

export async function listMetricRecords(
  context: ControlPlaneContext,
  project: Pick<Project, 'org_id'> & { project_id?: string; id?: string },
): Promise<EvaluatorRecord[]> {
  const projectId = project.project_id ?? project.id;
  const records = await context.store.listByOrg('evaluator', project.org_id);
  return records.filter((record) => record.project_id === projectId);
}

export interface MetricVersion {
  number: number;
  content: MetricContent;
  created_at: string;
}

/** Every version ever written, oldest first. */
export async function metricHistory(
  context: ControlPlaneContext,
  record: EvaluatorRecord,
): Promise<MetricVersion[]> {
  const versions = await context.store.listByOrg('evaluator-version', record.org_id);
  return versions
    .filter((version) => version.evaluator_id === record.id)
    .map((version) => ({ number: version.number, content: version.content, created_at: version.created_at }))
    .sort((a, b) => a.number - b.number);
}

export function evaluatorPayload(record: EvaluatorRecord): EvaluatorPayload {
  return versionedPayload(record);
}

export function evaluatorChange(record: EvaluatorRecord) {
  return {
    type: 'evaluator.upserted' as const,
    version: record.version,
    payload: evaluatorPayload(record),
  };
}

/**
 * The content with each child named by the id of a metric of the project (and that metric's current
 * name). Refuses an unknown child, the metric itself, and a child whose own children lead back to it.
 */
async function withResolvedChildren(
  context: ControlPlaneContext,
  project: Project,
  selfId: string,
  content: MetricContent,
): Promise<MetricContent> {
  if (content.type !== 'composite' || !content.childMetrics) return content;
  const metrics = await listMetricRecords(context, project);
  const byId = new Map(metrics.map((metric) => [metric.id, metric]));
  const children: ChildMetric[] = content.childMetrics.map((child, index) => {
    const found =
      child.id !== undefined ? byId.get(child.id) : metrics.find((metric) => metric.name === child.name);
    if (!found)
      throw new ValidationError(
        `child_metrics[${index}]: no metric ${child.id !== undefined ? `with id ${child.id}` : `named "${child.name}"`} in this project`,
      );
    if (found.id === selfId) throw new ValidationError(`child_metrics[${index}] is the metric itself`);
    if (found.content.type === 'human')
      throw new ValidationError(
        `child_metrics[${index}]: "${found.name}" is a human metric, which reviewers score; a composite runs its children`,
      );
    if (leadsTo(found, selfId, byId, new Set()))
      throw new ValidationError(`child_metrics[${index}]: "${found.name}" uses this metric (a cycle)`);
    return { id: found.id, name: found.name, weight: child.weight };
  });
  const ids = new Set(children.map((child) => child.id));
  if (ids.size !== children.length) throw new ValidationError('child_metrics names one metric twice');
  return { ...content, childMetrics: children };
}

function leadsTo(
  metric: EvaluatorRecord,
  target: string,
  byId: Map<string, EvaluatorRecord>,
  seen: Set<string>,
): boolean {
  if (seen.has(metric.id)) return false;
  seen.add(metric.id);
  for (const child of metric.content.childMetrics ?? []) {
    if (child.id === target) return true;
    const next = child.id === undefined ? undefined : byId.get(child.id);
    if (next && leadsTo(next, target, byId, seen)) return true;
  }
  return false;
}

function historyOf(record: EvaluatorRecord): EvaluatorVersionRecord {
  return {
    kind: 'evaluator-version',
    org_id: record.org_id,
    workspace_id: record.workspace_id,
    project_id: record.project_id,
    evaluator_id: record.id,
    id: `${record.id}#${record.version}`,
    number: record.version,
    content: record.content,
    version: 1,
    created_at: record.updated_at,
    updated_at: record.updated_at,
  };
}

function checkPayloadSize(record: EvaluatorRecord): void {
  if (jsonBytes(evaluatorPayload(record)) > MAX_SYNC_PAYLOAD_BYTES)
    throw new TooLargeError(
      `The metric exceeds ${MAX_SYNC_PAYLOAD_BYTES / 1024} KiB as JSON (one sync message); shorten its code, prompt or criteria`,
    );
}

function refuseMetricSecrets(content: MetricContent): void {
  refuseSecrets(content, 'metric', "keep secrets out of metrics (a judge uses the project's provider keys)");
}
