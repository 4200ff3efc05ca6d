/**
 * Resource attributes shared by every tracer of the process: environment and git are detected
 * once (file reads, no shell-out) and reused, so a new tracer instance costs no detection work.
 */
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { environmentResourceAttributes, processEnvironment } from '../infra/environment';
import { detectGit, gitResourceAttributes } from '../utils/git';

let processAttributes: Record<string, string | number | boolean> | undefined;

function detectProcessAttributes(): Record<string, string | number | boolean> {
  try {
    return { ...environmentResourceAttributes(processEnvironment()), ...gitResourceAttributes(detectGit()) };
  } catch {
    return {};
  }
}

export function tracerResource(serviceName: string, sdkName: string, sdkVersion: string): Resource {
  processAttributes ??= detectProcessAttributes();
  return resourceFromAttributes({
    ...processAttributes,
    'service.name': serviceName,
    'telemetry.sdk.name': sdkName,
    'telemetry.sdk.version': sdkVersion,
    'telemetry.sdk.language': 'nodejs',
  });
}
