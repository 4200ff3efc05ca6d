import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { FilterEditor } from '../src/components/FilterEditor';
import { type EditableRow, FilterRows } from '../src/components/FilterRows';
import { fieldSuggestions, OPERATORS, toFilter } from '../src/components/filters';

const SUGGESTIONS = fieldSuggestions({
  fields: [
    {
      event_type: 'model',
      event_name: 'chat',
      field: 'metadata.customer',
      field_type: 'string',
      occurrences: 9,
      last_seen: 1,
    },
    {
      event_type: 'model',
      event_name: 'chat',
      field: 'metrics.score',
      field_type: 'number',
      occurrences: 4,
      last_seen: 1,
    },
    {
      event_type: 'tool',
      event_name: 'search',
      field: 'feedback.liked',
      field_type: 'boolean',
      occurrences: 2,
      last_seen: 1,
    },
  ],
});

function options(select: HTMLElement): string[] {
  return [...(select as HTMLSelectElement).options].map((option) => option.value);
}

describe('FilterEditor', () => {
  it('builds HoneyHive filters with types from the columns and the event schema', async () => {
    const onChange = vi.fn();
    render(<FilterEditor filters={[]} onChange={onChange} suggestions={SUGGESTIONS} />);
    const user = userEvent.setup();

    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.type(screen.getByLabelText('Field 1'), 'model');
    await user.selectOptions(screen.getByLabelText('Operator 1'), 'is');
    await user.type(screen.getByLabelText('Value 1'), 'gpt-4o');

    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.type(screen.getByLabelText('Field 2'), 'cost');
    expect(options(screen.getByLabelText('Operator 2'))).toEqual([...OPERATORS.number]);
    await user.selectOptions(screen.getByLabelText('Operator 2'), 'greater than');
    await user.type(screen.getByLabelText('Value 2'), '0.01');

    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.type(screen.getByLabelText('Field 3'), 'error');
    await user.selectOptions(screen.getByLabelText('Operator 3'), 'exists');
    expect(screen.queryByLabelText('Value 3')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.type(screen.getByLabelText('Field 4'), 'feedback.liked');
    expect(options(screen.getByLabelText('Operator 4'))).toEqual([...OPERATORS.boolean]);
    await user.selectOptions(screen.getByLabelText('Value 4'), 'false');

    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.type(screen.getByLabelText('Field 5'), 'metadata.customer');
    await user.selectOptions(screen.getByLabelText('Operator 5'), 'contains');
    await user.type(screen.getByLabelText('Value 5'), 'acme');

    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith([
      { field: 'model', operator: 'is', value: 'gpt-4o', type: 'string' },
      { field: 'cost', operator: 'greater than', value: 0.01, type: 'number' },
      { field: 'error', operator: 'exists', type: 'string' },
      { field: 'feedback.liked', operator: 'is', value: false, type: 'boolean' },
      { field: 'metadata.customer', operator: 'contains', value: 'acme', type: 'string' },
    ]);
  });

  it('does not apply a row without its value, says why, and removes rows', async () => {
    const onChange = vi.fn();
    render(
      <FilterEditor
        filters={[{ field: 'model', operator: 'is', value: 'gpt-4o', type: 'string' }]}
        onChange={onChange}
        suggestions={SUGGESTIONS}
      />,
    );
    const user = userEvent.setup();
    expect((screen.getByLabelText('Field 1') as HTMLInputElement).value).toBe('model');
    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.type(screen.getByLabelText('Field 2'), 'duration');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toBe('Give a value for duration');

    await user.click(screen.getByRole('button', { name: 'Remove filter 1' }));
    await user.type(screen.getByLabelText('Value 1'), '1500');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(onChange).toHaveBeenCalledWith([
      { field: 'duration', operator: 'is', value: 1500, type: 'number' },
    ]);
  });
});

describe('FilterRows inside another form', () => {
  it('reports every change as rows and never submits the form around it', async () => {
    const onSubmit = vi.fn((event: { preventDefault(): void }) => event.preventDefault());
    const seen: EditableRow[][] = [];
    function Host() {
      const [rows, setRows] = useState<EditableRow[]>([
        { key: 4, field: 'cost', operator: 'less than', value: '2' },
      ]);
      return (
        <form aria-label="Outer" onSubmit={onSubmit}>
          <FilterRows
            rows={rows}
            suggestions={SUGGESTIONS}
            errors={{ 4: 'checked by the host' }}
            onChange={(next) => {
              seen.push(next);
              setRows(next);
            }}
          />
        </form>
      );
    }
    render(<Host />);
    const user = userEvent.setup();
    expect(screen.getByRole('alert').textContent).toBe('checked by the host');
    expect(screen.queryByRole('button', { name: 'Apply filters' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.type(screen.getByLabelText('Field 2'), 'metrics.score');
    await user.selectOptions(screen.getByLabelText('Operator 2'), 'greater than');
    await user.type(screen.getByLabelText('Value 2'), '1');
    await user.click(screen.getByRole('button', { name: 'Remove filter 1' }));
    expect(seen.at(-1)).toEqual([{ key: 5, field: 'metrics.score', operator: 'greater than', value: '1' }]);
    expect(onSubmit).not.toHaveBeenCalled();
  });
});

describe('toFilter', () => {
  it('sends datetimes as ISO 8601 and refuses values that are not of the field type', () => {
    const local = '2026-11-01T10:00';
    expect(toFilter({ field: 'start_time', operator: 'after', value: local }, SUGGESTIONS)).toEqual({
      filter: {
        field: 'start_time',
        operator: 'after',
        value: new Date(local).toISOString(),
        type: 'datetime',
      },
    });
    expect(toFilter({ field: 'metrics.score', operator: 'less than', value: 'abc' }, SUGGESTIONS)).toEqual({
      error: 'metrics.score takes a number',
    });
    expect(toFilter({ field: ' ', operator: 'is', value: 'x' }, SUGGESTIONS)).toEqual({
      error: 'Choose a field',
    });
    // An operator the type does not have falls back to the type's first.
    expect(toFilter({ field: 'cost', operator: 'contains', value: '2' }, SUGGESTIONS)).toEqual({
      filter: { field: 'cost', operator: 'is', value: 2, type: 'number' },
    });
  });

  it('keeps only the fields of one event type when asked (session lists filter the session event)', () => {
    const tool = fieldSuggestions(
      {
        fields: [
          {
            event_type: 'session',
            event_name: 's',
            field: 'metadata.plan',
            field_type: 'string',
            occurrences: 1,
            last_seen: 1,
          },
          {
            event_type: 'model',
            event_name: 'm',
            field: 'metadata.temperature',
            field_type: 'number',
            occurrences: 1,
            last_seen: 1,
          },
        ],
      },
      'session',
    ).map((suggestion) => suggestion.field);
    expect(tool).toContain('metadata.plan');
    expect(tool).not.toContain('metadata.temperature');
    expect(tool).toContain('event_name');
  });

  it('lists columns first, then schema fields once each', () => {
    const fields = SUGGESTIONS.map((suggestion) => suggestion.field);
    expect(fields.slice(0, 3)).toEqual(['event_name', 'event_type', 'source']);
    expect(fields.slice(-3)).toEqual(['feedback.liked', 'metadata.customer', 'metrics.score']);
  });
});
