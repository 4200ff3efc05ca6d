// Type-checked (tsc --noEmit, NodeNext) against the installed package's `import` types.
import {
  defineTracerConfig,
  type EventType,
  enrichSpan,
  type TracerOptions,
  WaggleTracer,
} from '@waggle/sdk';

const config = defineTracerConfig({ project: 'packed', protocol: 'protobuf' });
const options: TracerOptions = { config, apiKey: 'wgl_packed' };
const tracer: WaggleTracer = new WaggleTracer(options);
const greet: (name: string) => Promise<string> = tracer.trace(async (name: string) => {
  enrichSpan({ metadata: { loadedWith: 'import' } });
  return `hello ${name}`;
});
const kind: EventType = 'tool';
const flushed: Promise<boolean> = tracer.flush();

// @ts-expect-error the types are real: 'xml' is not an export protocol
new WaggleTracer({ protocol: 'xml' });

export { flushed, greet, kind };
