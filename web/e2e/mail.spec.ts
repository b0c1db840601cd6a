// Tickets by post end to end: the owner turns them on in the venue settings (posted by the box
// office, for a fee, to the US and the UK); a patron buys a seat to be posted, is stopped at the
// ZIP code field with a bad ZIP, fixes it and pays with the test card, the postage in the
// totals; a box office clerk finds the order on the to-post list with its address, downloads
// the address labels and marks it mailed; the patron's order page then says the tickets are in
// the post.
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { activeStaff, expect, logIn, openAdminPage, OWNER, publishedShow, screenshotOf, test, unique, watch } from './fixtures';

function seat(page: Page, name: string) {
  return page.getByRole('button', { name: new RegExp(`^${name},`) });
}

test('mail: the owner turns on tickets by post, a patron has them posted, the clerk labels and mails them', async ({ page, browser, baseURL, problems }) => {
  test.setTimeout(120_000);
  const show = await publishedShow(baseURL!, 'Posted');

  // The owner: tickets by post, in house, $4.50, to the United States and the United Kingdom.
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Venue settings');
  const mail = page.getByRole('group', { name: 'Tickets by post' });
  await mail.getByLabel('Offer printed tickets by post').check();
  await mail.getByLabel(/^Postage charged/).fill('4.50');
  await mail.getByLabel(/^Posting closes/).fill('7');
  const countries = mail.getByRole('group', { name: 'Countries tickets are posted to' });
  await countries.getByLabel('United States').check();
  await countries.getByLabel('United Kingdom').check();
  await mail.getByLabel('The box office (').check();
  await screenshotOf(mail, 'mail-settings');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Settings saved\.|Nothing has changed\./ })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('group', { name: 'Tickets by post' }).getByLabel(/^Postage charged/)).toHaveValue('4.50');

  // The patron, in a browser of their own.
  const patronContext = await browser.newContext();
  const patron = watch(await patronContext.newPage(), problems);
  await patron.goto(`/performances/${show.performanceId}`);
  await expect(patron.locator('circle[data-seat]')).toHaveCount(500);
  await seat(patron, 'Orchestra row C seat 12').click();
  await expect(seat(patron, 'Orchestra row C seat 12')).toHaveAttribute('data-state', 'mine');
  await patron.goto('/checkout');
  await expect(patron.getByTestId('checkout-ticket')).toHaveCount(1);
  await expect(patron.getByTestId('checkout-ticket').locator('select')).toHaveValue('adult');
  const name = `Grace ${unique('Hopper').slice(-6)}`;
  await patron.getByLabel('Name', { exact: true }).fill(name);
  await patron.getByLabel('Email', { exact: true }).fill(`${unique('posted')}@example.org`);
  await patron.getByLabel('Printed tickets by post (+$4.50 postage)').check();
  const address = patron.getByRole('group', { name: 'Post the tickets to' });
  // The venue's countries; the United States has a state and a ZIP code.
  await expect(address.getByLabel(/^Country/).locator('option')).toHaveText(['United Kingdom', 'United States']);
  await address.getByLabel(/^Country/).selectOption('US');
  await expect(address.getByLabel(/^Name on the envelope/)).toHaveValue(name);
  await address.getByLabel(/^Street address/).fill('1 Theatre Row');
  await address.getByLabel(/^City/).fill('New York');
  await address.getByLabel(/^State/).selectOption('NY');
  await address.getByLabel(/^ZIP code/).fill('1003');
  await patron.getByRole('button', { name: 'Continue to payment' }).click();
  // Stopped at the ZIP code, with the focus there; nothing was ordered.
  const zip = address.getByLabel(/^ZIP code/);
  await expect(address.getByText('Enter a valid ZIP code, like 95014.')).toBeVisible();
  await expect(zip).toBeFocused();
  await expect(zip).toHaveAttribute('aria-invalid', 'true');
  await screenshotOf(patron.locator('.checkout-page'), 'mail-checkout-zip-error');
  await zip.fill('10036');
  await patron.getByRole('button', { name: 'Continue to payment' }).click();

  // The postage is its own line of the totals before paying: $85 + $2 booking fee + $4.50.
  const number = (await patron.getByTestId('pending-order-number').textContent())!.trim();
  await expect(patron.getByTestId('mailing')).toHaveText('$4.50');
  await expect(patron.getByTestId('total')).toHaveText('$91.50');
  await screenshotOf(patron.locator('.checkout-page'), 'mail-checkout-payment');
  const card = patron.getByRole('form', { name: 'Pay by card' });
  await card.getByLabel('Card number').fill('4242 4242 4242 4242');
  await card.getByLabel('Expiry (MM/YY)').fill('12/30');
  await card.getByLabel('CVC').fill('123');
  await card.getByRole('button', { name: /^Pay / }).click();
  await expect(patron.getByRole('heading', { level: 1 })).toHaveText('Thank you — your order is confirmed', { timeout: 30_000 });
  await expect(patron.getByTestId('mail-status')).toHaveText('Your tickets will be printed and posted to you.');
  await expect(patron.getByTestId('order-address')).toContainText('NEW YORK NY 10036');

  // A box office clerk finds it on the to-post list with its address.
  const clerkEmail = await activeStaff(page, baseURL!, 'box_office', 'clerk-password-123');
  const clerkContext = await browser.newContext();
  const clerk = watch(await clerkContext.newPage(), problems);
  await logIn(clerk, clerkEmail, 'clerk-password-123');
  await openAdminPage(clerk, 'Orders');
  const row = clerk.getByTestId('to-post-order').filter({ hasText: number });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('to-post-address')).toContainText(name);
  await expect(row.getByTestId('to-post-address')).toContainText('1 Theatre Row');
  await expect(row.getByTestId('to-post-address')).toContainText('NEW YORK NY 10036');
  await screenshotOf(clerk.locator('.to-post'), 'mail-to-post');

  // The address labels: an Avery 5160 PDF.
  const labels = clerk.waitForResponse((r) => r.url().includes('/admin/v1/orders/to-post/labels.pdf'));
  const download = clerk.waitForEvent('download');
  await clerk.getByRole('button', { name: 'Address labels (PDF)' }).click();
  const answer = await labels;
  expect(answer.status()).toBe(200);
  expect(answer.headers()['content-type']).toBe('application/pdf');
  const file = await download;
  expect(file.suggestedFilename()).toBe('labels.pdf');
  expect(readFileSync(await file.path()).subarray(0, 5).toString()).toBe('%PDF-');

  // Mark mailed: it leaves the list.
  await row.getByRole('button', { name: `Mark mailed order ${number}` }).click();
  await expect(clerk.getByRole('status').filter({ hasText: `Order ${number} is marked mailed` })).toBeVisible();
  await expect(clerk.getByTestId('to-post-order').filter({ hasText: number })).toHaveCount(0);

  // The patron's order page says the tickets are in the post.
  await patron.reload();
  await expect(patron.getByTestId('mail-status')).toHaveText('Your tickets are in the post.');
  await expect(patron.getByTestId('mail-status-label')).toHaveText('In the post');
  await screenshotOf(patron.locator('.order-page'), 'mail-order-in-the-post');

  await clerkContext.close();
  await patronContext.close();
});
