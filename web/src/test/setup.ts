// Each unit test starts with an empty sessionStorage and at the site root.
import { afterEach, beforeEach } from 'vitest';

beforeEach(() => {
  sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

afterEach(() => {
  sessionStorage.clear();
});

// jsdom does not implement scrolling; navigate() scrolls to the top.
window.scrollTo = () => {};
