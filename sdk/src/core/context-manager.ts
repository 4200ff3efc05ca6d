/**
 * Async context for spans and sessions. OpenTelemetry's API has no context manager by default, so
 * without one the active span is lost across `await`. We install an AsyncLocalStorage-based one
 * only when nothing is registered yet; an application's own context manager always wins.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, type ContextManager, context, ROOT_CONTEXT } from '@opentelemetry/api';

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

let ensured = false;

/** Registers the async context manager unless one exists; true when async context is available. */
export function ensureContextManager(): void {
  if (ensured) return;
  ensured = true;
  // setGlobalContextManager refuses (returns false) when a manager is already registered.
  context.setGlobalContextManager(new AsyncLocalContextManager());
}
