import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto('http://demo.localhost:3000/');
const perfId = await page.evaluate(async () => {
  const H = { 'Content-Type': 'application/json' };
  const j = async (m, p, body, tok) => { const r = await fetch(p, { method: m, headers: { ...H, ...(tok ? { Authorization: 'Bearer ' + tok } : {}) }, body: body ? JSON.stringify(body) : undefined }); return r.json(); };
  const tok = (await j('POST', '/admin/v1/login', { email: 'owner@demo.localhost', password: 'demo-owner-password' })).token;
  const maps = (await j('GET', '/admin/v1/seatmaps', null, tok)).seatMaps;
  const arena = maps.find((m) => m.seatCount === 20000);
  const ev = await j('POST', '/admin/v1/events', { title: 'Perf ' + Date.now(), description: '' }, tok);
  const perf = await j('POST', `/admin/v1/events/${ev.id}/performances`, { startsAt: '2027-01-20T00:30:00Z', seatMapId: arena.id, prices: [{ zone: 'floor', priceType: 'adult', amount: 5000 }], fees: [] }, tok);
  await j('POST', `/admin/v1/performances/${perf.id}/publish`, null, tok);
  return perf.id;
});
const timing = await page.evaluate(async (id) => {
  const out = {};
  for (const p of [`/api/v1/performances/${id}/seatmap`, `/api/v1/performances/${id}/seatmap/status`, `/api/v1/performances/${id}`]) {
    const t = performance.now(); const x = await (await fetch(p)).text(); out[p.split(id)[1] || 'perf'] = [Math.round(performance.now() - t), x.length];
  }
  return out;
}, perfId);
console.log('fetch timings', JSON.stringify(timing));
const perf = { id: perfId };
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
await page.goto(`http://demo.localhost:3000/performances/${perf.id}`);
await page.waitForFunction(() => document.querySelectorAll('circle[data-seat]').length === 20000, undefined, { timeout: 60000 });
console.log('drawn at', Math.round(await page.evaluate(() => performance.now())));
const { profile } = await cdp.send('Profiler.stop');
const self = new Map();
const dt = profile.timeDeltas; const ids = profile.samples;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
for (let i = 0; i < ids.length; i++) { const n = byId.get(ids[i]); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0)); }
console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${(v / 1000).toFixed(0)}ms ${k}`).join('\n'));
console.log(await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/')).map((e) => `${e.name.split('/api/')[1]} start ${Math.round(e.startTime)} end ${Math.round(e.responseEnd)}`).join('\n')));
const zoom = await page.evaluate(async () => {
  const b = [...document.querySelectorAll('button')].find((x) => x.getAttribute('aria-label') === 'Zoom in');
  const t0 = performance.now(); b.click(); await new Promise(requestAnimationFrame); const t1 = performance.now(); await new Promise((r) => setTimeout(r, 0)); await new Promise(requestAnimationFrame); return [t1 - t0, performance.now() - t0];
});
console.log('zoom', zoom);
const c = await page.evaluate(async () => {
  const t0 = performance.now();
  document.querySelector('[data-seat="s1-R1-1"]').dispatchEvent(new MouseEvent('click', { bubbles: true }));
  while (document.querySelector('[data-seat="s1-R1-1"]').getAttribute('data-state') !== 'mine') await new Promise((r) => setTimeout(r, 5));
  return performance.now() - t0;
});
console.log('click→mine', c);
console.log('mode', await page.getByTestId('live-mode').getAttribute('data-mode'));
await browser.close();
