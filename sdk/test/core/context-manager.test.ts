import { context, createContextKey, DiagLogLevel, diag, ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The context manager is process-global: every test gets fresh SDK modules and an empty slot.
type CM = typeof import('../../src/core/context-manager');
type Helpers = typeof import('./helpers');
let cm: CM;
let helpers: Helpers;
const diagErrors: string[] = [];

beforeEach(async () => {
  vi.resetModules();
  context.disable();
  cm = await import('../../src/core/context-manager');
  helpers = await import('./helpers');
  diag.setLogger(
    {
      error: (m: string) => diagErrors.push(m),
      warn: () => {},
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.ERROR,
  );
});

afterEach(() => {
  context.disable();
  diag.disable();
  diagErrors.length = 0;
});

const KEY = createContextKey('test.app');

/** Whether `manager` is the one the global API uses right now. */
function isGlobal(manager: InstanceType<CM['AsyncLocalContextManager']>): boolean {
  const probe = ROOT_CONTEXT.setValue(KEY, Math.random());
  return manager.with(probe, () => context.active() === probe);
}

/** Runs a traced parent that awaits a traced child; returns whether the child kept its parent. */
async function nestedAcrossAwait(t: ReturnType<Helpers['memoryTracer']>): Promise<boolean> {
  const child = t.tracer.trace(async function child() {
    await new Promise((r) => setTimeout(r, 1));
    return 1;
  });
  const parent = t.tracer.trace(async function parent() {
    await new Promise((r) => setTimeout(r, 1));
    return child();
  });
  expect(await parent()).toBe(1);
  const spans = t.spans();
  const p = spans.find((s) => s.name === 'parent');
  const c = spans.find((s) => s.name === 'child');
  expect(p).toBeDefined();
  expect(c).toBeDefined();
  return c?.parentSpanContext?.spanId === p?.spanContext().spanId;
}

describe('context manager registration', () => {
  it('is lazy: nothing at construction, the SDK manager at the first span, nesting across await', async () => {
    const t = helpers.memoryTracer();
    expect(cm.hasWorkingContextManager()).toBe(false);
    expect(await nestedAcrossAwait(t)).toBe(true);
    expect(cm.isSdkContextManagerActive()).toBe(true);
    await t.tracer.shutdown();
  });

  it('keeps a manager the app registered after creating the tracer but before any span', async () => {
    const t = helpers.memoryTracer();
    const app = new cm.AsyncLocalContextManager();
    expect(context.setGlobalContextManager(app)).toBe(true);
    expect(await nestedAcrossAwait(t)).toBe(true);
    expect(isGlobal(app)).toBe(true);
    expect(cm.isSdkContextManagerActive()).toBe(false);
    await t.tracer.shutdown();
  });

  it('never replaces a manager registered first, and probes instead of causing a duplicate error', async () => {
    const app = new cm.AsyncLocalContextManager();
    context.setGlobalContextManager(app);
    const t = helpers.memoryTracer();
    expect(await nestedAcrossAwait(t)).toBe(true);
    expect(isGlobal(app)).toBe(true);
    expect(diagErrors).toEqual([]);
    await t.tracer.shutdown();
  });

  it('after the first span OpenTelemetry refuses a second manager; releaseContextManager hands over', async () => {
    const t = helpers.memoryTracer();
    expect(await nestedAcrossAwait(t)).toBe(true);
    const app = new cm.AsyncLocalContextManager();
    expect(context.setGlobalContextManager(app)).toBe(false);
    expect(diagErrors.join('\n')).toMatch(/duplicate registration of API: context/);

    expect(cm.releaseContextManager()).toBe(true);
    expect(context.setGlobalContextManager(app)).toBe(true);
    expect(isGlobal(app)).toBe(true);
    t.exporter.reset();
    expect(await nestedAcrossAwait(t)).toBe(true);
    // Not ours any more: a second release leaves the app's manager alone.
    expect(cm.releaseContextManager()).toBe(false);
    expect(isGlobal(app)).toBe(true);
    await t.tracer.shutdown();
  });

  it('is exported from the package entry point', async () => {
    const sdk = await import('../../src/index');
    expect(sdk.releaseContextManager).toBe(cm.releaseContextManager);
  });

  it('contextManager: false leaves the global slot empty (spans are still recorded)', async () => {
    const t = helpers.memoryTracer({ contextManager: false });
    expect(await nestedAcrossAwait(t)).toBe(false);
    expect(cm.hasWorkingContextManager()).toBe(false);
    expect(t.spans()).toHaveLength(2);
    await t.tracer.shutdown();
  });

  it('withSession and extractContext install it too, before any span', async () => {
    const t = helpers.memoryTracer();
    t.tracer.withSession('s-1', () => undefined);
    expect(cm.isSdkContextManagerActive()).toBe(true);
    await t.tracer.shutdown();

    vi.resetModules();
    context.disable();
    const fresh = await import('../../src/core/context-manager');
    const t2 = (await import('./helpers')).memoryTracer();
    t2.tracer.extractContext({});
    expect(fresh.isSdkContextManagerActive()).toBe(true);
    await t2.tracer.shutdown();
  });
});
