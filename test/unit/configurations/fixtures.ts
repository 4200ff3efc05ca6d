/** A HoneyHive configuration body, a control-plane context on memory ports, and a project. */

import { MemoryChangePublisher } from '../../../lambdas/domain/control-plane/changes';
import { controlPlaneContext } from '../../../lambdas/domain/control-plane/context';
import { MemoryControlPlaneStore } from '../../../lambdas/domain/control-plane/memory-store';
import type { Project } from '../../../lambdas/domain/control-plane/model';

export const NOW = Date.UTC(2026, 11, 1);

export function wireBody(overrides: Record<string, unknown> = {}, parameters: Record<string, unknown> = {}) {
  return {
    project: 'shop',
    name: 'greeter',
    provider: 'openai',
    env: ['dev'],
    parameters: {
      call_type: 'chat',
      model: 'gpt-4o-mini',
      hyperparameters: { temperature: 0.2 },
      selectedFunctions: [{ id: 'f1', name: 'get_weather', parameters: { type: 'object' } }],
      template: [
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Hello {{name}}' },
      ],
      ...parameters,
    },
    ...overrides,
  };
}

export const PROJECT: Project = {
  kind: 'project',
  org_id: 'org-1',
  workspace_id: 'ws-1',
  id: 'proj-1',
  name: 'shop',
  version: 1,
  created_at: new Date(NOW).toISOString(),
  updated_at: new Date(NOW).toISOString(),
};

export async function world() {
  const store = new MemoryControlPlaneStore();
  const changes = new MemoryChangePublisher();
  let ids = 0;
  let now = NOW;
  const context = controlPlaneContext({
    store,
    changes,
    clock: () => now,
    newId: () => `id-${++ids}`,
  });
  await store.put(PROJECT);
  return { store, changes, context, tick: (ms = 1000) => (now += ms) };
}
