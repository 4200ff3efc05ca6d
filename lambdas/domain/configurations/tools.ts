/**
 * A project's tools (HoneyHive's /tools: function definitions a configuration may select). Owned by
 * the control plane like configurations; every change bumps the record's version, which the sync
 * orders by. Bodies are read strictly (unknown fields refused) as the `honeyhive` client sends them.
 */
import { type ConfigChange, deletion } from '../control-plane/changes';
import { type ControlPlaneContext, findInProject, isoNow, putAndPublish } from '../control-plane/context';
import { firstVersion, inProject, type Project, type ToolRecord } from '../control-plane/model';
import { TooLargeError, ValidationError } from '../errors';
import { assertNoSecrets, SyncMessageError } from '../sync/messages';
import { name, object, onlyFields } from './configuration-input';
import { jsonBytes, MAX_TOOL_BYTES } from './limits';
import type { ToolPayload } from './synced';

export interface ToolInput {
  /** HoneyHive's `task`: the project's name (checked against the caller's project). */
  task?: string;
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
  tool_type: 'function' | 'tool';
}

/** POST /tools: `{ task, name, description?, parameters, type }`. */
export function readCreateToolInput(body: unknown): ToolInput {
  const value = object(body, 'body');
  onlyFields(value, ['task', 'name', 'description', 'parameters', 'type'], '');
  if (value.type !== 'function' && value.type !== 'tool')
    throw new ValidationError('type must be one of function, tool');
  return checked({
    task: name(value.task, 'task'),
    ...common(value),
    tool_type: value.type,
  });
}

/** PUT /tools: `{ id, name, description?, parameters }`; the type stays what it was. */
export function readUpdateToolInput(body: unknown): {
  id: string;
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
} {
  const value = object(body, 'body');
  onlyFields(value, ['id', 'name', 'description', 'parameters'], '');
  const update = { id: name(value.id, 'id'), ...common(value) };
  checked({ ...update, tool_type: 'function' });
  return update;
}

function common(value: Record<string, unknown>): Omit<ToolInput, 'tool_type' | 'task'> {
  const input: Omit<ToolInput, 'tool_type' | 'task'> = {
    name: name(value.name, 'name'),
    parameters: object(value.parameters, 'parameters'),
  };
  if (value.description !== undefined && value.description !== null) {
    if (typeof value.description !== 'string') throw new ValidationError('description must be a string');
    input.description = value.description;
  }
  return input;
}

function checked<T extends Omit<ToolInput, 'task'>>(input: T): T {
  if (jsonBytes(input) > MAX_TOOL_BYTES)
    throw new TooLargeError(`A tool is at most ${MAX_TOOL_BYTES / 1024} KiB as JSON`);
  try {
    assertNoSecrets(input.parameters, 'parameters');
  } catch (error) {
    if (error instanceof SyncMessageError)
      throw new ValidationError(`${error.message}: keep secrets out of tools`);
    throw error;
  }
  return input;
}

export async function createTool(
  context: ControlPlaneContext,
  project: Project,
  input: ToolInput,
): Promise<ToolRecord> {
  const record: ToolRecord = {
    kind: 'tool',
    ...inProject(project),
    id: context.newId(),
    name: input.name,
    parameters: input.parameters,
    tool_type: input.tool_type,
    ...firstVersion(isoNow(context)),
  };
  return putTool(context, record, input.description);
}

export async function updateTool(
  context: ControlPlaneContext,
  current: ToolRecord,
  input: { name: string; description?: string; parameters: Record<string, unknown> },
): Promise<ToolRecord> {
  const { description: _dropped, ...rest } = current;
  const record: ToolRecord = {
    ...rest,
    name: input.name,
    parameters: input.parameters,
    version: current.version + 1,
    updated_at: isoNow(context),
  };
  return putTool(context, record, input.description);
}

/** Writes a tool (with its description, when it has one) and publishes it. */
async function putTool(
  context: ControlPlaneContext,
  record: ToolRecord,
  description: string | undefined,
): Promise<ToolRecord> {
  if (description !== undefined) record.description = description;
  return putAndPublish(context, record, toolChange);
}

export async function deleteTool(context: ControlPlaneContext, current: ToolRecord): Promise<void> {
  await context.store.delete({ kind: 'tool', org_id: current.org_id, id: current.id }, current.version);
  await context.changes.publish(deletion('tool.deleted', current, toolPayload(current)));
}

export async function listTools(context: ControlPlaneContext, project: Project): Promise<ToolRecord[]> {
  const records = await context.store.listByOrg('tool', project.org_id);
  return records.filter((record) => record.project_id === project.id);
}

export async function findTool(
  context: ControlPlaneContext,
  project: Project,
  id: string,
): Promise<ToolRecord> {
  return findInProject(context, 'tool', project, id, `No tool ${id} in this project`);
}

function toolChange(record: ToolRecord): ConfigChange {
  return { type: 'tool.upserted', version: record.version, payload: toolPayload(record) };
}

export function toolPayload(record: ToolRecord): ToolPayload {
  const payload: ToolPayload = {
    id: record.id,
    org_id: record.org_id,
    workspace_id: record.workspace_id,
    project_id: record.project_id,
    name: record.name,
    parameters: structuredClone(record.parameters),
    tool_type: record.tool_type,
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
  if (record.description !== undefined) payload.description = record.description;
  return payload;
}
