import type { ReactNode } from 'react';

/** A form's submit button: disabled while its request is pending (saying so with `busy`) or when `disabled`. */
export function SubmitButton({
  pending,
  busy,
  disabled = false,
  children,
}: {
  pending: boolean;
  busy: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <button type="submit" disabled={pending || disabled}>
      {pending ? busy : children}
    </button>
  );
}

/** Beside a submit that was tried on a form with errors: where to look. */
export function FixMarkedNote({ shown, what }: { shown: boolean; what: string }) {
  return shown ? (
    <span className="bad small" role="status">
      Fix the {what} marked above.
    </span>
  ) : null;
}
