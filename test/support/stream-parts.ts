/** What a fake ProviderModel's doStream answers: the given parts, in order, then the end of the stream. */
import type { StreamPart } from '../../lambdas/domain/proxy/sdk-types';

export function streamOf(parts: StreamPart[]): { stream: ReadableStream<StreamPart> } {
  return {
    stream: new ReadableStream<StreamPart>({
      start: (controller) => {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    }),
  };
}
