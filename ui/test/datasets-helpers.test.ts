import { describe, expect, it } from 'vitest';
import { createApiClient } from '../src/api/client';
import type { WaggleEvent } from '../src/api/types';
import { fileNameOf } from '../src/components/download';
import { checkDraft } from '../src/datasets/DatapointEditor';
import { datapointFromEvent } from '../src/datasets/from-event';
import { columnList, formatOfFileName, mappingOf } from '../src/datasets/ImportPanel';
import { jsonText, parseJsonObject, parseJsonObjectList, shortJson } from '../src/datasets/json-text';
import { CONFIG, scriptedFetch } from './support';

describe('JSON typed into the datapoint editor', () => {
  it('takes objects and lists of objects; an empty box is empty', () => {
    expect(parseJsonObject(' {"a": [1, {"b": null}]} ')).toEqual({ value: { a: [1, { b: null }] } });
    expect(parseJsonObject('  \n')).toEqual({ value: {} });
    expect(parseJsonObjectList('[{"role": "user"}]')).toEqual({ value: [{ role: 'user' }] });
    expect(parseJsonObjectList('')).toEqual({ value: [] });
  });

  it('refuses malformed JSON and the wrong shape, saying which', () => {
    for (const text of ['{"a": 1', "{'a': 1}", '{"a": 1,}', 'undefined', '{"a": 1}}'])
      expect(parseJsonObject(text).error).toMatch(/^Not valid JSON: /);
    for (const text of ['[]', '"text"', '42', 'null', 'true', '[{"a": 1}]'])
      expect(parseJsonObject(text).error).toMatch(/^Must be a JSON object/);
    for (const text of ['{}', '[1]', '[{"a": 1}, null]', '[[]]', '"x"'])
      expect(parseJsonObjectList(text).error).toMatch(/^Must be a JSON list of objects/);
  });

  it('keeps keys that look like prototype names as plain data', () => {
    const parsed = parseJsonObject('{"__proto__": {"polluted": true}, "constructor": 1}');
    expect(Object.keys(parsed.value ?? {})).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks a whole draft: inputs required, every box valid, nothing built otherwise', () => {
    const good = { inputs: '{"q": "x"}', groundTruth: '', history: '', metadata: '{"k": 1}' };
    expect(checkDraft(good)).toEqual({
      errors: {},
      body: { inputs: { q: 'x' }, ground_truth: {}, history: [], metadata: { k: 1 } },
    });
    expect(checkDraft({ ...good, inputs: '{}' }).errors.inputs).toMatch(/needs inputs/);
    const bad = checkDraft({ inputs: '{', groundTruth: '[]', history: '{}', metadata: '1' });
    expect(bad.body).toBeUndefined();
    expect(Object.keys(bad.errors).sort()).toEqual(['groundTruth', 'history', 'inputs', 'metadata']);
  });

  it('shows values back as indented JSON, and short in a table cell', () => {
    expect(jsonText({})).toBe('');
    expect(jsonText([])).toBe('');
    expect(jsonText({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(shortJson({ a: 'x'.repeat(200) }, 20)).toBe(`{"a":"${'x'.repeat(13)}…`);
    expect(shortJson({})).toBe('');
  });
});

describe('the import form', () => {
  it('reads the mapping boxes; none filled means the export shape', () => {
    expect(columnList(' q , ,a,')).toEqual(['q', 'a']);
    expect(mappingOf('q', 'a', '')).toEqual({ inputs: ['q'], ground_truth: ['a'], history: [] });
    expect(mappingOf(' ', '', ' , ')).toBeUndefined();
  });

  it('tells the format by the file name', () => {
    expect(formatOfFileName('cases.CSV')).toBe('csv');
    expect(formatOfFileName('cases.jsonl')).toBe('jsonl');
    expect(formatOfFileName('cases.ndjson')).toBe('jsonl');
    expect(formatOfFileName('cases.xlsx')).toBeUndefined();
  });
});

describe('the name of an exported file', () => {
  it('keeps letters, digits, - _ and . only, never a path or nothing', () => {
    expect(fileNameOf('capitals v2')).toBe('capitals-v2');
    expect(fileNameOf('../../etc/passwd')).toBe('..-..-etc-passwd');
    expect(fileNameOf('a\\b:c*?"<>|')).toBe('a-b-c');
    expect(fileNameOf('///')).toBe('dataset');
    expect(fileNameOf('x'.repeat(300))).toHaveLength(80);
    expect(fileNameOf('données')).toBe('donn-es');
  });
});

describe('an event as a datapoint', () => {
  const event: WaggleEvent = {
    project: 'default',
    event_id: 'e1',
    session_id: 's1',
    event_type: 'model',
    event_name: 'generate',
    start_time: 0,
    end_time: 1,
    duration: 1,
    inputs: { chat_history: [{ role: 'user', content: 'hi' }] },
    outputs: { role: 'assistant', content: 'hello' },
  };

  it('copies inputs to inputs and outputs to ground truth, linked to the event and the dataset', () => {
    expect(datapointFromEvent(event, 'd'.repeat(24))).toEqual({
      body: {
        inputs: event.inputs,
        ground_truth: event.outputs,
        linked_event: 'e1',
        linked_datasets: ['d'.repeat(24)],
        metadata: { event_type: 'model', event_name: 'generate', session_id: 's1' },
      },
    });
  });

  it('takes an event without sections as empty ones', () => {
    const { inputs: _inputs, outputs: _outputs, ...bare } = event;
    expect(datapointFromEvent(bare, 'd').body).toMatchObject({ inputs: {}, ground_truth: {} });
  });

  it('refuses an event whose values the read API cut, even deep inside', () => {
    const cut = { _truncated: true, _preview: 'abc', _bytes: 2_000_000 };
    expect(datapointFromEvent({ ...event, outputs: cut as never }, 'd').error).toMatch(/too large/);
    expect(datapointFromEvent({ ...event, inputs: { messages: [{ content: cut }] } }, 'd').error).toMatch(
      /too large/,
    );
  });
});

describe('the datasets and runs calls', () => {
  const TARGET = { dataPlaneId: 'local', projectId: 'p1' };
  const token = {
    'POST http://cp.test/v1/tokens': {
      body: {
        token: 't',
        expires_at: new Date(Date.now() + 900_000).toISOString(),
        role: 'member',
        project_id: 'p1',
      },
    },
  };

  it('reads datapoints by id 100 to a request, in order', async () => {
    const ids = Array.from({ length: 250 }, (_, index) => index.toString(16).padStart(24, '0'));
    const api = scriptedFetch({
      ...token,
      'GET http://dp.test/v1/datapoints': (call) => ({
        body: {
          datapoints: (new URL(call.url).searchParams.get('datapoint_ids') ?? '')
            .split(',')
            .map((id) => ({ _id: id })),
        },
      }),
    });
    const client = createApiClient({
      config: CONFIG,
      fetch: api.fetch,
      idToken: () => 'id',
      onUnauthorized() {},
    });
    const read = await client.datapointsById(TARGET, ids);
    expect(read.map((datapoint) => datapoint._id)).toEqual(ids);
    expect(
      api
        .of('GET', '/v1/datapoints')
        .map((call) => new URL(call.url).searchParams.get('datapoint_ids')?.split(',').length),
    ).toEqual([100, 100, 50]);
  });

  it('keeps an export as the text it is, even a one-line JSONL that would parse', async () => {
    const line = '{"id":"x","inputs":{"q":1}}';
    const fetch = async (input: string) =>
      input.startsWith('http://cp.test')
        ? new Response(JSON.stringify(token['POST http://cp.test/v1/tokens'].body))
        : new Response(`${line}\n`, { headers: { 'content-type': 'application/x-ndjson' } });
    const client = createApiClient({ config: CONFIG, fetch, idToken: () => 'id', onUnauthorized() {} });
    expect(await client.exportDataset(TARGET, 'd1', 'jsonl', 2)).toBe(`${line}\n`);
  });

  it("names the run's aggregate function and both runs of a comparison in the path", async () => {
    const api = scriptedFetch({
      ...token,
      'GET http://dp.test/v1/runs/new%2Frun/compare-with/old': {
        body: { metrics: [], commonDatapoints: [] },
      },
    });
    const client = createApiClient({
      config: CONFIG,
      fetch: api.fetch,
      idToken: () => 'id',
      onUnauthorized() {},
    });
    await client.compareRuns(TARGET, 'new/run', 'old', 'median');
    expect(api.calls.at(-1)?.url).toBe(
      'http://dp.test/v1/runs/new%2Frun/compare-with/old?aggregate_function=median',
    );
  });
});
