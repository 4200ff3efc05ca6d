import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom has no layout: the router's scroll restoration calls scrollTo, which jsdom only reports.
window.scrollTo = () => {};
// The machine is shared: lazy routes and mocked fetches can take more than the default second.
configure({ asyncUtilTimeout: 5000 });
afterEach(() => cleanup());
