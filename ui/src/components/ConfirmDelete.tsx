import type { JSX } from 'react';

/**
 * A delete that asks first: the button (`label`, its accessible name `name` when the label alone is
 * ambiguous, as in a table row), then "<confirm>" and "Keep" in its place until one is pressed.
 */
export function ConfirmDelete({
  label,
  name,
  confirm,
  confirming,
  pending,
  small = false,
  onAsk,
  onConfirm,
}: {
  label: string;
  name?: string;
  /** The confirming button's words, e.g. "Delete capitals for good". */
  confirm: string;
  confirming: boolean;
  pending: boolean;
  small?: boolean;
  /** true: ask (show the confirmation); false: keep it. */
  onAsk(asking: boolean): void;
  onConfirm(): void;
}): JSX.Element {
  const size = small ? ' small' : '';
  if (!confirming)
    return (
      <button type="button" className={`secondary${size}`} aria-label={name} onClick={() => onAsk(true)}>
        {label}
      </button>
    );
  return (
    <>
      <button type="button" className={`danger${size}`} disabled={pending} onClick={onConfirm}>
        {pending ? 'Deleting…' : confirm}
      </button>
      <button type="button" className="secondary small" onClick={() => onAsk(false)}>
        Keep
      </button>
    </>
  );
}
