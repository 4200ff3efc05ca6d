import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { rangeBounds, TimeRangePicker, toDateRange } from '../src/components/TimeRange';

describe('time range', () => {
  it('sends presets as relative ranges and custom ranges as ISO bounds', () => {
    expect(toDateRange({ preset: '7d' })).toEqual({ relative: '7d' });
    expect(toDateRange({ preset: 'custom', from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 2) })).toEqual(
      {
        $gte: '2026-11-01T00:00:00.000Z',
        $lte: '2026-11-02T00:00:00.000Z',
      },
    );
    expect(rangeBounds({ preset: '1h' }, 10_000_000)).toEqual({
      from: 10_000_000 - 3_600_000,
      to: 10_000_000,
    });
  });

  it('offers the presets and a custom range that must start before it ends', async () => {
    const onChange = vi.fn();
    render(<TimeRangePicker value={{ preset: '24h' }} onChange={onChange} />);
    const user = userEvent.setup();
    const select = screen.getByLabelText('Time range') as HTMLSelectElement;
    expect([...select.options].map((option) => option.value)).toEqual(['1h', '24h', '7d', '30d', 'custom']);
    await user.selectOptions(select, '30d');
    expect(onChange).toHaveBeenLastCalledWith({ preset: '30d' });

    await user.selectOptions(select, 'custom');
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-02T10:00' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-01T10:00' } });
    await user.click(screen.getByRole('button', { name: 'Apply range' }));
    expect(screen.getByRole('alert').textContent).toBe('The start must be before the end');
    expect(onChange).toHaveBeenCalledTimes(1);

    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-03T10:00' } });
    await user.click(screen.getByRole('button', { name: 'Apply range' }));
    expect(onChange).toHaveBeenLastCalledWith({
      preset: 'custom',
      from: new Date('2026-11-02T10:00').getTime(),
      to: new Date('2026-11-03T10:00').getTime(),
    });
  });
});
