import type { JSX } from 'react';
import { type DiffPart, matchesGroundTruth, textOf, wordDiff } from './diff';

/**
 * A datapoint's ground truth beside each run's output, every output diffed against the ground truth
 * word by word: words the output lacks are struck through, words it adds are underlined (and said
 * in words for screen readers), with "matches the ground truth" in words when they agree.
 */
export function OutputDiff({
  groundTruth,
  loading = false,
  outputs,
}: {
  groundTruth: unknown;
  /** The ground truth is still being read. */
  loading?: boolean;
  outputs: readonly { label: string; value: unknown }[];
}): JSX.Element {
  const expected = textOf(groundTruth);
  return (
    <div className="output-diff">
      <figure>
        <figcaption>Ground truth</figcaption>
        {loading ? (
          <p className="muted small">Loading…</p>
        ) : expected === '' ? (
          <p className="muted small">None</p>
        ) : (
          <pre className="diff-text">{expected}</pre>
        )}
      </figure>
      {outputs.map((output) => {
        const actual = textOf(output.value);
        const parts = expected === '' || actual === '' ? undefined : wordDiff(expected, actual);
        return (
          <figure key={output.label}>
            <figcaption>
              {output.label}
              {expected !== '' && actual !== '' ? (
                matchesGroundTruth(expected, actual) ? (
                  <span className="good small"> · matches the ground truth</span>
                ) : (
                  <span className="bad small"> · differs from the ground truth</span>
                )
              ) : null}
            </figcaption>
            {actual === '' ? (
              <p className="muted small">No output</p>
            ) : parts ? (
              <pre className="diff-text" data-testid="output-diff">
                <DiffParts parts={parts} />
              </pre>
            ) : (
              <pre className="diff-text">{actual}</pre>
            )}
          </figure>
        );
      })}
    </div>
  );
}

function DiffParts({ parts }: { parts: DiffPart[] }): JSX.Element {
  // Keys: the parts are a fixed sequence, never reordered, so their index names them.
  return (
    <>
      {parts.map((part, index) => {
        const key = `${index}:${part.kind}`;
        if (part.kind === 'same') return <span key={key}>{part.text}</span>;
        const Mark = part.kind === 'added' ? 'ins' : 'del';
        return (
          <Mark key={key}>
            <span className="sr-only">{part.kind === 'added' ? '[added: ' : '[missing: '}</span>
            {part.text}
            <span className="sr-only">]</span>
          </Mark>
        );
      })}
    </>
  );
}
