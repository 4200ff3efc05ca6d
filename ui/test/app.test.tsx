import { render, screen } from '@testing-library/react';
import { expect, it } from 'vitest';
import { App } from '../src/App';

it('renders', () => {
  render(<App />);
  expect(screen.getByRole('main').textContent).toBe('Waggle');
});
