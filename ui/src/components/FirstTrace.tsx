import { Link } from '@tanstack/react-router';
import type { DataPlaneEntry } from '../api/types';
import { CopyButton } from './CopyButton';

/** How to send the first trace: the plane's OTLP endpoints and an environment block to paste. */
export function FirstTrace({ plane, projectId }: { plane: DataPlaneEntry; projectId: string }) {
  const env = [
    `export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${plane.otlpEndpoint}`,
    'export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
    'export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <your API key>"',
  ].join('\n');
  return (
    <section className="card empty" aria-labelledby="first-trace">
      <h2 id="first-trace">Send your first trace</h2>
      <p>
        Point any OpenTelemetry SDK or Collector at this data plane. Traces of LLM calls become events,
        grouped into sessions.
      </p>
      <dl className="endpoints">
        <dt>OTLP/HTTP traces endpoint</dt>
        <dd>
          <code data-testid="otlp-endpoint">{plane.otlpEndpoint}</code>{' '}
          <CopyButton text={plane.otlpEndpoint} label="Copy endpoint" />
        </dd>
        {plane.grpcEndpoint ? (
          <>
            <dt>OTLP/gRPC endpoint</dt>
            <dd>
              <code>{plane.grpcEndpoint}</code>{' '}
              <CopyButton text={plane.grpcEndpoint} label="Copy gRPC endpoint" />
            </dd>
          </>
        ) : null}
      </dl>
      <p>Set these in your application's environment:</p>
      <pre className="code-block">
        <code>{env}</code>
      </pre>
      <CopyButton text={env} label="Copy environment" />
      <p>
        Replace <code>&lt;your API key&gt;</code> with a key of this project:{' '}
        <Link to="/projects/$projectId/admin" params={{ projectId }} search={{ tab: 'keys' }}>
          create an API key in Admin
        </Link>
        .
      </p>
    </section>
  );
}
