/**
 * Datasets as files: JSONL (one JSON object a line) and CSV (a header, then one row a datapoint), read
 * into datapoints for `POST /datasets/{id}/import` and written from them for `GET /datasets/{id}/export`.
 *
 * Export writes each datapoint's id, inputs, ground truth, chat history and metadata. In CSV the
 * objects are flattened to one column a key (`inputs.<key>`, `ground_truth.<key>`, `metadata.<key>`),
 * `history` is one column, and each cell is unambiguous: a string is written as it is unless it would
 * read back as something else (empty, valid JSON, a leading apostrophe), in which case it is written
 * JSON-encoded like every non-string value; an empty cell means the key is absent. A cell starting with
 * = + - @ (or tab, carriage return) gets a leading apostrophe so that a spreadsheet does not run it as
 * a formula (CSV injection); reading takes it off again. So a file Waggle exported imports back to the
 * same contents (the `id` column names the exported datapoint; imported ones get new ids).
 *
 * Import reads the whole file before anything is stored: a malformed line or row, a mapping naming no
 * column, or a duplicated CSV header is a ValidationError naming it, and nothing is inserted. With a
 * mapping, each JSONL object or CSV row is a row as `addDatapoints` takes it (mapped fields become the
 * inputs, ground truth and history, every other field the metadata; CSV cells stay strings, a history
 * column must hold a JSON list of messages). Without one, the file must be in the export's shape.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { TooLargeError, ValidationError } from '../errors';
import type { JsonObject } from '../events/event';
import { setOwn } from '../events/json-path';
import { assertJsonDepth, describeType, isJsonObject } from '../honeyhive/fields';
import { DATASET_FILE_FORMATS, type DatapointRecord, type DatasetFileFormat } from './model';
import { checkDatapointSize, type DatapointInput, type DatapointMapping, datapointOfRow } from './requests';

/** What export answers with, by format. */
export const FILE_CONTENT_TYPES: Record<DatasetFileFormat, string> = {
  jsonl: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
};

/** The datapoint sections of the export, in column order. */
const SECTIONS = ['inputs', 'ground_truth', 'metadata'] as const;
type Section = (typeof SECTIONS)[number];

/** Cells a spreadsheet would run as a formula (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Lone surrogates do not survive UTF-8: such strings are written JSON-escaped. */
const LONE_SURROGATE = /\p{Cs}/u;

export function isDatasetFileFormat(value: string | undefined): value is DatasetFileFormat {
  return DATASET_FILE_FORMATS.includes(value as DatasetFileFormat);
}

// ---------------------------------------------------------------------------------------------------
// Export

/** A datapoint as one line or row of an exported file. */
export function exportedDatapoint(datapoint: DatapointRecord) {
  return {
    id: datapoint.id,
    inputs: datapoint.inputs,
    ground_truth: datapoint.ground_truth,
    history: datapoint.history,
    metadata: datapoint.metadata,
  };
}

export function exportFile(format: DatasetFileFormat, datapoints: readonly DatapointRecord[]): string {
  return format === 'jsonl' ? exportJsonl(datapoints) : exportCsv(datapoints);
}

function exportJsonl(datapoints: readonly DatapointRecord[]): string {
  return datapoints.map((datapoint) => `${JSON.stringify(exportedDatapoint(datapoint))}\n`).join('');
}

function exportCsv(datapoints: readonly DatapointRecord[]): string {
  // Every key any datapoint has, first seen first, one column each.
  const keys: Record<Section, Set<string>> = {
    inputs: new Set(),
    ground_truth: new Set(),
    metadata: new Set(),
  };
  for (const datapoint of datapoints)
    for (const section of SECTIONS) for (const key of Object.keys(datapoint[section])) keys[section].add(key);
  const columns: { header: string; cell: (datapoint: DatapointRecord) => string }[] = [
    { header: 'id', cell: (datapoint) => encodeCell(datapoint.id) },
    ...sectionColumns('inputs', keys.inputs),
    ...sectionColumns('ground_truth', keys.ground_truth),
    { header: 'history', cell: (datapoint) => encodeCell(datapoint.history) },
    ...sectionColumns('metadata', keys.metadata),
  ];
  return stringify([
    columns.map((column) => column.header),
    ...datapoints.map((datapoint) => columns.map((column) => column.cell(datapoint))),
  ]);
}

function sectionColumns(section: Section, keys: Set<string>) {
  return [...keys].map((key) => ({
    header: `${section}.${key}`,
    cell: (datapoint: DatapointRecord) =>
      encodeCell(Object.hasOwn(datapoint[section], key) ? datapoint[section][key] : undefined),
  }));
}

