/**
 * Async context for spans and sessions. OpenTelemetry's API has no context manager by default, so
 * without one the active span (and the session) is lost across `await` and nested spans have no
 * parent. The tracer therefore installs an AsyncLocalStorage-based manager, with three guards so
 * an application that brings its own is never broken:
 * - lazily, at the first span or scoped context, not at construction: an app that creates the
 *   tracer and then starts its own OpenTelemetry SDK keeps its manager;
 * - only when none is registered (checked first, so OpenTelemetry logs no duplicate error);
 * - releasable: releaseContextManager() hands the slot back for a manager registered later.
 * `contextManager: false` turns it off.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Context,
  type ContextManager,
  context,
  createContextKey,
  ROOT_CONTEXT,
} from '@opentelemetry/api';

export class AsyncLocalContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (fn: (...a: unknown[]) => unknown, self: unknown, a: unknown[]) =>
      this.storage.run(ctx, () => fn.apply(self, a));
    const fn = target as unknown as (...a: unknown[]) => unknown;
    return function (this: unknown, ...a: unknown[]) {
      return run(fn, this, a);
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

const PROBE = ROOT_CONTEXT.setValue(createContextKey('waggle.context-probe'), true);

/** Whether `context.with` really scopes a context, i.e. some working manager is registered. */
export function hasWorkingContextManager(): boolean {
  try {
    return context.with(PROBE, () => context.active() === PROBE);
  } catch {
    return false;
  }
}

let attempted = false;
let installed: AsyncLocalContextManager | undefined;

/** True when the global context manager is the one this SDK installed. */
export function isSdkContextManagerActive(): boolean {
  const ours = installed;
  if (ours === undefined) return false;
  try {
    // Only our own AsyncLocalStorage can make context.active() see a context set through `ours`.
    return ours.with(PROBE, () => context.active() === PROBE);
  } catch {
    return false;
  }
}

/**
 * Installs the SDK's manager unless one works already; runs once per process. Returns true when
 * this call installed it (for verbose logging).
 */
export function ensureContextManager(): boolean {
  if (attempted) return false;
  attempted = true;
  try {
    if (hasWorkingContextManager()) return false;
    const candidate = new AsyncLocalContextManager();
    if (!context.setGlobalContextManager(candidate)) return false;
    installed = candidate;
    return true;
  } catch {
    return false;
  }
}

/**
 * Unregisters the SDK's context manager so the application can register its own (OpenTelemetry
 * refuses a second registration). False when the registered manager is not the SDK's. The SDK
 * does not install one again afterwards.
 */
export function releaseContextManager(): boolean {
  attempted = true;
  if (!isSdkContextManagerActive()) return false;
  try {
    context.disable();
    installed = undefined;
    return true;
  } catch {
    return false;
  }
}
