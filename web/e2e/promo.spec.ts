// Promo codes end to end: staff create a code on the admin's Promo codes page; a patron puts it
// on the cart (typed in lower case), checks out with the test card and sees the discount on the
// payment step and the confirmation; an unknown code is refused with the server's reason. Then a
// hidden price: staff mark a price type "promo code only" and create a code that unlocks it; a
// patron sees it only once the code is on the cart, and buys at it. The shows and the codes are
// the tests' own.
import type { Page } from '@playwright/test';
import { api, expect, logIn, openAdminPage, OWNER, ownerToken, publishedShow, screenshotOf, test, unique } from './fixtures';

function seat(page: Page, name: string) {
  return page.getByRole('button', { name: new RegExp(`^${name},`) });
}

test('promo codes: staff create a code, a patron applies it in the cart and pays the discounted total', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Promo');
  // 3 to 32 letters, digits and '-': e.g. SAVE-MB1X2K3L-4F7Q2A.
  const code = unique('save').toUpperCase();

  // --- staff: 25 % off each ticket, at most 5 orders ---------------------------------------
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Promo codes');
  const form = page.getByRole('form', { name: 'New promo code' });
  await form.getByLabel('Code', { exact: true }).fill(code);
  await expect(form.getByLabel('A percentage')).toBeChecked();
  await form.getByLabel('Percent off').fill('25');
  await form.getByLabel('Uses in all').fill('5');
  await form.getByRole('button', { name: 'Create code' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${code} is created` })).toBeVisible();
  const row = page.getByTestId('promo-code').filter({ has: page.getByRole('rowheader', { name: code, exact: true }) });
  await expect(row).toContainText('25 % off each ticket');
  await expect(row).toContainText('0 of 5 used');
  await expect(row).toContainText('All tickets');
  await expect(row.getByTestId('promo-status')).toHaveText('Active');

  // A second code, for students at this show only, in a window given at the venue (New York).
  const studentCode = unique('student').toUpperCase();
  await form.getByLabel('Code', { exact: true }).fill(studentCode);
  await form.getByLabel('An amount (USD)').check();
  await form.getByLabel('Amount off (USD)').fill('5');
  await form.getByLabel('Uses per patron').fill('1');
  await form.getByLabel('Valid from (America/New York)').fill('2030-03-01T09:00');
  await form.getByLabel('Valid to (America/New York)').fill('2030-03-31T23:59');
  await form.getByRole('group', { name: 'Only for these events' }).getByLabel(show.title, { exact: true }).check();
  await form.getByLabel('Only for these ticket types').fill('Student');
  await form.getByRole('button', { name: 'Create code' }).click();
  const student = page.getByTestId('promo-code').filter({ has: page.getByRole('rowheader', { name: studentCode, exact: true }) });
  await expect(student).toContainText('$5.00 off each ticket');
  await expect(student).toContainText('1 per patron');
  await expect(student).toContainText(/From Mar 1, 2030, 9:00\s?AM to Mar 31, 2030, 11:59\s?PM/);
  await expect(student).toContainText(`Events: ${show.title}`);
  await expect(student).toContainText('Ticket types: student');
  await expect(student.getByTestId('promo-status')).toHaveText('Scheduled');
  await screenshotOf(page.locator('.admin-main'), 'admin-promo-codes', 'admin-promo-codes');
  const stored = await api(baseURL!, 'GET', '/admin/v1/promo-codes', undefined, await ownerToken(baseURL!));
  expect((stored.body.promoCodes as { code: string }[]).find((c) => c.code === studentCode)).toMatchObject({
    // 9:00 in New York in March 2030 is 14:00 UTC (EST); 23:59 on 31 March is EDT.
    validFrom: '2030-03-01T14:00:00Z',
    validTo: '2030-04-01T03:59:00Z',
    eventIds: [show.eventId],
    priceTypes: ['student'],
  });

  // --- patron: a seat, an unknown code, then the code in lower case --------------------------
  await page.goto(`/performances/${show.performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
  await seat(page, 'Orchestra row C seat 12').click();
  await expect(seat(page, 'Orchestra row C seat 12')).toHaveAttribute('data-state', 'mine');
  await page.getByTestId('your-tickets').getByRole('link', { name: /View cart/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your cart');

  const field = page.getByLabel('Promo code', { exact: true });
  await field.fill('NO-SUCH-CODE');
  await page.getByRole('button', { name: 'Apply' }).click();
  const refusal = page.getByTestId('cart-promo').getByRole('alert');
  await expect(refusal).toHaveText('There is no such promo code.');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await screenshotOf(page.locator('.cart-page'), 'cart-promo-refused');

  await field.fill(code.toLowerCase());
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('cart-promo-applied')).toHaveText(`${code} — 25 % off each ticket`);
  await expect(refusal).toHaveCount(0);
  await expect(page.getByRole('button', { name: `Remove the promo code ${code}` })).toBeFocused();
  await screenshotOf(page.locator('.cart-page'), 'cart-promo', 'cart-promo');

  // --- checkout: $85 − 25 % = $63.75, plus the $2 booking fee ----------------------------------
  await page.getByRole('link', { name: 'Checkout', exact: true }).click();
  await expect(page.getByTestId('checkout-promo')).toContainText(`${code} — 25 % off each ticket`);
  await page.getByLabel('Name', { exact: true }).fill('Promo Patron');
  await page.getByLabel('Email', { exact: true }).fill(`${unique('promo')}@example.org`);
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(page.getByTestId('subtotal')).toHaveText('$85.00');
  await expect(page.getByTestId('discount')).toHaveText('−$21.25');
  await expect(page.getByTestId('line-discounted')).toHaveText(/was \$85\.00\s*now \$63\.75/);
  await expect(page.getByTestId('fees')).toHaveText('$2.00');
  await expect(page.getByTestId('total')).toHaveText('$65.75');
  await screenshotOf(page.locator('.checkout-page'), 'checkout-payment-promo');

  const card = page.getByRole('form', { name: 'Pay by card' });
  await card.getByLabel('Card number').fill('4242 4242 4242 4242');
  await card.getByLabel('Expiry (MM/YY)').fill('12/30');
  await card.getByLabel('CVC').fill('123');
  await card.getByRole('button', { name: 'Pay $65.75' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you — your order is confirmed', { timeout: 30_000 });
  await expect(page.getByTestId('order-ticket')).toHaveText([/Orchestra, row C, seat 12\s*Adult · \$63\.75/]);
  await expect(page.getByTestId('subtotal')).toHaveText('$85.00');
  await expect(page.getByTestId('discount')).toHaveText('−$21.25');
  await expect(page.getByTestId('total')).toHaveText('$65.75');
  await screenshotOf(page.locator('.order-page'), 'order-confirmation-promo', 'order-confirmation-promo');

  // The order counted one use of the code.
  const codes = await api(baseURL!, 'GET', '/admin/v1/promo-codes', undefined, await ownerToken(baseURL!));
  expect(codes.status).toBe(200);
  expect((codes.body.promoCodes as { code: string; uses: number }[]).find((c) => c.code === code)?.uses).toBe(1);
});

test('hidden prices: staff hide a friends price and create a code that unlocks it; a patron with the code buys at that price', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Unlock');
  const code = unique('friends').toUpperCase();

  // --- staff: a $20 friends price in the Premium zone, hidden (promo code only) ----------------
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Events');
  const event = page.getByTestId('admin-event').filter({ has: page.getByRole('heading', { name: show.title, exact: true }) });
  await event.getByRole('button', { name: new RegExp(`^Edit ${show.title},`) }).click();
  const edit = event.getByRole('form', { name: 'Edit performance' });
  await edit.getByLabel('Add a ticket type').fill('Friends');
  await edit.getByRole('button', { name: 'Add type' }).click();
  await edit.getByLabel('Premium friends price').fill('20');
  const hidden = edit.getByRole('checkbox', { name: 'friends hidden — promo code only' });
  await expect(hidden).not.toBeChecked();
  await expect(edit.getByRole('checkbox', { name: 'adult hidden — promo code only' })).not.toBeChecked();
  await hidden.check();
  await expect(hidden).toHaveAccessibleDescription(/offered only to carts whose promo code unlocks it/);
  await screenshotOf(edit, 'admin-price-table-hidden');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toHaveCount(0);
  const token = await ownerToken(baseURL!);
  const saved = await api(baseURL!, 'GET', `/admin/v1/performances/${show.performanceId}`, undefined, token);
  expect(saved.status).toBe(200);
  expect((saved.body.prices as { zone: string; priceType: string; hidden?: boolean }[]).filter((p) => p.priceType === 'friends')).toEqual([
    expect.objectContaining({ zone: 'premium', priceType: 'friends', price: { amount: 2000, currency: 'USD' }, hidden: true }),
  ]);
  // Opened again, the row shows as hidden.
  await event.getByRole('button', { name: new RegExp(`^Edit ${show.title},`) }).click();
  await expect(event.getByRole('form', { name: 'Edit performance' }).getByRole('checkbox', { name: 'friends hidden — promo code only' })).toBeChecked();
  await event.getByRole('form', { name: 'Edit performance' }).getByRole('button', { name: 'Cancel' }).click();

  // --- staff: a code that only unlocks the friends price ----------------------------------------
  await openAdminPage(page, 'Promo codes');
  const form = page.getByRole('form', { name: 'New promo code' });
  await expect(form.getByText('A code may take money off, unlock hidden prices, or both.')).toBeVisible();
  await form.getByLabel('Code', { exact: true }).fill(code);
  await form.getByLabel('Unlocks price types').fill('Friends');
  await screenshotOf(form, 'admin-promo-form-unlocks');
  await form.getByRole('button', { name: 'Create code' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${code} is created` })).toBeVisible();
  const row = page.getByTestId('promo-code').filter({ has: page.getByRole('rowheader', { name: code, exact: true }) });
  await expect(row.getByTestId('promo-offer')).toHaveText('Unlocks friends');
  await screenshotOf(row, 'admin-promo-code-unlocks');

  // --- patron: no friends price on the site ------------------------------------------------------
  const publicView = await api(baseURL!, 'GET', `/api/v1/performances/${show.performanceId}`);
  expect((publicView.body.prices as { priceType: string }[]).map((p) => p.priceType)).not.toContain('friends');
  await page.goto(`/performances/${show.performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
  await seat(page, 'Orchestra row C seat 12').click();
  await expect(seat(page, 'Orchestra row C seat 12')).toHaveAttribute('data-state', 'mine');
  await expect(page.getByText(/friends/i)).toHaveCount(0);
  await expect(page.getByText('$20.00')).toHaveCount(0);
  await page.getByTestId('your-tickets').getByRole('link', { name: /View cart/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your cart');
  // Without the code, checkout offers everyone's prices only.
  await page.getByRole('link', { name: 'Checkout', exact: true }).click();
  const ticket = page.getByLabel(/Orchestra, row C, seat 12/);
  await expect(ticket.locator('option')).toHaveText(['Adult — $85.00', 'Student — $42.50']);
  await page.goto('/cart');

  // --- patron: the code on the cart, the friends price at checkout --------------------------------
  await page.getByLabel('Promo code', { exact: true }).fill(code.toLowerCase());
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('cart-promo-applied')).toHaveText(`${code} — unlocks the friends price`);
  await expect(page.getByTestId('cart-promo-hint')).toHaveText('Choose the friends price for your tickets at checkout.');
  await screenshotOf(page.locator('.cart-page'), 'cart-promo-unlocks');

  await page.getByRole('link', { name: 'Checkout', exact: true }).click();
  await expect(page.getByTestId('checkout-promo')).toContainText(`${code} — unlocks the friends price`);
  await expect(ticket.locator('option')).toHaveText(['Adult — $85.00', 'Student — $42.50', 'Friends — $20.00']);
  await expect(ticket).toHaveValue('adult');
  await ticket.selectOption({ label: 'Friends — $20.00' });
  await page.getByLabel('Name', { exact: true }).fill('Friend Patron');
  await page.getByLabel('Email', { exact: true }).fill(`${unique('friend')}@example.org`);
  await screenshotOf(page.locator('.checkout-page'), 'checkout-unlocked-price');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(page.getByTestId('subtotal')).toHaveText('$20.00');
  await expect(page.getByTestId('discount')).toHaveCount(0);
  await expect(page.getByTestId('fees')).toHaveText('$2.00');
  await expect(page.getByTestId('total')).toHaveText('$22.00');
  await screenshotOf(page.locator('.checkout-page'), 'checkout-payment-unlocked');

  const card = page.getByRole('form', { name: 'Pay by card' });
  await card.getByLabel('Card number').fill('4242 4242 4242 4242');
  await card.getByLabel('Expiry (MM/YY)').fill('12/30');
  await card.getByLabel('CVC').fill('123');
  await card.getByRole('button', { name: 'Pay $22.00' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you — your order is confirmed', { timeout: 30_000 });
  await expect(page.getByTestId('order-ticket')).toHaveText([/Orchestra, row C, seat 12\s*Friends · \$20\.00/]);
  await expect(page.getByTestId('total')).toHaveText('$22.00');
  await screenshotOf(page.locator('.order-page'), 'order-confirmation-unlocked');

  // The order counted one use of the code.
  const codes = await api(baseURL!, 'GET', '/admin/v1/promo-codes', undefined, await ownerToken(baseURL!));
  expect((codes.body.promoCodes as { code: string; uses: number }[]).find((c) => c.code === code)?.uses).toBe(1);
});
