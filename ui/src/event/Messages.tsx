/** Chat messages: role, content (text, markdown or other parts) and tool calls; long lists start collapsed. */
import { type JSX, useState } from 'react';
import { type ChatMessage, contentParts, isRecord, toolCalls } from './chat';
import { JsonTree, TextValue } from './Value';

/** Lists longer than this show only the last `KEEP_LAST` until expanded. */
const COLLAPSE_OVER = 6;
const KEEP_LAST = 4;

export function MessageList({
  messages,
  collapse = true,
}: {
  messages: readonly ChatMessage[];
  collapse?: boolean;
}): JSX.Element {
  const [expanded, setExpanded] = useState(false);
  const hidden = collapse && !expanded && messages.length > COLLAPSE_OVER ? messages.length - KEEP_LAST : 0;
  return (
    <ol className="wg-messages">
      {hidden > 0 ? (
        <li className="wg-messages-more">
          <button type="button" className="wg-link" onClick={() => setExpanded(true)}>
            Show {hidden} earlier message{hidden === 1 ? '' : 's'}
          </button>
        </li>
      ) : null}
      {messages.slice(hidden).map((message, i) => (
        // Messages have no ids; their position is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <li key={hidden + i}>
          <MessageView message={message} />
        </li>
      ))}
    </ol>
  );
}

export function MessageView({ message, caption }: { message: ChatMessage; caption?: string }): JSX.Element {
  const role = message.role.toLowerCase();
  const parts = contentParts(message.content);
  const calls = toolCalls(message);
  return (
    <article
      className={`wg-message wg-role-${/^[a-z]+$/.test(role) ? role : 'other'}`}
      aria-label={`${role} message`}
    >
      <header className="wg-message-head">
        <span className="wg-message-role">{role}</span>
        {message.name ? <span className="wg-muted"> {message.name}</span> : null}
        {message.tool_call_id ? <span className="wg-muted"> (result of {message.tool_call_id})</span> : null}
        {caption ? <span className="wg-muted wg-message-caption"> {caption}</span> : null}
      </header>
      {parts.map((part, i) =>
        part.kind === 'text' ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts have no ids
          <TextValue key={i} text={part.text} />
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts have no ids
          <OtherPart key={i} value={part.value} />
        ),
      )}
      {calls.length > 0 ? (
        <ul className="wg-tool-calls">
          {calls.map((call, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: call ids are optional
            <li key={i} className="wg-tool-call">
              <div>
                <span className="wg-muted">Tool call </span>
                <code>{call.name}</code>
                {call.id ? <span className="wg-muted"> ({call.id})</span> : null}
              </div>
              {call.arguments === undefined ? null : typeof call.arguments === 'string' ? (
                <pre className="wg-pre">{call.arguments}</pre>
              ) : (
                <JsonTree value={call.arguments} />
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {parts.length === 0 && calls.length === 0 ? <p className="wg-muted">(no content)</p> : null}
    </article>
  );
}

/** A non-text content part: an image reference is shown as its URL (never loaded), the rest as JSON. */
function OtherPart({ value }: { value: unknown }): JSX.Element {
  if (isRecord(value) && value.type === 'image_url') {
    const image = value.image_url;
    const url = isRecord(image) ? image.url : image;
    const text = typeof url === 'string' ? (url.startsWith('data:') ? `${url.slice(0, 40)}…` : url) : '';
    return <p className="wg-muted">[image {text}]</p>;
  }
  return <JsonTree value={value} openDepth={1} />;
}
