// Managing who works at the venue, and one's own password: an owner changes a member's role and
// removes them (whose open session then ends), and an owner changes their password and stays
// logged in while their other sessions end. Each test makes its own members, so the shared demo
// owner's role and password never change.
import { api, expect, invitationCode, logIn, openAdminPage, OWNER, ownerToken, screenshot, test, unique, watch } from './fixtures';
import type { Page } from '@playwright/test';

interface Member {
  email: string;
  name: string;
  password: string;
}

/** An active member with a name of their own (the list may hold many "Test …" members). */
async function member(page: Page, baseURL: string, role: string): Promise<Member> {
  const id = unique(role.replace('_', '-'));
  const person = { email: `${id}@example.org`, name: `Riley ${id}`, password: `a fine password for ${id}` };
  const invited = await api(baseURL, 'POST', '/admin/v1/staff', { email: person.email, name: person.name, role }, await ownerToken(baseURL));
  expect(invited.status, 'invitation').toBe(201);
  const code = await invitationCode(page, baseURL, person.email);
  const accepted = await api(baseURL, 'POST', '/admin/v1/staff/accept', { email: person.email, code, password: person.password });
  expect(accepted.status, 'acceptance').toBe(200);
  return person;
}

async function roleOf(baseURL: string, email: string): Promise<string | undefined> {
  const list = await api(baseURL, 'GET', '/admin/v1/staff', undefined, await ownerToken(baseURL));
  return (list.body.staff as { email: string; role: string }[]).find((m) => m.email === email)?.role;
}

test("the owner changes a member's role, then removes them; the member's open session ends", async ({ page, browser, baseURL, problems }) => {
  const riley = await member(page, baseURL!, 'scanner');

  // Riley is logged in elsewhere.
  const elsewhere = await browser.newContext();
  const rileyPage = watch(await elsewhere.newPage(), problems);
  try {
    await logIn(rileyPage, riley.email, riley.password);
    const rileyToken = (await api(baseURL!, 'POST', '/admin/v1/login', { email: riley.email, password: riley.password })).body.token as string;
    expect((await api(baseURL!, 'GET', '/admin/v1/orders?q=nobody', undefined, rileyToken)).status).toBe(403);
    await expect(rileyPage.getByRole('navigation', { name: 'Admin' }).getByRole('link')).toHaveText(['Overview', 'Scan tickets', 'View the site']);

    await logIn(page, OWNER.email, OWNER.password);
    await openAdminPage(page, 'Staff');
    await expect(page.getByRole('row').filter({ hasText: OWNER.email })).toContainText('(you)');
    const row = page.getByRole('row').filter({ hasText: riley.email });
    await expect(row).toContainText('Active');

    // Change the role with the keyboard: focus the select, choose, save.
    const select = page.getByLabel(`Role of ${riley.name}`, { exact: true });
    await expect(select).toHaveValue('scanner');
    await expect(select.locator('option')).toHaveText(['Owner', 'Manager', 'Box office', 'Scanner']);
    const save = page.getByRole('button', { name: `Save role of ${riley.name}`, exact: true });
    await expect(save).toBeDisabled();
    await select.focus();
    await select.selectOption('box_office');
    await expect(save).toBeEnabled();
    await select.press('Tab');
    await expect(save).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('status').filter({ hasText: `${riley.name} is now a box office.` })).toBeVisible();
    await expect(select).toHaveValue('box_office');
    expect(await roleOf(baseURL!, riley.email)).toBe('box_office');
    await screenshot(page, 'admin-staff-role-changed');

    // The new role applies to Riley's next request, with the token Riley already has: the box
    // office may look up orders, a scanner may not. (The page keeps the role it logged in with
    // until Riley logs in again: the API has no call that tells a member their current role.)
    expect((await api(baseURL!, 'GET', '/admin/v1/orders?q=nobody', undefined, rileyToken)).status).toBe(200);

    // Remove: a confirmation names the person; Escape cancels it.
    const remove = page.getByRole('button', { name: `Remove ${riley.name}`, exact: true });
    await remove.click();
    const confirm = page.getByRole('alertdialog', { name: `Remove ${riley.name} from the staff?` });
    await expect(confirm).toContainText(`${riley.email} will no longer be able to log in`);
    await expect(confirm.getByRole('button', { name: 'Yes, remove' })).toBeFocused();
    await screenshot(page, 'admin-staff-remove-confirm');
    await page.keyboard.press('Escape');
    await expect(confirm).toHaveCount(0);
    await expect(remove).toBeFocused();

    await remove.click();
    await confirm.getByRole('button', { name: 'Yes, remove' }).click();
    await expect(page.getByRole('status').filter({ hasText: `${riley.name} (${riley.email}) is no longer on the staff.` })).toBeVisible();
    await expect(row).toHaveCount(0);
    expect(await roleOf(baseURL!, riley.email)).toBeUndefined();

    // Riley's open session ends: the next call takes them to the login form, which says why.
    await rileyPage.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Scan tickets' }).click();
    await expect(rileyPage.getByRole('heading', { name: 'Staff login' })).toBeVisible();
    await expect(rileyPage.getByRole('status')).toHaveText('Your session has ended; log in again.');
    // And the password no longer logs in.
    const again = await api(baseURL!, 'POST', '/admin/v1/login', { email: riley.email, password: riley.password });
    expect(again.status).toBe(401);
  } finally {
    await elsewhere.close();
  }
});

