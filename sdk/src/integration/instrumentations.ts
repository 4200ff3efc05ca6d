/**
 * Third-party instrumentations (OpenInference, OpenLLMetry/Traceloop, OpenTelemetry's own) pointed
 * at one tracer's provider, so their spans get that tracer's session stamp and export pipeline. The
 * global provider is never set here: instrumentations receive the provider explicitly.
 *
 * The interface is structural rather than imported from @opentelemetry/instrumentation, so the SDK
 * does not depend on that package and accepts instrumentations built on any of its versions.
 */
import type { TracerProvider } from '@opentelemetry/api';

/** What Waggle needs from an instrumentation; every OpenTelemetry `Instrumentation` satisfies it. */
export interface InstrumentationLike {
  instrumentationName?: string;
  setTracerProvider(tracerProvider: TracerProvider): void;
  enable?(): void;
  getConfig?(): { enabled?: boolean } | undefined;
}

export interface RegisterResult {
  /** Names of the instrumentations now sending spans to the provider. */
  registered: string[];
  /** One entry per instrumentation that failed; it is left as it was and the others still register. */
  failed: { name: string; error: unknown }[];
}

/**
 * Gives each instrumentation the provider and enables it if it is not already (what
 * registerInstrumentations does, minus the global meter/logger providers Waggle does not own).
 * Never throws: one broken instrumentation must not stop the others or reach the application.
 */
export function registerWithProvider(
  provider: TracerProvider,
  instrumentations: readonly InstrumentationLike[],
  onError: (error: unknown) => void,
): RegisterResult {
  const result: RegisterResult = { registered: [], failed: [] };
  let list: readonly InstrumentationLike[];
  try {
    list = Array.isArray(instrumentations) ? instrumentations.flat() : [];
  } catch (error) {
    onError(error);
    return result;
  }
  for (const instrumentation of list) {
    const name = nameOf(instrumentation);
    try {
      instrumentation.setTracerProvider(provider);
      // Instrumentations enable themselves in their constructor by default; enabling twice would
      // add a second set of module hooks.
      if (instrumentation.getConfig?.()?.enabled !== true) instrumentation.enable?.();
      result.registered.push(name);
    } catch (error) {
      result.failed.push({ name, error });
      onError(new Error(`instrumentation ${name} could not be registered: ${describe(error)}`));
    }
  }
  return result;
}

function nameOf(instrumentation: unknown): string {
  try {
    const name = (instrumentation as InstrumentationLike | undefined)?.instrumentationName;
    return typeof name === 'string' && name.length > 0 ? name : 'unnamed instrumentation';
  } catch {
    return 'unnamed instrumentation';
  }
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'unprintable error';
  }
}
