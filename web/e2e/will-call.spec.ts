// Will call at the box office (/admin/will-call): seats reserved at the window for a patron to
// pay later appear on the performance's will-call list as to pay, are paid there in cash with
// the change shown, and are handed over once ("Picked up" is not offered again, and a second
// pick-up is refused naming who and when). Back at the Sell page, the same patron is found by
// search and fills the sale's details. The test publishes a show of its own.
import { api, expect, logIn, OWNER, ownerToken, publishedShow, screenshotOf, test } from './fixtures';

/** "$174.00" → 17400 */
function cents(text: string): number {
  return Math.round(Number(text.replace(/[^\d.]/g, '')) * 100);
}

test('will call: a reservation made at the window is paid in cash with change, picked up once, and its patron found by search', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'WillCall');
  // A first name nobody else has: the patron search matches names by their start.
  const first = `Quill${Date.now().toString(36)}`;
  const name = `${first} Reserve`;
  await logIn(page, OWNER.email, OWNER.password);
  await page.goto(`/admin/sell?performance=${show.performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);

  // Reserve two seats for a patron who pays later; their tickets wait at will call.
  await page.getByLabel('Seats', { exact: true }).fill('2');
  await page.getByRole('button', { name: 'Hold best seats' }).click();
  await expect(page.getByTestId('sale-ticket')).toHaveCount(2);
  await page.getByLabel('Reserve', { exact: true }).check();
  await expect(page.getByLabel('Reserved until')).not.toHaveValue('');
  await expect(page.getByRole('radio', { name: 'Will call' })).toBeChecked();
  await expect(page.getByTestId('sell-why')).toHaveText('A reservation needs the patron’s name.');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Phone', { exact: true }).fill('555 0100 42');
  const total = cents((await page.getByTestId('sale-totals').getByTestId('total').textContent()) ?? '');
  expect(total).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Reserve 2 tickets' }).click();
  const done = page.getByTestId('sale-done');
  await expect(done.getByRole('heading', { name: 'Reserved' })).toBeVisible();
  await expect(done).toContainText(`for ${name}, reserved, to pay`);
  const number = (await done.getByTestId('sale-number').textContent())!.trim();

  // On the performance's will-call list, to pay; found by name.
  await done.getByRole('link', { name: 'will-call list' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Will call' })).toBeVisible();
  await expect(page.getByLabel('Performance', { exact: true })).toHaveValue(show.performanceId);
  await page.getByLabel('Find by name or order number').fill(first.toLowerCase());
  const toPay = page.getByRole('region', { name: 'Reservations to pay' });
  const row = toPay.getByTestId('will-call-order').filter({ hasText: number });
  await expect(row).toHaveCount(1);
  await expect(page.getByTestId('will-call-order')).toHaveCount(1);
  await expect(row).toContainText(name);
  await expect(row).toContainText('2 tickets');
  await expect(row).toContainText('reserved until');

  // Paid in cash: short first (refused at the field), then enough, with the change shown.
  await row.getByRole('button', { name: 'Take payment…' }).click();
  const tendered = page.getByLabel('Cash tendered');
  await expect(tendered).toBeFocused();
  await page.keyboard.type('1');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'short of' })).toBeVisible();
  const cash = Math.ceil(total / 10_000) * 100 + 20;
  const changeText = `$${((cash * 100 - total) / 100).toFixed(2)}`;
  await tendered.fill(String(cash));
  await expect(page.getByTestId('pay-change')).toHaveText(`Change due ${changeText}`);
  await screenshotOf(page.locator('.admin-main'), 'admin-will-call-pay', 'admin-will-call-pay');
  await page.keyboard.press('Enter');
  const notice = page.getByTestId('will-call-notice');
  await expect(notice).toContainText(`Reservation ${number} paid in cash for ${name}`);
  await expect(notice.getByTestId('will-call-change')).toContainText(changeText);

  // Now to collect: picked up once, then shown with who and when, with no button.
  const toCollect = page.getByRole('region', { name: 'To collect' });
  const pickUp = toCollect.getByRole('button', { name: `Picked up: order ${number}, ${name}` });
  await expect(pickUp).toBeVisible();
  await expect(page.getByRole('region', { name: 'Reservations to pay' })).toHaveCount(0);
  await screenshotOf(page.locator('.admin-main'), 'admin-will-call-paid');
  await pickUp.click();
  const collected = page.getByRole('region', { name: 'Picked up' }).getByTestId('will-call-order').filter({ hasText: number });
  await expect(collected.getByTestId('will-call-picked-up')).toHaveText(new RegExp(`^Picked up .+ by ${OWNER.email.replace(/\./g, '\\.')}$`));
  await expect(page.getByRole('button', { name: new RegExp(`order ${number}`) })).toHaveCount(0);
  await screenshotOf(page.locator('.admin-main'), 'admin-will-call', 'admin-will-call');
  // After a reload too; and a second pick-up (another clerk's stale screen) is refused.
  await page.reload();
  await page.getByLabel('Find by name or order number').fill(number);
  await expect(page.getByRole('region', { name: 'Picked up' }).getByTestId('will-call-order')).toHaveCount(1);
  await expect(page.getByRole('button', { name: new RegExp(`order ${number}`) })).toHaveCount(0);
  const orderId = await page.getByRole('link', { name: number }).getAttribute('href');
  const id = decodeURIComponent(/id=([^&]+)/.exec(orderId!)![1]!);
  const again = await api(baseURL!, 'POST', `/admin/v1/orders/${id}/pickup`, {}, await ownerToken(baseURL!));
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('already_picked_up');
  expect(again.body.error.details.pickedUp.by).toBe(OWNER.email);

  // Back at the window, the patron is found by search and fills the sale's details.
  await page.getByRole('link', { name: 'Sell tickets for this performance' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sell' })).toBeVisible();
  const search = page.getByRole('combobox', { name: 'Find a patron' });
  await search.fill(first.toLowerCase());
  const option = page.getByTestId('patron-results').getByRole('option', { name: new RegExp(name) });
  await expect(option).toBeVisible();
  await expect(option).toContainText('555 0100 42');
  await search.press('Enter');
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue(name);
  await expect(page.getByLabel('Phone', { exact: true })).toHaveValue('555 0100 42');
  await expect(page.getByTestId('sale-patron-found')).toContainText(name);
  await expect(page.getByTestId('sale-summary')).toContainText(name);
});
