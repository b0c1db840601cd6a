// Staff building the catalog: events, performances, publishing, seat maps from CSV.
import { api, expect, logIn, OWNER, openAdminPage, ownerToken, screenshot, test, unique } from './fixtures';

test('staff create an event with a performance, publish it, and patrons see it', async ({ page, baseURL }) => {
  const title = unique('Opening Night');
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Events');

  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Description').fill('A <b>gala</b> evening.');
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is created' })).toBeVisible();

  const event = page.getByTestId('admin-event').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
  const form = event.getByRole('form', { name: 'New performance' });
  // A date well inside the coming year, 7:30 pm at the venue.
  const day = new Date(Date.now() + (30 + Math.floor(Math.random() * 150)) * 86_400_000).toISOString().slice(0, 10);
  await form.getByLabel('Starts at (America/New York)').fill(`${day}T19:30`);
  await form.getByLabel('Seat map').selectOption({ label: 'Demo Playhouse (500 seats, 1 GA)' });
  await form.getByLabel('Add a ticket type').fill('Student');
  await form.getByRole('button', { name: 'Add type' }).click();
  for (const [zone, adult, student] of [
    ['Premium', '85.00', '42.50'],
    ['Standard', '60', ''],
    ['Balcony', '35', '17.50'],
    ['Lawn', '25', ''],
  ] as const) {
    await form.getByLabel(`${zone} adult price`).fill(adult);
    if (student) await form.getByLabel(`${zone} student price`).fill(student);
  }
  await form.getByRole('button', { name: 'Add a fee' }).click();
  await form.getByLabel('Fee name').fill('Booking fee');
  await form.getByLabel('Amount').fill('2.00');
  await screenshot(page, 'admin-new-performance');
  await form.getByRole('button', { name: 'Save performance' }).click();

  const row = event.getByTestId('admin-performance');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('7:30 PM');
  await expect(row).toContainText('$17.50 – $85.00');
  await expect(row.getByTestId('performance-status')).toHaveText('Draft');

  // Not on the site while it is a draft.
  const before = await api(baseURL!, 'GET', '/api/v1/events');
  expect((before.body.events as { title: string }[]).some((e) => e.title === title)).toBe(false);

  await row.getByRole('button', { name: 'Publish' }).click();
  await expect(row.getByTestId('performance-status')).toHaveText('On sale');
  await screenshot(page, 'admin-events');

  await page.goto('/');
  await page.getByRole('link', { name: title, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.getByText('A <b>gala</b> evening.')).toBeVisible();
  await expect(page.getByTestId('performance').locator('time')).toContainText('7:30 PM');
  await expect(page.getByTestId('performance').getByTestId('price-range')).toHaveText('$17.50 – $85.00');

  // Pausing takes it off sale again.
  await page.goto('/admin/events');
  const again = page.getByTestId('admin-event').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
  await again.getByRole('button', { name: 'Pause' }).click();
  await expect(again.getByTestId('performance-status')).toHaveText('Paused');
});

test('staff add a run of performances whose times stay on the clock when summer time starts, edit one, and duplicate the run a week on', async ({ page, baseURL }) => {
  const title = unique('Twelfth Night');
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Events');
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is created' })).toBeVisible();

  const event = page.getByTestId('admin-event').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
  const form = event.getByRole('form', { name: 'New performance' });
  await form.getByLabel('A run of performances').check();
  // New York's clocks go forward on Sunday 2027-03-14; the run keeps Tue–Sat 19:30, Sun 14:00.
  await form.getByLabel('First date').fill('2027-03-12');
  await form.getByLabel('Last date').fill('2027-03-16');
  await form.getByLabel('Seat map').selectOption({ label: 'Demo Playhouse (500 seats, 1 GA)' });
  for (const zone of ['Premium', 'Standard', 'Balcony', 'Lawn']) await form.getByLabel(`${zone} adult price`).fill('40');
  await screenshot(page, 'admin-new-run');
  await form.getByRole('button', { name: 'Save the run' }).click();

  const rows = event.getByTestId('admin-performance');
  await expect(rows).toHaveCount(4);
  for (const [i, time] of ['7:30 PM', '7:30 PM', '2:00 PM', '7:30 PM'].entries()) await expect(rows.nth(i)).toContainText(time);
  await expect(rows.getByTestId('performance-status').first()).toHaveText('Draft');

  // One of them is edited: a dearer front, an hour later, and a sales tax.
  await rows.nth(2).getByRole('button', { name: /^Edit/ }).click();
  const edit = event.getByRole('form', { name: 'Edit performance' });
  await expect(edit.getByLabel('Starts at (America/New York)')).toHaveValue('2027-03-14T14:00');
  await edit.getByLabel('Premium adult price').fill('55');
  await edit.getByLabel('Starts at (America/New York)').fill('2027-03-14T15:00');
  await edit.getByRole('button', { name: 'Add a tax' }).click();
  await edit.getByLabel('Tax name').fill('Sales tax');
  await edit.getByLabel('Rate (%)').fill('8.88');
  await screenshot(page, 'admin-edit-performance');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toHaveCount(0);
  await expect(rows.nth(2)).toContainText('3:00 PM');
  await expect(rows.nth(2)).toContainText('$40.00 – $55.00');
  const token = await ownerToken(baseURL!);
  const listed = await api(baseURL!, 'GET', '/admin/v1/events', undefined, token);
  const made = (listed.body.events as { title: string; performances: { id: string; startsAt: { utc: string } }[] }[]).find((e) => e.title === title)!;
  // 15:00 in New York on the first day of summer time.
  const id = made.performances.find((p) => p.startsAt.utc === '2027-03-14T19:00:00Z')!.id;
  const saved = await api(baseURL!, 'GET', `/admin/v1/performances/${id}`, undefined, token);
  expect(saved.body.taxes).toEqual([{ name: 'Sales tax', rateBp: 888, inclusive: false }]);

  // Next week's run: the event duplicated with its performances a week on, as drafts, at the
  // same times on the venue's clock (the first two were before the clocks changed).
  await event.getByRole('button', { name: /^Duplicate…/ }).click();
  const duplicate = event.getByRole('form', { name: `Duplicate ${title}` });
  await duplicate.getByLabel('Title of the copy').fill(`${title}, week 2`);
  await duplicate.getByLabel('Days later').fill('0');
  await duplicate.getByRole('button', { name: 'Duplicate event' }).click();
  await expect(duplicate.getByText(/whole number of days from 1/)).toBeVisible();
  await duplicate.getByLabel('Days later').fill('7');
  await screenshot(page, 'admin-duplicate-event');
  await duplicate.getByRole('button', { name: 'Duplicate event' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'with 4 draft performances' })).toBeVisible();
  const copy = page.getByTestId('admin-event').filter({ has: page.getByRole('heading', { name: `${title}, week 2`, exact: true }) });
  const copies = copy.getByTestId('admin-performance');
  await expect(copies).toHaveCount(4);
  for (const [i, when] of ['March 19', 'March 20', 'March 21', 'March 23'].entries()) await expect(copies.nth(i)).toContainText(when);
  for (const [i, time] of ['7:30 PM', '7:30 PM', '3:00 PM', '7:30 PM'].entries()) await expect(copies.nth(i)).toContainText(time);
  await expect(copies.getByTestId('performance-status')).toHaveText(['Draft', 'Draft', 'Draft', 'Draft']);
  await expect(copies.nth(2)).toContainText('$40.00 – $55.00');
});

