// Each unit test starts with empty storage, no cart and at the site root.
import { afterEach, beforeEach } from 'vitest';
import { patronSignOut } from '../lib/account.svelte';
import { cart } from '../lib/cart.svelte';
import { clearPerformanceCache } from '../lib/catalog';

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
  cart.reset();
  patronSignOut();
  clearPerformanceCache();
  window.history.replaceState(null, '', '/');
});

afterEach(() => {
  sessionStorage.clear();
  localStorage.clear();
  cart.reset();
});

// jsdom does not implement scrolling; navigate() scrolls to the top.
window.scrollTo = () => {};
