/**
 * Waggle tracing SDK. The public surface is re-exported here; modules follow the tracer
 * architecture in ../../shared/DESIGN.md section 7 (core, infra, instrumentation, integration,
 * lifecycle, processing, utils).
 */
export const SDK_NAME = '@waggle/sdk';
export const SDK_VERSION = '0.1.0';
