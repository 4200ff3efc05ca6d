/**
 * Datasets as JSONL and CSV files (lambdas/domain/datasets/file-formats.ts): what is exported imports
 * back to the same contents, for any datapoints (a property over hostile strings: quotes, commas,
 * newlines, unicode, JSON look-alikes, formula prefixes), no exported CSV cell can start a formula,
 * and malformed files are refused naming the line or row.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCell,
  encodeCell,
  exportFile,
  exportFileName,
  importFile,
  MAX_IMPORT_CONTENT_BYTES,
  MAX_IMPORTED_ROWS,
} from '../../../lambdas/domain/datasets/file-formats';
import type { DatapointRecord, DatasetFileFormat } from '../../../lambdas/domain/datasets/model';
import { type DatapointMapping, parseImportRequest } from '../../../lambdas/domain/datasets/requests';
import type { JsonObject } from '../../../lambdas/domain/events/event';
import { contentsOf, datapointContents } from '../../support/dataset-arbitraries';

let next = 0;
const datapoint = datapointContents.map(
  (contents): DatapointRecord => ({
    id: (next++).toString(16).padStart(24, '0'),
    project_id: 'p1',
    ...contents,
    linked_evals: [],
    linked_datasets: [],
    saved: true,
    type: 'evaluation',
    created_at: 0,
    updated_at: 0,
  }),
);

describe('export then import', () => {
  for (const format of ['jsonl', 'csv'] as const)
    it(`gives back the same contents as ${format}, whatever the strings`, () => {
      fc.assert(
        fc.property(fc.array(datapoint, { minLength: 1, maxLength: 5 }), (datapoints) => {
          const file = exportFile(format, datapoints);
          const imported = importFile(format, file, undefined);
          expect(imported.map(contentsOf)).toEqual(datapoints.map(contentsOf));
        }),
        { numRuns: 300 },
      );
    });

  it('never writes a CSV cell that a spreadsheet would run as a formula', () => {
    fc.assert(
      fc.property(fc.array(datapoint, { minLength: 1, maxLength: 4 }), (datapoints) => {
        const rows = parse(exportFile('csv', datapoints)) as string[][];
        for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      }),
      { numRuns: 200 },
    );
  });

  it('writes plain strings as they are, and everything ambiguous as JSON', () => {
    expect(encodeCell('Paris')).toBe('Paris');
    expect(encodeCell('42')).toBe('"42"');
    expect(encodeCell(42)).toBe('42');
    expect(encodeCell('')).toBe('""');
    expect(encodeCell(undefined)).toBe('');
    expect(encodeCell('=1+1')).toBe("'=1+1");
    expect(encodeCell(-5)).toBe("'-5");
    expect(encodeCell("'=1")).toBe('"\'=1"');
    expect(encodeCell({ a: [1] })).toBe('{"a":[1]}');
    expect(encodeCell('\ud800x')).toBe('"\\ud800x"');
    for (const value of ['\ud800x', "'=1", -5, '=1+1', '', 'Paris', { a: 1 }])
      expect(decodeCell(encodeCell(value))).toEqual(value);
  });

  it('writes one JSON object a line, and a CSV header of the flattened keys', () => {
    const [point] = fc.sample(datapoint, 1) as [DatapointRecord];
    const record = {
      ...point,
      inputs: { q: 'a,b' },
      ground_truth: { a: 1 },
      history: [],
      metadata: { n: '=x' },
    };
    expect(exportFile('jsonl', [record])).toBe(
      `${JSON.stringify({ id: record.id, inputs: { q: 'a,b' }, ground_truth: { a: 1 }, history: [], metadata: { n: '=x' } })}\n`,
    );
    expect(exportFile('csv', [record])).toBe(
      `id,inputs.q,ground_truth.a,history,metadata.n\n${record.id},"a,b",1,[],'=x\n`,
    );
  });

  it('names the file safely', () => {
    expect(exportFileName('../../etc/passwd"\r\n', 'csv')).toBe('etc_passwd_.csv');
    expect(exportFileName('Résumé tests', 'jsonl', 3)).toBe('Re_sume_tests-v3.jsonl');
    expect(exportFileName('???', 'csv')).toBe('dataset.csv');
  });
});

describe('import with a mapping', () => {
  const mapping = { inputs: ['question'], ground_truth: ['answer'], history: ['chat'] };

  it('maps JSONL fields as addDatapoints does, keeping every other field as metadata', () => {
    const file = [
      JSON.stringify({
        question: 'Capital of France?',
        answer: 'Paris',
        chat: [{ role: 'user', content: 'hi' }],
        note: 1,
      }),
      '',
      JSON.stringify({ question: 'Capital of Peru?', answer: 'Lima' }),
    ].join('\r\n');
    expect(importFile('jsonl', file, mapping).map(contentsOf)).toEqual([
      {
        inputs: { question: 'Capital of France?' },
        ground_truth: { answer: 'Paris' },
        history: [{ role: 'user', content: 'hi' }],
        metadata: { note: 1 },
      },
      {
        inputs: { question: 'Capital of Peru?' },
        ground_truth: { answer: 'Lima' },
        history: [],
        metadata: {},
      },
    ]);
  });

  it('maps CSV columns, cells as strings and a history column as JSON', () => {
    const file =
      '\ufeffquestion,answer,chat,note\r\n"Capital, of France?",Paris,"[{""role"":""user""}]",42\r\nPeru?,Lima,,\r\n';
    expect(importFile('csv', file, mapping).map(contentsOf)).toEqual([
      {
        inputs: { question: 'Capital, of France?' },
        ground_truth: { answer: 'Paris' },
        history: [{ role: 'user' }],
        metadata: { note: '42' },
      },
      {
        inputs: { question: 'Peru?' },
        ground_truth: { answer: 'Lima' },
        history: [],
        metadata: { note: '' },
      },
    ]);
  });

  it('maps only fields a row has itself, never its prototype', () => {
    const file = `${JSON.stringify({ q: 1, toString: 'mine' })}\n${JSON.stringify({ q: 2 })}`;
    const imported = importFile('jsonl', file, {
      inputs: ['q', 'toString'],
      ground_truth: [],
      history: [],
    });
    const expected: JsonObject[] = [{ q: 1, toString: 'mine' }, { q: 2 }];
    expect(imported.map((point) => point.inputs)).toEqual(expected);
  });

  it('takes JSONL lines in the export shape as they are, other fields into the metadata', () => {
    const line = { id: 'old', inputs: { q: 1 }, extra: 'x', metadata: { m: 2 } };
    expect(importFile('jsonl', JSON.stringify(line), undefined).map(contentsOf)).toEqual([
      { inputs: { q: 1 }, ground_truth: {}, history: [], metadata: { m: 2, extra: 'x' } },
    ]);
  });
});

describe('malformed files are refused, naming where', () => {
  const tooMany = (format: DatasetFileFormat) =>
    format === 'jsonl'
      ? Array.from({ length: MAX_IMPORTED_ROWS + 1 }, (_, i) => JSON.stringify({ inputs: { i } })).join('\n')
      : `inputs.i\n${Array.from({ length: MAX_IMPORTED_ROWS + 1 }, (_, i) => String(i)).join('\n')}`;
  const csvMapping: DatapointMapping = { inputs: ['q'], ground_truth: [], history: [] };
  const cases: [string, DatasetFileFormat, string, DatapointMapping | undefined, RegExp][] = [
    ['a broken JSONL line', 'jsonl', '{"inputs":{}}\n\n{"inputs": {', undefined, /^line 3 is not JSON/],
    [
      'a JSONL line that is no object',
      'jsonl',
      '{"inputs":{}}\n[1]',
      undefined,
      /^line 2 is an array, not a JSON object/,
    ],
    [
      'a JSONL line without inputs, no mapping',
      'jsonl',
      '{"q":1}',
      undefined,
      /^line 1 has no inputs object: give a mapping/,
    ],
    [
      'JSONL history that is no list',
      'jsonl',
      '{"inputs":{},"history":{"a":1}}',
      undefined,
      /^line 1: history must be a list/,
    ],
    [
      'a metadata clash',
      'jsonl',
      '{"inputs":{},"a":1,"metadata":{"a":2}}',
      undefined,
      /"a" is also a key of its metadata/,
    ],
    [
      'a JSONL mapping naming no field',
      'jsonl',
      '{"q":1}',
      { inputs: ['question'], ground_truth: [], history: [] },
      /mapping.inputs names "question", which is no column of any line/,
    ],
    [
      'a JSONL history field that is no list',
      'jsonl',
      '{"q":1}\n{"h":"x"}',
      { inputs: ['q'], ground_truth: [], history: ['h'] },
      /^line 2\.h is mapped to history/,
    ],
    ['an empty file', 'jsonl', '\n\n', undefined, /the file has no rows/],
    ['a CSV header only', 'csv', 'q\n', csvMapping, /the file has no rows/],
    [
      'duplicate CSV headers',
      'csv',
      'q,a,q\n1,2,3\n',
      csvMapping,
      /CSV header names "q" twice \(columns 1 and 3\)/,
    ],
    ['an unnamed CSV column', 'csv', 'q,\n1,2\n', csvMapping, /column 2 has no name/],
    [
      'a CSV mapping naming no column',
      'csv',
      'question\nx\n',
      csvMapping,
      /mapping.inputs names "q", which is no column of the CSV header/,
    ],
    [
      'a CSV row of the wrong length',
      'csv',
      'q,a\n1,2\n3\n',
      csvMapping,
      /^CSV: Invalid Record Length: expect 2, got 1 on line 3/,
    ],
    ['an unclosed CSV quote', 'csv', 'q\n"abc\n', csvMapping, /^CSV: Quote Not Closed/],
    [
      'a CSV history cell that is not JSON',
      'csv',
      'q,h\n1,[oops\n',
      { inputs: ['q'], ground_truth: [], history: ['h'] },
      /^row 1 \(line 2\), column h is mapped to history but is not JSON/,
    ],
    [
      'a CSV history cell nested too deep',
      'csv',
      `q,h\n1,${'['.repeat(100)}${']'.repeat(100)}\n`,
      { inputs: ['q'], ground_truth: [], history: ['h'] },
      /^row 1 \(line 2\) is nested deeper than/,
    ],
    [
      'a JSONL line nested too deep',
      'jsonl',
      `{"inputs":${'['.repeat(100)}${']'.repeat(100)}}`,
      undefined,
      /^line 1 is nested deeper than/,
    ],
    [
      'a foreign CSV column, no mapping',
      'csv',
      'id,question\n1,x\n',
      undefined,
      /CSV column "question" is not one of an export's .*give a mapping/,
    ],
    [
      'an exported CSV history that is no list',
      'csv',
      'inputs.q,history\n1,{}\n',
      undefined,
      /^row 1 \(line 2\): history must be a list/,
    ],
    ['more than 10,000 JSONL rows', 'jsonl', tooMany('jsonl'), undefined, /more than 10000 rows/],
    ['more than 10,000 CSV rows', 'csv', tooMany('csv'), undefined, /more than 10000 rows/],
    [
      'a file over the size limit',
      'jsonl',
      'x'.repeat(MAX_IMPORT_CONTENT_BYTES + 1),
      undefined,
      /above 4194304 \(a Lambda request payload is at most 6 MB\)/,
    ],
  ];
  for (const [name, format, file, mapping, error] of cases)
    it(name, () => {
      expect(() => importFile(format, file, mapping)).toThrow(error);
    });

  it('refuses import requests that are not well-formed', () => {
    expect(() => parseImportRequest({ format: 'xlsx', content: '' })).toThrow(
      /format must be one of: jsonl, csv/,
    );
    expect(() => parseImportRequest({ content: '' })).toThrow(/format is required/);
    expect(() => parseImportRequest({ format: 'csv' })).toThrow(/content is required/);
    expect(() => parseImportRequest({ format: 'csv', content: 1 })).toThrow(/content must be a string/);
    expect(() => parseImportRequest({ format: 'csv', content: '', mapping: { input: [] } })).toThrow(
      /mapping has unknown fields: input/,
    );
    expect(() => parseImportRequest({ format: 'csv', content: '', extra: 1 })).toThrow(
      /unknown fields: extra/,
    );
  });
});