/** One CSV cell: '' for absent, a plain string when it reads back as itself, else JSON; formulas guarded. */
export function encodeCell(value: unknown): string {
  if (value === undefined) return '';
  const plain = typeof value === 'string' && readsBackAsItself(value);
  return guardFormula(plain ? value : JSON.stringify(value));
}

function readsBackAsItself(text: string): boolean {
  if (text === '' || text.startsWith("'") || LONE_SURROGATE.test(text)) return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The value of an exported cell: undefined when empty, the formula guard taken off, JSON when it is JSON. */
export function decodeCell(cell: string): unknown {
  if (cell === '') return undefined;
  const text = cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A name for the downloaded file: letters, digits, dot, dash and underscore only. */
export function exportFileName(datasetName: string, format: DatasetFileFormat, version?: number): string {
  const base =
    datasetName
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._-]+/, '')
      .slice(0, 100) || 'dataset';
  return `${base}${version === undefined ? '' : `-v${version}`}.${format}`;
}

// ---------------------------------------------------------------------------------------------------
// Import

/**
 * Rows one import takes at most: ten times addDatapoints' 1,000, written in chunks of 1,000 with two
 * batched writes per 25 datapoints (DatasetStore.insertMembers), a few seconds within API Gateway's 29 s.
 */
export const MAX_IMPORTED_ROWS = 10_000;
/** An imported file's content at most: within Lambda's 6 MB request payload once JSON-escaped in the body. */
export const MAX_IMPORT_CONTENT_BYTES = 4 * 1024 * 1024;

/** The datapoints a file holds, all read and checked before any is stored. */
export function importFile(
  format: DatasetFileFormat,
  content: string,
  mapping: DatapointMapping | undefined,
): DatapointInput[] {
  const bytes = Buffer.byteLength(content);
  if (bytes > MAX_IMPORT_CONTENT_BYTES)
    throw new TooLargeError(
      `content is ${bytes} bytes, above ${MAX_IMPORT_CONTENT_BYTES} (a Lambda request payload is at most 6 MB): split the file`,
    );
  const datapoints = format === 'jsonl' ? importJsonl(content, mapping) : importCsv(content, mapping);
  if (datapoints.length === 0) throw new ValidationError('the file has no rows');
  return datapoints;
}

function checkRowCount(count: number): void {
  if (count > MAX_IMPORTED_ROWS)
    throw new TooLargeError(
      `the file has more than ${MAX_IMPORTED_ROWS} rows, the most one import takes: split it`,
    );
}

