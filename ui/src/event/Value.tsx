/**
 * Rendering any JSON value of an event: chat messages as messages, markdown-looking strings as
 * markdown (never raw HTML: model output is hostile input), other strings as text, truncated
 * values as their preview and size, everything else as a collapsible JSON tree.
 */
import { type JSX, type ReactNode, useState } from 'react';
import Markdown, { type Components } from 'react-markdown';
import { isRecord, isTruncated, type TruncatedValue, toMessages } from './chat';
import { MessageList } from './Messages';

const MARKDOWN_HINTS = [
  /^#{1,6}\s+\S/m, // headings
  /^\s*[-*+]\s+\S/m, // bullet lists
  /^\s*\d+[.)]\s+\S/m, // numbered lists
  /^```/m, // fences
  /^>\s?\S/m, // quotes
  /\*\*[^*\n]+\*\*/, // bold
  /\[[^\]\n]+\]\([^)\s]+\)/, // links
  /`[^`\n]+`/, // inline code
  /^\s*\|.*\|\s*$/m, // tables
];

/** Whether a string reads as markdown (so is worth rendering as such). */
export function looksLikeMarkdown(text: string): boolean {
  if (text.length < 3) return false;
  return MARKDOWN_HINTS.some((hint) => hint.test(text));
}

/** Images would load from wherever the model pointed them (a tracking pixel): show them as links. */
const MARKDOWN_COMPONENTS: Components = {
  img: ({ src, alt }) => (
    <a href={typeof src === 'string' ? src : undefined} target="_blank" rel="noopener noreferrer nofollow">
      [image{alt ? `: ${alt}` : ''}]
    </a>
  ),
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
};

/** Markdown without raw HTML (react-markdown keeps HTML in the source as text; unsafe URLs are dropped). */
export function MarkdownText({ text }: { text: string }): JSX.Element {
  return (
    <div className="wg-markdown">
      <Markdown components={MARKDOWN_COMPONENTS}>{text}</Markdown>
    </div>
  );
}

const LONG_TEXT = 2000;

/** A string: markdown when it looks like it, else preformatted text; very long text is cut with "show all". */
export function TextValue({ text }: { text: string }): JSX.Element {
  const [all, setAll] = useState(false);
  const long = text.length > LONG_TEXT * 5;
  const shown = long && !all ? text.slice(0, LONG_TEXT) : text;
  return (
    <div className="wg-text">
      {looksLikeMarkdown(shown) ? <MarkdownText text={shown} /> : <pre className="wg-pre">{shown}</pre>}
      {long ? (
        <button type="button" className="wg-link" onClick={() => setAll(!all)}>
          {all ? 'Show less' : `Show all ${formatBytes(text.length)} characters`}
        </button>
      ) : null}
    </div>
  );
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A value the API cut short: its size and the preview it kept. */
export function TruncatedView({ value }: { value: TruncatedValue }): JSX.Element {
  return (
    <div className="wg-truncated">
      <p className="wg-truncated-note">
        Truncated: {formatBytes(value._bytes)} in full; showing the first{' '}
        {value._preview.length.toLocaleString()} characters.
      </p>
      <pre className="wg-pre">{value._preview}</pre>
    </div>
  );
}

/** Any value, as described at the top of this file. */
export function Value({ value }: { value: unknown }): JSX.Element {
  if (isTruncated(value)) return <TruncatedView value={value} />;
  if (typeof value === 'string') return <TextValue text={value} />;
  const messages = toMessages(value);
  if (messages) return <MessageList messages={messages} />;
  return <JsonTree value={value} />;
}

const CHILDREN_PAGE = 100;

/** A collapsible JSON tree (objects and arrays open to `openDepth`). */
export function JsonTree({ value, openDepth = 2 }: { value: unknown; openDepth?: number }): JSX.Element {
  return (
    <div className="wg-json">
      <JsonNode value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}

function JsonNode({
  name,
  value,
  depth,
  openDepth,
}: {
  name?: ReactNode;
  value: unknown;
  depth: number;
  openDepth: number;
}): JSX.Element {
  const [open, setOpen] = useState(depth < openDepth);
  const [limit, setLimit] = useState(CHILDREN_PAGE);
  const label = name === undefined ? null : <span className="wg-json-key">{name}: </span>;
  if (isTruncated(value)) {
    return (
      <div className="wg-json-row">
        {label}
        <TruncatedView value={value} />
      </div>
    );
  }
  if (!isRecord(value) && !Array.isArray(value)) {
    return (
      <div className="wg-json-row">
        {label}
        <JsonScalar value={value} />
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [String(i), item])
    : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  if (entries.length === 0) {
    return (
      <div className="wg-json-row">
        {label}
        <span className="wg-json-punct">{Array.isArray(value) ? '[]' : '{}'}</span>
      </div>
    );
  }
  return (
    <div className="wg-json-row">
      <button type="button" className="wg-json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">{open ? '▾' : '▸'} </span>
        {label}
        <span className="wg-json-punct">{summary}</span>
      </button>
      {open ? (
        <div className="wg-json-children">
          {entries.slice(0, limit).map(([key, item]) => (
            <JsonNode key={key} name={key} value={item} depth={depth + 1} openDepth={openDepth} />
          ))}
          {entries.length > limit ? (
            <button type="button" className="wg-link" onClick={() => setLimit(limit + CHILDREN_PAGE * 10)}>
              Show {Math.min(entries.length - limit, CHILDREN_PAGE * 10)} more of {entries.length - limit}
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

const LONG_STRING = 300;

function JsonScalar({ value }: { value: unknown }): JSX.Element {
  const [all, setAll] = useState(false);
  if (typeof value === 'string') {
    const long = value.length > LONG_STRING;
    return (
      <span className="wg-json-string">
        {JSON.stringify(long && !all ? `${value.slice(0, LONG_STRING)}…` : value)}
        {long ? (
          <button type="button" className="wg-link" onClick={() => setAll(!all)}>
            {all ? 'less' : `all ${value.length.toLocaleString()} characters`}
          </button>
        ) : null}
      </span>
    );
  }
  if (typeof value === 'number') return <span className="wg-json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="wg-json-boolean">{String(value)}</span>;
  if (value === null || value === undefined) return <span className="wg-json-null">null</span>;
  return <span>{String(value)}</span>;
}