test('an owner changes their password and stays logged in; their other sessions end', async ({ page, browser, baseURL, problems }) => {
  const owner = await member(page, baseURL!, 'owner');
  const newPassword = `${owner.password} but newer`;

  const elsewhere = await browser.newContext();
  const otherPage = watch(await elsewhere.newPage(), problems);
  try {
    await logIn(otherPage, owner.email, owner.password);
    await logIn(page, owner.email, owner.password);

    await page.getByRole('link', { name: 'Change password' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Change password' })).toBeVisible();

    // A wrong current password is named at its field, and nothing ends.
    await page.getByLabel('Current password', { exact: true }).fill('not my password at all');
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.locator('#password-current-error')).toHaveText('This is not your current password.');
    await expect(page.getByTestId('signed-in-as')).toContainText(owner.email);

    // Too short a new password is refused before sending.
    await page.getByLabel('Current password', { exact: true }).fill(owner.password);
    await page.getByLabel('New password', { exact: true }).fill('too short');
    await page.getByLabel('Repeat the new password', { exact: true }).fill('too short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.locator('#password-new-error')).toHaveText('Use at least 12 characters.');

    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('status')).toContainText('Your password is changed. You stay logged in here; every other session');
    await screenshot(page, 'admin-change-password');

    // This session goes on, also after a reload (the fresh token was stored).
    await openAdminPage(page, 'Staff');
    await expect(page.getByRole('row').filter({ hasText: owner.email })).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('signed-in-as')).toContainText(owner.email);
    await expect(page.getByRole('heading', { level: 1, name: 'Staff' })).toBeVisible();

    // The other one ends at its next call, with the reason on the login form.
    await otherPage.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Staff' }).click();
    await expect(otherPage.getByRole('heading', { name: 'Staff login' })).toBeVisible();
    await expect(otherPage.getByRole('status')).toHaveText('Your session has ended; log in again.');

    // Only the new password logs in.
    expect((await api(baseURL!, 'POST', '/admin/v1/login', { email: owner.email, password: owner.password })).status).toBe(401);
    expect((await api(baseURL!, 'POST', '/admin/v1/login', { email: owner.email, password: newPassword })).status).toBe(200);
  } finally {
    await elsewhere.close();
    // Leave no extra owner behind (the demo owner removes this one).
    await api(baseURL!, 'DELETE', `/admin/v1/staff/${encodeURIComponent(owner.email)}`, undefined, await ownerToken(baseURL!));
  }
});
