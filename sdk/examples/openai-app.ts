/**
 * An application calling an OpenAI-compatible model through the real `openai` client, traced by
 * the OpenInference OpenAI instrumentation registered with a WaggleTracer. The model is a loopback
 * fake and Waggle is the in-process local platform (unless WAGGLE_SERVER_URL and WAGGLE_API_KEY
 * are set), so it runs anywhere: `npx tsx sdk/examples/openai-app.ts`.
 */
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { enrichSpan, WaggleTracer } from '@waggle/sdk';
import OpenAI from 'openai';
import { startFakeOpenAI } from './fake-openai-server';
import { type ExportedEvent, openBackend, runIfMain } from './waggle-backend';

export interface OpenAIAppResult {
  answer: string;
  sessionId: string;
  events: ExportedEvent[];
}

export async function main(log: (line: string) => void = console.log): Promise<OpenAIAppResult> {
  const fake = await startFakeOpenAI();
  const backend = await openBackend();
  const tracer = new WaggleTracer({
    apiKey: backend.apiKey,
    serverUrl: backend.serverUrl,
    project: process.env.WAGGLE_PROJECT || 'default',
    source: 'example-openai-app',
    sessionName: 'support chat',
  });
  const instrumentation = new OpenAIInstrumentation();
  try {
    // The openai client is imported as ESM, which require hooks never see: patch it by hand.
    instrumentation.manuallyInstrument(OpenAI);
    tracer.registerInstrumentations([instrumentation]);

    const openai = new OpenAI({ apiKey: 'sk-local-fake', baseURL: fake.baseURL, maxRetries: 0 });
    const answerQuestion = tracer.trace(
      async function answerQuestion(question: string) {
        enrichSpan({ metadata: { channel: 'example' } });
        const completion = await openai.chat.completions.create({
          model: 'gpt-4o-mini',
          temperature: 0,
          messages: [
            { role: 'system', content: 'You answer customer questions briefly.' },
            { role: 'user', content: question },
          ],
        });
        return completion.choices[0]?.message.content ?? '';
      },
      { eventType: 'chain' },
    );

    const answer = await answerQuestion('How long do refunds take?');
    const sessionId = tracer.getSessionId();
    if (sessionId === undefined) throw new Error('the tracer is disabled: check the configuration warning');
    if (!(await tracer.flush(10_000))) throw new Error('spans were not exported within 10 s');

    const events = await backend.waitForEvents(
      sessionId,
      (found) => found.some((e) => e.event_type === 'model') && found.some((e) => e.event_type === 'chain'),
    );
    log(`answer: ${answer}`);
    log(`session ${sessionId}: ${events.length} events`);
    for (const event of events) {
      const tokens = `${event.prompt_tokens ?? '-'}/${event.completion_tokens ?? '-'}/${event.total_tokens ?? '-'}`;
      log(
        `  ${event.event_type.padEnd(7)} ${event.event_name.padEnd(24)} model=${event.model ?? '-'} ` +
          `tokens(prompt/completion/total)=${tokens} cost=${event.cost ?? '-'}`,
      );
    }
    return { answer, sessionId, events };
  } finally {
    instrumentation.disable();
    await tracer.shutdown(5_000);
    await fake.close();
    await backend.close();
  }
}

runIfMain(import.meta.url, main);
