// Staff block seats (house seats, kills) on a performance's map in the admin; patrons then see
// them as not available, and an unblocked seat can be chosen again. The show is this test's own.
import type { Page } from '@playwright/test';
import { expect, holdElsewhere, logIn, OWNER, openAdminPage, publishedShow, screenshotOf, test, watch } from './fixtures';

/** A seat by its screen-reader name, e.g. "Orchestra row C seat 12". */
function seat(page: Page, name: string) {
  return page.getByRole('button', { name: new RegExp(`^${name},`) });
}

test('staff block two seats, patrons cannot choose them; an unblocked seat is free again', async ({ page, browser, baseURL, problems }) => {
  const show = await publishedShow(baseURL!, 'Blocks');

  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Events');
  const event = page.getByTestId('admin-event').filter({ has: page.getByRole('heading', { name: show.title, exact: true }) });
  await event.getByRole('link', { name: /^Block seats/ }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/performances/${show.performanceId}/seats$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Block seats');
  const blocks = page.getByTestId('seat-blocks');
  await expect(blocks.locator('circle[data-seat]')).toHaveCount(500);

  // One seat by click, the next with the keyboard.
  const c12 = seat(page, 'Orchestra row C seat 12');
  const c13 = seat(page, 'Orchestra row C seat 13');
  await c12.click();
  await expect(c12).toHaveAttribute('aria-pressed', 'true');
  await c12.press('ArrowRight');
  await expect(c13).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(c13).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('blocks-selection')).toHaveText('Chosen: C12, C13.');

  await page.getByRole('button', { name: 'Block 2 seats' }).click();
  await expect(page.getByTestId('blocks-message')).toHaveText('Blocked 2 seats: C12, C13.');
  for (const blocked of [c12, c13]) {
    await expect(blocked).toHaveAttribute('data-state', 'blocked');
    await expect(blocked).toHaveAttribute('aria-pressed', 'false');
    await expect(blocked).toHaveAccessibleName(/, blocked$/);
  }

  // A seat a patron holds is refused, named and ringed; nothing is blocked.
  await holdElsewhere(baseURL!, show.performanceId, ['orchestra-C-14']);
  const c14 = seat(page, 'Orchestra row C seat 14');
  const c15 = seat(page, 'Orchestra row C seat 15');
  await c15.click();
  // The map may already show C14 as held (polling); then it cannot even be chosen.
  if ((await c14.getAttribute('data-state')) === 'free') {
    await c14.click();
    await page.getByRole('button', { name: 'Block 2 seats' }).click();
    await expect(page.getByTestId('blocks-message')).toHaveText('Held or sold by patrons, so they cannot be blocked: C14. Nothing was blocked.');
    await expect(c14).toHaveClass(/\brefused\b/);
    await expect(c15).toHaveAttribute('data-state', 'free');
  }
  await expect(c14).toHaveAttribute('data-state', 'held');
  await screenshotOf(blocks, 'admin-seat-blocks');
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByTestId('blocks-selection')).toHaveText('No seats chosen.');
  await expect(c14).not.toHaveClass(/\brefused\b/);
  // A held seat cannot even be chosen (aria-disabled: Playwright has to force the click).
  await c14.click({ force: true });
  await expect(page.getByTestId('blocks-message')).toHaveText('Seat C14 is held by a patron: it cannot be blocked.');
  await expect(c14).toHaveAttribute('aria-pressed', 'false');

  // Patrons see both blocked seats as not available.
  const patron = await browser.newContext({ baseURL });
  try {
    const buyer = watch(await patron.newPage(), problems);
    await buyer.goto(`/performances/${show.performanceId}`);
    await expect(buyer.locator('circle[data-seat]')).toHaveCount(500);
    for (const name of ['Orchestra row C seat 12', 'Orchestra row C seat 13']) {
      const s = seat(buyer, name);
      await expect(s).toHaveAttribute('data-state', 'blocked');
      await expect(s).toHaveAttribute('aria-disabled', 'true');
      await expect(s).toHaveAccessibleName(/, not available$/);
    }
    await seat(buyer, 'Orchestra row C seat 12').click({ force: true });
    await expect(buyer.getByTestId('hold-message')).toHaveText('Sorry — seat C12 is not available.');
    await expect(seat(buyer, 'Orchestra row C seat 12')).toHaveAttribute('data-state', 'blocked');

    // Unblock one.
    await c13.click();
    await page.getByRole('button', { name: 'Unblock 1 seat' }).click();
    await expect(page.getByTestId('blocks-message')).toHaveText('Unblocked 1 seat: C13.');
    await expect(c13).toHaveAttribute('data-state', 'free');
    await expect(c12).toHaveAttribute('data-state', 'blocked');

    // The patron's map catches up (live or polling) and the seat can be held.
    const freed = seat(buyer, 'Orchestra row C seat 13');
    await expect(freed).toHaveAttribute('data-state', 'free');
    await freed.click();
    await expect(freed).toHaveAttribute('data-state', 'mine');
    await expect(seat(buyer, 'Orchestra row C seat 12')).toHaveAttribute('data-state', 'blocked');
  } finally {
    await patron.close();
  }
});
