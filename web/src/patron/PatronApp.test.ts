import { render, screen } from '@testing-library/svelte';
import { expect, it } from 'vitest';
import App from '../App.svelte';
import { navigate } from '../lib/router.svelte';
import { mockFetch, SITE } from '../test/fetch';

it('shows the venue, its colours and "No upcoming events" while the events API is missing', async () => {
  mockFetch({ 'GET /api/v1/site': { status: 200, body: { ...SITE, branding: { ...SITE.branding, primaryColour: '#112233' } } } });
  navigate('/');
  render(App);
  expect(await screen.findByTestId('venue-name')).toHaveProperty('textContent', 'Demo Playhouse');
  expect(await screen.findByText(/No upcoming events/)).toBeTruthy();
  expect(document.documentElement.style.getPropertyValue('--brand-primary')).toBe('#112233');
  expect(document.documentElement.style.getPropertyValue('--brand-on-primary')).toBe('#ffffff');
});

it('renders event titles and descriptions as text, never as HTML', async () => {
  const evil = '<img src=x onerror="window.pwned=1">Hamlet';
  mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'GET /api/v1/events': {
      status: 200,
      body: {
        events: [
          {
            id: 'e1',
            title: evil,
            description: '<script>alert(1)</script>',
            performances: [{ id: 'p1', startsAt: '2027-03-01T00:30:00Z', status: 'sold_out' }],
          },
        ],
      },
    },
  });
  navigate('/');
  const { container } = render(App);
  expect(await screen.findByRole('heading', { level: 2 })).toHaveProperty('textContent', evil);
  expect(container.querySelector('.event-card img')).toBeNull();
  expect(container.querySelector('.event-card script')).toBeNull();
  expect(screen.getByText('Sold out')).toBeTruthy();
  // 7:30 pm on 28 February in New York, not the browser's zone.
  expect(container.querySelector('time')?.textContent).toMatch(/February 28, 2027.*7:30/);
});

it('says so when there is no venue at this address', async () => {
  mockFetch({});
  navigate('/');
  render(App);
  expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'There is no venue at this address.');
});
