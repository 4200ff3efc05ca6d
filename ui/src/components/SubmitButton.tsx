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
