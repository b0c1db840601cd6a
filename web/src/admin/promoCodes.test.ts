// The admin's Promo codes page: the list in words, creating, a server field error, deleting.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { navigate } from '../lib/router.svelte';
import { signIn, signOut } from '../lib/session.svelte';
import { apiError, fakeToken, mockFetch, SITE, type Call } from '../test/fetch';

const SPRING = {
  code: 'SPRING20',
  percentOff: 20,
  maxUses: 100,
  perPatron: 1,
  validFrom: '2027-03-01T14:00:00Z',
  validTo: '2027-04-01T03:59:00Z',
  eventIds: ['ev-1'],
  performanceIds: [],
  priceTypes: ['student'],
  unlocks: [],
  uses: 12,
  status: 'active',
  createdAt: '2027-02-01T10:00:00Z',
};
const OLD = { code: 'WINTER5', amountOff: 500, eventIds: [], performanceIds: [], priceTypes: [], unlocks: [], uses: 3, status: 'deleted', createdAt: '2026-12-01T10:00:00Z' };
const EVENTS = [
  { id: 'ev-1', title: 'The Tempest', description: '', performances: [] },
  { id: 'ev-2', title: 'Hamlet', description: '', performances: [] },
];

function openPage(post: (call: Call) => { status: number; body?: unknown }) {
  signIn({ token: fakeToken('owner@demo.localhost', 'owner'), expiresAt: '2099-01-01T00:00:00Z', email: 'owner@demo.localhost', role: 'owner' });
  const codes = [SPRING, OLD] as Record<string, unknown>[];
  const calls = mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'GET /admin/v1/promo-codes': () => ({ status: 200, body: { promoCodes: codes } }),
    'GET /admin/v1/events': { status: 200, body: { events: EVENTS } },
    'POST /admin/v1/promo-codes': (call) => {
      const answer = post(call);
      if (answer.status === 201) codes.unshift(answer.body as Record<string, unknown>);
      return answer;
    },
    'DELETE /admin/v1/promo-codes/SPRING20': () => {
      codes[0] = { ...SPRING, status: 'deleted' };
      return { status: 204 };
    },
  });
  navigate('/admin/promo-codes');
  render(App);
  return calls;
}

beforeEach(() => signOut());

