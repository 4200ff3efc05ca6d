import { type Attributes, ROOT_CONTEXT, type Tracer, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanLimits,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/** Runs `produce` with a tracer of a private provider and returns the finished spans. */
export async function recordSpans(
  produce: (tracer: Tracer) => void | Promise<void>,
  resource: Record<string, string> = { 'service.name': 'test-service' },
): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  await produce(provider.getTracer('waggle-tests', '1.0.0'));
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

/**
 * The spans `produce` ends, taken at once: a simple processor hands each to the in-memory exporter
 * as it ends. The resource, the tracer's name and version and the span limits are the test's.
 */
export function recordSpansNow(
  produce: (tracer: Tracer) => void,
  options: { resource: Attributes; tracer: [name: string, version: string]; spanLimits?: SpanLimits },
): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(options.resource),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    ...(options.spanLimits ? { spanLimits: options.spanLimits } : {}),
  });
  produce(provider.getTracer(...options.tracer));
  const spans = exporter.getFinishedSpans();
  // Shutting down clears the in-memory exporter, so only after the spans are taken.
  void provider.shutdown();
  return spans;
}

/** Options of an OTLP/HTTP trace exporter (protobuf or JSON) that sends to a local platform with its API key. */
export function otlpHttpTo(platform: { url: string; apiKey: string }) {
  return { url: `${platform.url}/v1/traces`, headers: { Authorization: `Bearer ${platform.apiKey}` } };
}

/**
 * Runs `produce` with a tracer (named `tracerName`, of service `service`) whose spans go to
 * `exporter` as each ends, then flushes and shuts the provider down.
 */
export async function exportSpans(
  exporter: SpanExporter,
  produce: (tracer: Tracer) => void,
  service: string,
  tracerName: string,
): Promise<void> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  produce(provider.getTracer(tracerName));
  await provider.forceFlush();
  await provider.shutdown();
}

/** A small GenAI trace: a chain span with a chat model call under it. */
export function genAiTrace(tracer: Tracer): void {
  tracer.startActiveSpan('agent run', (root) => {
    // No global context manager is registered in tests, so the parent is passed explicitly.
    const llm = tracer.startSpan(
      'chat gpt-4o-mini',
      {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 1200,
          'gen_ai.usage.output_tokens': 300,
          'gen_ai.request.temperature': 0.2,
          'gen_ai.conversation.id': 'conv-42',
        },
      },
      trace.setSpan(ROOT_CONTEXT, root),
    );
    llm.end();
    root.end();
  });
}

interface AgentTraceOptions {
  model: string;
  /** gen_ai.conversation.id of every span: the session id. */
  conversation: string;
  inputTokens: number;
  outputTokens: number;
  /** More attributes of the model call (they may replace the ones above). */
  chatAttributes?: Record<string, number | string>;
}

/** An agent span with a model call and a tool call under it, in one conversation. */
export function agentTrace(options: AgentTraceOptions): (tracer: Tracer) => void {
  const { model, conversation } = options;
  return (tracer) =>
    tracer.startActiveSpan('agent', (root) => {
      const parent = trace.setSpan(ROOT_CONTEXT, root);
      const chat = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': model,
        'gen_ai.usage.input_tokens': options.inputTokens,
        'gen_ai.usage.output_tokens': options.outputTokens,
        'gen_ai.conversation.id': conversation,
        ...options.chatAttributes,
      };
      tracer.startSpan(`chat ${model}`, { attributes: chat }, parent).end();
      const search = {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'search',
        'gen_ai.conversation.id': conversation,
      };
      tracer.startSpan('search', { attributes: search }, parent).end();
      root.setAttribute('gen_ai.conversation.id', conversation);
      root.end();
    });
}