function importJsonl(content: string, mapping: DatapointMapping | undefined): DatapointInput[] {
  const rows: { row: JsonObject; where: string }[] = [];
  const lines = content.replace(/^\uFEFF/, '').split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const where = `line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new ValidationError(`${where} is not JSON: ${(error as Error).message.slice(0, 200)}`);
    }
    if (!isJsonObject(value))
      throw new ValidationError(`${where} is ${describeType(value)}, not a JSON object`);
    assertJsonDepth(value, where);
    rows.push({ row: value, where });
    checkRowCount(rows.length);
  }
  if (mapping === undefined) return rows.map(({ row, where }) => exportedRow(row, where));
  checkMappingNamesColumns(
    mapping,
    (column) => rows.some(({ row }) => Object.hasOwn(row, column)),
    'any line',
  );
  return rows.map(({ row, where }) => datapointOfRow(row, mapping, where));
}

/** A JSONL line in the export's shape: inputs (required), ground_truth, history, metadata; `id` is the old id. */
function exportedRow(row: JsonObject, where: string): DatapointInput {
  if (!isJsonObject(row.inputs))
    throw new ValidationError(
      `${where} has no inputs object: give a mapping, or write each line as {inputs, ground_truth?, history?, metadata?}`,
    );
  const part = (key: 'ground_truth' | 'metadata'): JsonObject => {
    const value = row[key];
    if (value === undefined || value === null) return {};
    if (!isJsonObject(value)) throw new ValidationError(`${where}: ${key} must be an object`);
    return value;
  };
  const metadata = { ...part('metadata') };
  // Other fields are kept in the metadata: nothing sent is dropped.
  for (const [key, value] of Object.entries(row)) {
    if (['id', 'inputs', 'ground_truth', 'history', 'metadata'].includes(key)) continue;
    if (Object.hasOwn(metadata, key))
      throw new ValidationError(`${where}: field ${JSON.stringify(key)} is also a key of its metadata`);
    setOwn(metadata, key, value);
  }
  const datapoint: DatapointInput = {
    inputs: row.inputs,
    ground_truth: part('ground_truth'),
    history: historyOf(row.history, `${where}: history`),
    metadata,
    linked_datasets: [],
  };
  checkDatapointSize(datapoint, where);
  return datapoint;
}

function historyOf(value: unknown, where: string): JsonObject[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every(isJsonObject))
    throw new ValidationError(`${where} must be a list of messages (objects)`);
  return value;
}

function checkMappingNamesColumns(
  mapping: DatapointMapping,
  exists: (column: string) => boolean,
  inWhat: string,
): void {
  for (const part of ['inputs', 'ground_truth', 'history'] as const)
    for (const column of mapping[part])
      if (!exists(column))
        throw new ValidationError(
          `mapping.${part} names ${JSON.stringify(column.slice(0, 100))}, which is no column of ${inWhat}`,
        );
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

function parseCsv(content: string): CsvRecord[] {
  try {
    return parse(content, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      // One more than allowed: the header, then a row too many tells the file is too long.
      to: MAX_IMPORTED_ROWS + 2,
    }) as unknown as CsvRecord[];
  } catch (error) {
    if (error instanceof CsvError) throw new ValidationError(`CSV: ${error.message.slice(0, 300)}`);
    throw error;
  }
}

function importCsv(content: string, mapping: DatapointMapping | undefined): DatapointInput[] {
  const [head, ...records] = parseCsv(content);
  if (head === undefined) throw new ValidationError('the file has no rows');
  const header = head.record;
  const seen = new Map<string, number>();
  for (const [index, name] of header.entries()) {
    if (name === '') throw new ValidationError(`CSV header: column ${index + 1} has no name`);
    const first = seen.get(name);
    if (first !== undefined)
      throw new ValidationError(
        `CSV header names ${JSON.stringify(name.slice(0, 100))} twice (columns ${first + 1} and ${index + 1})`,
      );
    seen.set(name, index);
  }
  checkRowCount(records.length);
  const rowName = (index: number, record: CsvRecord) => `row ${index + 1} (line ${record.info.lines})`;
  if (mapping === undefined) {
    const columns = header.map((name) => exportColumn(name));
    return records.map((record, index) => exportedCsvRow(record.record, columns, rowName(index, record)));
  }
  checkMappingNamesColumns(mapping, (column) => seen.has(column), 'the CSV header');
  const history = new Set(mapping.history);
  return records.map((record, index) => {
    const where = rowName(index, record);
    const row: JsonObject = {};
    for (const [column, name] of header.entries()) {
      const cell = record.record[column] ?? '';
      setOwn(row, name, history.has(name) ? jsonCell(cell, `${where}, column ${name}`) : cell);
    }
    assertJsonDepth(row, where);
    return datapointOfRow(row, mapping, where);
  });
}

function jsonCell(cell: string, where: string): unknown {
  if (cell === '') return undefined;
  try {
    return JSON.parse(cell);
  } catch {
    throw new ValidationError(`${where} is mapped to history but is not JSON`);
  }
}

type ExportColumn = { kind: 'id' } | { kind: 'history' } | { kind: Section; key: string };

function exportColumn(name: string): ExportColumn {
  if (name === 'id') return { kind: 'id' };
  if (name === 'history') return { kind: 'history' };
  const dot = name.indexOf('.');
  const section = name.slice(0, dot) as Section;
  if (dot < 0 || !SECTIONS.includes(section))
    throw new ValidationError(
      `CSV column ${JSON.stringify(name.slice(0, 100))} is not one of an export's (id, inputs.<key>, ground_truth.<key>, history, metadata.<key>): give a mapping`,
    );
  return { kind: section, key: name.slice(dot + 1) };
}

function exportedCsvRow(cells: string[], columns: ExportColumn[], where: string): DatapointInput {
  const datapoint: DatapointInput = {
    inputs: {},
    ground_truth: {},
    history: [],
    metadata: {},
    linked_datasets: [],
  };
  for (const [index, column] of columns.entries()) {
    const value = decodeCell(cells[index] ?? '');
    if (column.kind === 'id' || value === undefined) continue;
    if (column.kind === 'history') datapoint.history = historyOf(value, `${where}: history`);
    else setOwn(datapoint[column.kind], column.key, value);
  }
  assertJsonDepth(datapoint, where);
  checkDatapointSize(datapoint, where);
  return datapoint;
}
