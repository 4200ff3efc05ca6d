import { type KeyboardEvent, useRef } from 'react';

/**
 * A row of tabs (ARIA tabs pattern): the selected tab is the one in the tab order, and the arrow
 * keys move to the next or previous tab, selecting it. The panel takes tabPanelProps(idPrefix, …).
 */
export function TabList<T extends string>({
  label,
  idPrefix,
  tabs,
  selected,
  onSelect,
}: {
  label: string;
  idPrefix: string;
  tabs: readonly { value: T; label: string }[];
  selected: T;
  onSelect(value: T): void;
}) {
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (event: KeyboardEvent, index: number) => {
    const delta = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (delta === 0) return;
    event.preventDefault();
    const nextIndex = (index + delta + tabs.length) % tabs.length;
    const next = tabs[nextIndex];
    if (!next) return;
    onSelect(next.value);
    tabRefs.current[nextIndex]?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className="tabs">
      {tabs.map((candidate, index) => (
        <button
          key={candidate.value}
          ref={(element) => {
            tabRefs.current[index] = element;
          }}
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${candidate.value}`}
          aria-selected={candidate.value === selected}
          aria-controls={`${idPrefix}-panel`}
          tabIndex={candidate.value === selected ? 0 : -1}
          onClick={() => onSelect(candidate.value)}
          onKeyDown={(event) => onKey(event, index)}
        >
          {candidate.label}
        </button>
      ))}
    </div>
  );
}

/** The attributes of the panel a TabList controls. */
export function tabPanelProps(idPrefix: string, selected: string) {
  return {
    role: 'tabpanel',
    id: `${idPrefix}-panel`,
    'aria-labelledby': `${idPrefix}-tab-${selected}`,
  } as const;
}
