/**
 * What the provider tests do with the AI SDK against a fake: the weather tool they script calls to,
 * one prompt through generateText and streamText alike, and a stream read to its end with the
 * errors onError was handed.
 */
import { generateText, jsonSchema, type LanguageModel, streamText, tool } from 'ai';
import { readStream, type StreamRead } from './read-stream';

export const weatherTools = {
  get_weather: tool({
    description: 'The weather in a city',
    inputSchema: jsonSchema<{ city: string }>({
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    }),
  }),
};

/** The prompt, with the weather tool, through generateText and then streamText: each one's answer. */
export async function generateAndStream(model: LanguageModel, prompt: string) {
  const generated = await generateText({ model, prompt, tools: weatherTools });
  const streamed = streamText({ model, prompt, tools: weatherTools });
  return [
    { text: generated.text, toolCalls: generated.toolCalls, finishReason: generated.finishReason },
    {
      text: await streamed.text,
      toolCalls: await streamed.toolCalls,
      finishReason: await streamed.finishReason,
    },
  ];
}

/** streamText's answer read through its text stream: the text, in how many pieces, the finish reason and usage. */
export async function streamedAnswer(options: { model: LanguageModel; system: string; prompt: string }) {
  const result = streamText(options);
  const pieces: string[] = [];
  for await (const piece of result.textStream) pieces.push(piece);
  return {
    text: pieces.join(''),
    pieces: pieces.length,
    finishReason: await result.finishReason,
    usage: await result.usage,
  };
}

/** streamText without retries, read to its end or failure, with the errors it handed to onError. */
export async function streamReportingErrors(
  model: LanguageModel,
  prompt: string,
): Promise<StreamRead & { reported: unknown[] }> {
  const reported: unknown[] = [];
  const result = streamText({
    model,
    prompt,
    maxRetries: 0,
    onError: ({ error }) => void reported.push(error),
  });
  return { ...(await readStream(result.fullStream)), reported };
}
