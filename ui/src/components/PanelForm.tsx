import { type ReactNode, useId } from 'react';

/**
 * A form in a card: its heading names it, a Close button (when `onClose` is given) dismisses it, and
 * submitting calls `onSubmit` instead of the browser's submit. Fields are checked by the form's own
 * code (noValidate), which says what is wrong in words.
 */
export function PanelForm({
  title,
  className,
  onSubmit,
  onClose,
  children,
}: {
  title: ReactNode;
  className?: string;
  onSubmit(): void;
  onClose?: () => void;
  children: ReactNode;
}) {
  const headingId = useId();
  return (
    <form
      className={className ? `card stack ${className}` : 'card stack'}
      aria-labelledby={headingId}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <div className="row">
        <h2 id={headingId} className="grow">
          {title}
        </h2>
        {onClose ? (
          <button type="button" className="secondary small" onClick={onClose}>
            Close
          </button>
        ) : null}
      </div>
      {children}
    </form>
  );
}
