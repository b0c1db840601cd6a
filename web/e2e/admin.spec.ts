import { activeStaff, api, expect, invitationCode, logIn, OWNER, openAdminPage, ownerToken, screenshot, test, unique } from './fixtures';

test('a wrong password shows a clear message', async ({ page }) => {
  await page.goto('/admin');
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('The email or password is wrong');
  await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
  await screenshot(page, 'admin-login-wrong-password');
});

test('the owner renames the venue and the site shows the new name', async ({ page, baseURL }) => {
  const renamed = `Demo Playhouse (${unique('renamed')})`;
  try {
    await logIn(page, OWNER.email, OWNER.password);
    await openAdminPage(page, 'Venue settings');
    const name = page.getByLabel('Name', { exact: true });
    await expect(name).toHaveValue(/Demo Playhouse/);
    await name.fill(renamed);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
    await expect(page.getByTestId('admin-venue-name')).toHaveText(renamed);

    await page.goto('/');
    await expect(page.getByTestId('venue-name')).toHaveText(renamed);

    // Restore it through the same form.
    await page.goto('/admin/venue');
    await page.getByLabel('Name', { exact: true }).fill('Demo Playhouse');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
    await page.goto('/');
    await expect(page.getByTestId('venue-name')).toHaveText('Demo Playhouse');
  } finally {
    // Whatever happened above, leave the shared demo venue as it was.
    await api(baseURL!, 'PUT', '/admin/v1/venue', { name: 'Demo Playhouse' }, await ownerToken(baseURL!));
  }
});

test('invalid settings show the error next to the field and change nothing', async ({ page, baseURL }) => {
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Venue settings');

  const primary = page.getByLabel('Primary colour', { exact: true });
  await primary.fill('#zz0000');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#venue-primary-colour-error')).toHaveText(/is not a colour like #1a2b3c/);
  await expect(primary).toHaveAttribute('aria-invalid', 'true');
  await screenshot(page, 'admin-venue-settings-field-error');
  await primary.fill('#5b2a86');

  // A zone this browser knows but the server does not (their IANA databases can differ).
  const timezone = page.getByLabel('Timezone');
  await timezone.evaluate((select: HTMLSelectElement) => select.add(new Option('Mars/Olympus Mons', 'Mars/Olympus_Mons')));
  await timezone.selectOption('Mars/Olympus_Mons');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#venue-timezone-error')).toHaveText(/is not an IANA timezone/);
  await expect(page.locator('#venue-primary-colour-error')).toHaveCount(0);

  const site = (await api(baseURL!, 'GET', '/api/v1/site')).body;
  expect(site.timezone).toBe('America/New_York');
  expect(site.branding.primaryColour).toBe('#5b2a86');
});

test('an invited scanner accepts the invitation and sees only the scan page', async ({ page, baseURL }) => {
  const email = `${unique('scanner')}@example.org`;
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Staff');
  // Exact labels: each member's row has its own "Role of …" select and buttons.
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Name', { exact: true }).fill('Sam <b>Scanner</b>');
  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Scanner' });
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status')).toContainText(`Invitation sent to ${email}`);
  const row = page.getByRole('row').filter({ hasText: email });
  // Typed markup is shown as text, never as HTML.
  await expect(row).toContainText('Sam <b>Scanner</b>');
  await expect(row).toContainText('Invited');
  await screenshot(page, 'admin-staff');

  const code = await invitationCode(page, baseURL!, email);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Staff login' })).toBeVisible();

  await page.goto(`/admin/accept-invite?email=${encodeURIComponent(email)}&code=${code}`);
  await expect(page.getByLabel('Email')).toHaveValue(email);
  await expect(page.getByLabel('Invitation code')).toHaveValue(code);
  await page.getByLabel('New password').fill('correct horse battery staple');
  await page.getByLabel('Repeat the password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Set password and log in' }).click();

  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(`${email} · Scanner`);
  const nav = page.getByRole('navigation', { name: 'Admin' });
  await expect(nav.getByRole('link')).toHaveText(['Overview', 'Scan tickets', 'View the site']);
  await screenshot(page, 'admin-scanner-landing');

  // The owner pages are not reachable by URL either (and the API refuses them anyway).
  await page.goto('/admin/venue');
  await expect(page.getByRole('alert')).toContainText('Your role does not give access to this page');

  // The new password works for a normal login.
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, email, 'correct horse battery staple');
});

test('a wrong invitation code is refused with a clear message', async ({ page }) => {
  await page.goto(`/admin/accept-invite?email=${encodeURIComponent(unique('nobody') + '@example.org')}&code=00112233445566778899aabbccddeeff`);
  await page.getByLabel('New password').fill('correct horse battery staple');
  await page.getByLabel('Repeat the password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Set password and log in' }).click();
  await expect(page.getByRole('alert')).toContainText('The invitation code is wrong or has expired');
  await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
});

test('repeated wrong passwords are rate limited with a clear message', async ({ page, baseURL }) => {
  // A fresh staff member of its own, so the shared owner account is never limited.
  const email = await activeStaff(page, baseURL!, 'box_office', 'a perfectly fine password');

  await page.goto('/admin');
  await page.getByLabel('Email').fill(email);
  const password = page.getByLabel('Password');
  const alert = page.getByRole('alert');
  for (let attempt = 1; attempt <= 5; attempt++) {
    await password.fill(`wrong password ${attempt}`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(alert).toContainText('The email or password is wrong');
    // Wait for the form to be ready again before the next attempt.
    await expect(page.getByRole('button', { name: 'Log in' })).toBeEnabled();
  }
  // The sixth try from this address is refused before the password is checked, even the
  // right one; the wait is what is left of the 15-minute window.
  await password.fill('a perfectly fine password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(alert).toHaveText(/^Too many attempts\. Try again in (\d+ minutes|1 minute|\d+ seconds?)\.$/);
  await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
  await screenshot(page, 'admin-login-rate-limited');
});

test('a manager sees staff but not the venue settings or domains', async ({ page, baseURL }) => {
  const email = await activeStaff(page, baseURL!, 'manager', 'manager password 123');
  await logIn(page, email, 'manager password 123');
  const nav = page.getByRole('navigation', { name: 'Admin' });
  await expect(nav.getByRole('link')).toHaveText(['Overview', 'Payments', 'Staff', 'Audit log', 'Events', 'Seat maps', 'Promo codes', 'Sell', 'Will call', 'Sales', 'Reports', 'Orders', 'Scan tickets', 'View the site']);
  await openAdminPage(page, 'Staff');
  // A manager may not hand out the owner role.
  await expect(page.getByLabel('Role', { exact: true }).locator('option')).toHaveText(['Manager', 'Box office', 'Scanner']);
  // Nor change or remove an owner.
  await expect(page.getByLabel(`Role of`).first()).toBeVisible();
  await expect(page.getByRole('button', { name: /^Remove / })).not.toHaveCount(0);
  const ownerRow = page.getByRole('row').filter({ hasText: OWNER.email });
  await expect(ownerRow).toContainText('Owner');
  await expect(ownerRow.getByRole('combobox')).toHaveCount(0);
  await expect(ownerRow.getByRole('button')).toHaveCount(0);
});

test('logging out forgets the session, also after a reload', async ({ page }) => {
  await logIn(page, OWNER.email, OWNER.password);
  await page.reload();
  await expect(page.getByTestId('signed-in-as')).toContainText(OWNER.email);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByText('You have logged out.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Staff login' })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
});