describe('promo codes page', () => {
  it('lists codes in words, at the venue, with event titles', async () => {
    openPage(() => ({ status: 500 }));
    const rows = await screen.findAllByTestId('promo-code');
    await screen.findByText('Events: The Tempest');
    const text = (e: Element) => e.textContent?.replace(/\s+/g, ' ').trim() ?? '';
    // A cell of several lines (divs) as "line 1 / line 2".
    const cells = (row: HTMLElement) =>
      [...row.children].map((c) => (c.querySelector('div') ? [...c.querySelectorAll('div')].map(text).join(' / ') : text(c)));
    expect(cells(rows[0]!)).toEqual([
      'SPRING20',
      '20 % off each ticket',
      '12 of 100 used / 1 per patron',
      // Mar 1, 9:00 AM to Mar 31, 11:59 PM in New York (whatever the locale's words).
      expect.stringMatching(/^From .*9:00.* to .*11:59.*$/),
      'Events: The Tempest / Ticket types: student',
      'Active',
      'Edit Delete',
    ]);
    expect(cells(rows[1]!).slice(1, 3)).toEqual(['$5.00 off each ticket', 'Used 3 times / No limit']);
    expect(cells(rows[1]!)[5]).toBe('Deleted');
    expect(within(rows[1]!).queryByRole('button')).toBeNull();
    expect(within(screen.getByRole('navigation', { name: 'Admin' })).getByRole('link', { name: 'Promo codes' })).toBeTruthy();
  });

  it('creates a code from the form: venue-local times in UTC, the events ticked, minor units', async () => {
    const calls = openPage((call) => ({ status: 201, body: { ...(call.body as object), uses: 0, status: 'scheduled', createdAt: 'x', performanceIds: [] } }));
    await screen.findAllByTestId('promo-code');
    await fireEvent.input(screen.getByLabelText('Code'), { target: { value: 'student5' } });
    await fireEvent.click(screen.getByLabelText('An amount (USD)'));
    await fireEvent.input(await screen.findByLabelText('Amount off (USD)'), { target: { value: '5' } });
    await fireEvent.input(screen.getByLabelText('Uses in all'), { target: { value: '50' } });
    await fireEvent.input(screen.getByLabelText('Valid from (America/New York)'), { target: { value: '2027-06-01T10:00' } });
    await fireEvent.click(screen.getByLabelText('Hamlet'));
    await fireEvent.input(screen.getByLabelText('Only for these ticket types'), { target: { value: 'Student' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create code' }));

    expect((await screen.findByText(/STUDENT5 is created/)).getAttribute('role')).toBe('status');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      code: 'STUDENT5',
      amountOff: 500,
      maxUses: 50,
      validFrom: '2027-06-01T14:00:00Z',
      eventIds: ['ev-2'],
      performanceIds: [],
      priceTypes: ['student'],
      unlocks: [],
    });
    await waitFor(() => expect(screen.getAllByTestId('promo-code')).toHaveLength(3));
    expect((screen.getByLabelText('Code') as HTMLInputElement).value).toBe('');
  });

  it('checks the form before sending, and shows a server refusal next to its field', async () => {
    const calls = openPage(() => apiError(409, 'promo_code_taken', 'The venue already has (or had) the code WINTER5; choose another'));
    await screen.findAllByTestId('promo-code');
    await fireEvent.click(screen.getByRole('button', { name: 'Create code' }));
    expect(await screen.findByText('Enter the code patrons will type.')).toBeTruthy();
    expect(screen.getByText('Enter a whole percentage from 1 to 100, or list the hidden price types it unlocks.')).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await fireEvent.input(screen.getByLabelText('Code'), { target: { value: 'winter5' } });
    await fireEvent.input(screen.getByLabelText('Percent off'), { target: { value: '10' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create code' }));
    const error = await screen.findByText('The venue already has (or had) the code WINTER5; choose another.');
    expect(error.id).toBe('promo-code-error');
    const code = screen.getByLabelText('Code');
    expect(code.getAttribute('aria-invalid')).toBe('true');
    expect(code.getAttribute('aria-describedby')).toContain('promo-code-error');
  });

  it('edits a code with the code read-only and its terms filled in', async () => {
    openPage(() => ({ status: 500 }));
    await screen.findAllByTestId('promo-code');
    await fireEvent.click(screen.getByRole('button', { name: 'Edit SPRING20' }));
    expect(await screen.findByRole('heading', { name: 'Change SPRING20' })).toBeTruthy();
    const code = screen.getByLabelText('Code') as HTMLInputElement;
    expect(code.value).toBe('SPRING20');
    expect(code.readOnly).toBe(true);
    expect((screen.getByLabelText('Percent off') as HTMLInputElement).value).toBe('20');
    expect((screen.getByLabelText('Valid from (America/New York)') as HTMLInputElement).value).toBe('2027-03-01T09:00');
    expect((screen.getByLabelText('The Tempest') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Only for these ticket types') as HTMLInputElement).value).toBe('student');
  });

  it('deletes a code after a confirmation that says orders keep their discount', async () => {
    const calls = openPage(() => ({ status: 500 }));
    await screen.findAllByTestId('promo-code');
    await fireEvent.click(screen.getByRole('button', { name: 'Delete SPRING20' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete the code SPRING20?' });
    expect(dialog.textContent).toMatch(/Orders that used it keep their discount/);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Yes, delete it' }));
    expect(await screen.findByText('SPRING20 is deleted.')).toBeTruthy();
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/admin/v1/promo-codes/SPRING20')).toBe(true);
    await waitFor(() => expect(screen.getAllByTestId('promo-status').map((s) => s.textContent)).toEqual(['Deleted', 'Deleted']));
  });

  it('creates a code that only unlocks a hidden price, lists it in words, and shows a refusal by the unlocks field', async () => {
    let refuse = true;
    const calls = openPage((call) =>
      refuse
        ? apiError(422, 'invalid_field', "unlocks: 'x' is not a price type the venue knows", { field: 'unlocks' })
        : { status: 201, body: { ...(call.body as object), uses: 0, status: 'active', createdAt: 'x', performanceIds: [] } },
    );
    await screen.findAllByTestId('promo-code');
    const group = screen.getByRole('group', { name: 'What the code does' });
    expect(group.getAttribute('aria-describedby')).toBe('promo-offer-hint');
    expect(screen.getByText('A code may take money off, unlock hidden prices, or both.')).toBeTruthy();
    await fireEvent.input(screen.getByLabelText('Code'), { target: { value: 'friends' } });
    const unlocks = screen.getByLabelText('Unlocks price types') as HTMLInputElement;

    // Checked before sending, as the API checks it.
    await fireEvent.input(unlocks, { target: { value: 'Friends, best friends!' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create code' }));
    expect((await screen.findByText('"best friends!" is not a ticket type: letters, digits, - and _ only.')).id).toBe('promo-unlocks-error');
    expect(unlocks.getAttribute('aria-invalid')).toBe('true');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    // The server's refusal goes by the field it names.
    await fireEvent.input(unlocks, { target: { value: 'Friends' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create code' }));
    expect((await screen.findByText("'x' is not a price type the venue knows.")).id).toBe('promo-unlocks-error');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
      { code: 'FRIENDS', eventIds: [], performanceIds: [], priceTypes: [], unlocks: ['friends'] },
    ]);

    refuse = false;
    await fireEvent.click(screen.getByRole('button', { name: 'Create code' }));
    expect(await screen.findByText(/FRIENDS is created/)).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId('promo-offer').map((c) => c.textContent)).toEqual(['Unlocks friends', '20 % off each ticket', '$5.00 off each ticket']));
  });
});
