import type { ReactNode } from 'react';

/**
 * A row of checkboxes choosing ids from a list (a monitor's channels, an experiment's evaluators):
 * `selected` in, the next selection out, in the order the boxes were checked.
 */
export function CheckList<Item>({
  items,
  idOf,
  selected,
  onChange,
  children,
}: {
  items: readonly Item[];
  idOf: (item: Item) => string;
  selected: readonly string[];
  onChange: (next: string[]) => void;
  /** The label of an item, beside its box. */
  children: (item: Item) => ReactNode;
}) {
  return (
    <div className="row">
      {items.map((item) => {
        const id = idOf(item);
        return (
          <label key={id} className="check">
            <input
              type="checkbox"
              checked={selected.includes(id)}
              onChange={(event) =>
                onChange(event.target.checked ? [...selected, id] : selected.filter((other) => other !== id))
              }
            />
            {children(item)}
          </label>
        );
      })}
    </div>
  );
}
