/**
 * Loads the reference OpenTelemetry .proto files with protobufjs, for the benchmark's generic decoder and
 * the tests' oracle. The files are read at run time from the shared reference tree beside the repository.
 */
import path from 'node:path';
import protobuf from 'protobufjs';
import { sharedReference } from '../../test/support/shared-reference';

const PROTO_ROOT = sharedReference('opentelemetry-proto');
const TRACE_SERVICE_PROTO = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';

export interface OtlpProtoTypes {
  exportTraceServiceRequest: protobuf.Type;
  exportTraceServiceResponse: protobuf.Type;
}

let cached: OtlpProtoTypes | undefined;

export function loadOtlpProtoTypes(): OtlpProtoTypes {
  if (cached) return cached;
  const root = new protobuf.Root();
  // Imports in the OTLP files are relative to the proto root, not to the importing file.
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target));
  root.loadSync(TRACE_SERVICE_PROTO);
  root.resolveAll();
  cached = {
    exportTraceServiceRequest: root.lookupType(
      'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
    ),
    exportTraceServiceResponse: root.lookupType(
      'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
    ),
  };
  return cached;
}