// A 2×2 PNG, red.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

test('staff edit an event’s title, text and image; a wrong file type is refused before upload', async ({ page }) => {
  const title = unique('Winter Gala');
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Events');
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is created' })).toBeVisible();
  const event = page.getByTestId('admin-event').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

  await event.getByRole('button', { name: /^Edit details/ }).click();
  const form = event.getByRole('form', { name: `Edit ${title}` });
  await form.getByLabel('Image').setInputFiles({ name: 'poster.gif', mimeType: 'image/gif', buffer: PNG });
  await expect(form.getByText('Choose a JPEG, PNG or WebP image.')).toBeVisible();
  await form.getByLabel('Image').setInputFiles({ name: 'poster.png', mimeType: 'image/png', buffer: PNG });
  await form.getByLabel('Title').fill(`${title} (revised)`);
  await form.getByLabel('Description').fill('Now with an orchestra.');
  await form.getByRole('button', { name: 'Save details' }).click();
  const revised = page.getByTestId('admin-event').filter({ has: page.getByRole('heading', { name: `${title} (revised)`, exact: true }) });
  await expect(revised).toHaveCount(1);
  await expect(revised.getByRole('form', { name: /^Edit / })).toHaveCount(0);

  // The image is stored and served: the form shows it when opened again.
  await revised.getByRole('button', { name: /^Edit details/ }).click();
  const current = revised.getByRole('img', { name: /The current image/ });
  await expect(current).toBeVisible();
  await expect.poll(() => current.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(2);
  await screenshot(page, 'admin-event-details');

  // The audit log shows who changed the title, from what to what.
  await openAdminPage(page, 'Audit log');
  await page.getByLabel('Action').selectOption({ label: 'Edited an event' });
  await page.getByRole('button', { name: 'Show' }).click();
  const entry = page.getByTestId('audit-entry').filter({ hasText: `${title} (revised)` }).first();
  await expect(entry).toContainText(OWNER.email);
  await expect(entry.locator('del').filter({ hasText: title }).first()).toBeVisible();
  await screenshot(page, 'admin-audit-log');
});

const HEADER = 'section,row,seat,price zone,best-available rank,x,y,note,accessible';

test('a CSV seat map is drawn as a preview, and a bad line is pointed out by number', async ({ page, baseURL }) => {
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Seat maps');

  const name = unique('Studio');
  const good = [HEADER];
  for (const [r, row] of ['A', 'B', 'C'].entries()) {
    for (let s = 1; s <= 8; s++) good.push(`stalls,${row},${s},${r === 0 ? 'front' : 'back'},${r * 8 + s},${s * 30},${r * 32},,${r === 2 && s === 1 ? 'yes' : ''}`);
  }
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('CSV file').setInputFiles({ name: 'studio.csv', mimeType: 'text/csv', buffer: Buffer.from(good.join('\n') + '\n') });
  await page.getByRole('button', { name: 'Import seat map' }).click();
  await expect(page.getByRole('status')).toHaveText(`Imported “${name}”: 24 seats in 1 section.`);
  const preview = page.getByTestId('seatmap-preview');
  await expect(preview.locator('circle[data-seat]')).toHaveCount(24);
  await expect(preview.getByRole('img', { name: 'stalls row C seat 1, back, wheelchair space, available' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: name })).toContainText('24');
  await screenshot(page, 'admin-seatmap-preview');

  const bad = [HEADER, 'stalls,A,1,front,1,30,0,,', 'stalls,A,2,front,2,sixty,0,,', 'stalls,A,3,front,3,90,0,,'];
  await page.getByLabel('Name').fill(unique('Broken'));
  await page.getByLabel('CSV file').setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(bad.join('\n')) });
  await page.getByRole('button', { name: 'Import seat map' }).click();
  const problem = page.getByTestId('csv-problem');
  await expect(problem).toContainText('Problem on line 3, column “x”');
  await expect(problem).toContainText('stalls,A,2,front,2,sixty,0,,');
  await screenshot(page, 'admin-seatmap-csv-error');

  // Nothing was saved from the broken file.
  const maps = await api(baseURL!, 'GET', '/admin/v1/seatmaps', undefined, await ownerToken(baseURL!));
  expect((maps.body.seatMaps as { name: string }[]).filter((m) => m.name.startsWith('Broken'))).toHaveLength(0);
});
