import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import { bigLayout, freeStatus, PRICES, SMALL_SEATS, smallLayout } from '../../test/seatmaps';
import { SeatMapModel } from './model.svelte';
import SeatMap from './SeatMap.svelte';

function setup(props: Record<string, unknown> = {}) {
  const layout = smallLayout();
  const model = new SeatMapModel(layout, freeStatus(layout));
  const onseat = vi.fn();
  const onga = vi.fn();
  const result = render(SeatMap, { model, prices: PRICES, onseat, onga, ...props });
  const seat = (id: string) => result.container.querySelector<SVGCircleElement>(`[data-seat="${id}"]`)!;
  return { ...result, model, onseat, onga, seat };
}

describe('SeatMap', () => {
  it('draws every seat at its x/y inside a view box fitted to the layout', () => {
    const { container, seat } = setup();
    expect(container.querySelectorAll('circle[data-seat]')).toHaveLength(SMALL_SEATS);
    const c12 = seat('orchestra-C-12');
    expect(c12.getAttribute('cx')).toBe('430');
    expect(c12.getAttribute('cy')).toBe('164');
    const [x, y, w, h] = container.querySelector('svg.seatmap-svg')!.getAttribute('viewBox')!.split(' ').map(Number);
    expect(x! < 100 && y! < 100 && x! + w! > 430 && y! + h! > 500).toBe(true);
  });

  it('colours seats by zone and labels them for screen readers with zone, price and state', () => {
    const { seat } = setup();
    expect(seat('orchestra-C-12').getAttribute('fill')).toBe('#b8336a');
    expect(seat('balcony-D-1').getAttribute('fill')).toBe('#3c6e71');
    expect(screen.getByRole('button', { name: 'Orchestra row C seat 12, Premium, $85.00, available' })).toBe(seat('orchestra-C-12'));
    expect(seat('orchestra-B-1').getAttribute('aria-label')).toBe('Orchestra row B seat 1, Premium, $85.00, wheelchair space, available');
  });

  it('shows a legend with zone names and price ranges, states and the wheelchair symbol', () => {
    setup();
    const zones = screen.getByRole('list', { name: 'Price zones' });
    expect(within(zones).getAllByRole('listitem').map((li) => li.textContent?.trim())).toEqual([
      'Premium $42.50 – $85.00',
      'Standard $60.00',
      'Lawn $25.00',
    ]);
    const states = screen.getByRole('list', { name: 'Seat states' });
    expect(states.textContent).toMatch(/Available.*Your seats.*Held by someone else.*Sold.*Not available.*Wheelchair space/);
  });

  it('draws held, sold, blocked and my seats distinctly, not by colour alone', () => {
    const { model, seat, container } = setup();
    model.applyChanges([
      { seatId: 'orchestra-A-1', status: 'held' },
      { seatId: 'orchestra-A-2', status: 'sold' },
      { seatId: 'orchestra-A-3', status: 'blocked' },
    ]);
    model.setMine(['orchestra-A-4']);
    flushSync();
    const fills = ['orchestra-A-1', 'orchestra-A-2', 'orchestra-A-3'].map((id) => seat(id).getAttribute('fill'));
    expect(fills.map((f) => /^url\(#.+-(held|sold|blocked)\)$/.exec(f!)?.[1])).toEqual(['held', 'sold', 'blocked']);
    // Each pattern exists: hatching, a cross, a bar.
    for (const fill of fills) expect(container.querySelector(fill!.slice(4, -1).replace(/:/g, '\\:'))).not.toBeNull();
    expect(seat('orchestra-A-4').getAttribute('class')).toBe('seat mine');
    expect(seat('orchestra-A-4').getAttribute('aria-pressed')).toBe('true');
    expect(seat('orchestra-A-1').getAttribute('aria-disabled')).toBe('true');
    expect(seat('orchestra-A-1').getAttribute('aria-label')).toMatch(/held by someone else$/);
    // Accessible seats carry a symbol.
    expect(container.querySelectorAll('.seat-marks use')).toHaveLength(1);
  });

  it('updates states in place: the same elements, only the changed ones touched', () => {
    const { model, container } = setup();
    const before = [...container.querySelectorAll('circle[data-seat]')];
    const untouched = before[20]!;
    const observer = new MutationObserver(() => {});
    observer.observe(container, { subtree: true, attributes: true, childList: true });
    model.applyChanges([{ seatId: 'orchestra-A-5', status: 'sold' }]);
    flushSync();
    const records = observer.takeRecords();
    observer.disconnect();
    expect(records.every((r) => r.type === 'attributes')).toBe(true);
    expect(new Set(records.map((r) => (r.target as Element).getAttribute('data-seat')))).toEqual(new Set(['orchestra-A-5']));
    const after = [...container.querySelectorAll('circle[data-seat]')];
    expect(after.every((el, i) => el === before[i])).toBe(true);
    expect(untouched.getAttribute('data-state')).toBe('free');
  });

  it('chooses a seat by click, and by Enter or Space after moving with the arrow keys', async () => {
    const { onseat, seat, model } = setup();
    await fireEvent.click(seat('orchestra-B-3'));
    expect(onseat).toHaveBeenLastCalledWith(model.seats[model.indexOf('orchestra-B-3')!], 'free');

    // Tab lands on the first seat; arrows move the focus and the tab stop.
    expect(seat('orchestra-A-1').getAttribute('tabindex')).toBe('-1'); // the clicked seat took the tab stop
    expect(seat('orchestra-B-3').getAttribute('tabindex')).toBe('0');
    seat('orchestra-B-3').focus();
    await fireEvent.keyDown(seat('orchestra-B-3'), { key: 'ArrowRight' });
    expect(document.activeElement).toBe(seat('orchestra-B-4'));
    await fireEvent.keyDown(seat('orchestra-B-4'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(seat('orchestra-C-4'));
    expect(seat('orchestra-C-4').getAttribute('tabindex')).toBe('0');
    expect(seat('orchestra-B-3').getAttribute('tabindex')).toBe('-1');
    expect(screen.getByTestId('seat-info').textContent).toBe('Orchestra row C seat 4, Premium, $85.00, available');

    model.markSeats(['orchestra-C-4'], 'held');
    flushSync();
    await fireEvent.keyDown(seat('orchestra-C-4'), { key: 'Enter' });
    expect(onseat).toHaveBeenLastCalledWith(model.seats[model.indexOf('orchestra-C-4')!], 'held');
    await fireEvent.keyDown(seat('orchestra-C-4'), { key: ' ' });
    expect(onseat).toHaveBeenCalledTimes(3);
  });

  it('offers nothing to choose when read-only (the admin preview)', async () => {
    const { onseat, seat, container } = setup({ readonly: true, prices: [] });
    await fireEvent.click(seat('orchestra-A-1'));
    expect(onseat).not.toHaveBeenCalled();
    expect(seat('orchestra-A-1').getAttribute('role')).toBe('img');
    expect(seat('orchestra-A-1').getAttribute('aria-label')).toBe('Orchestra row A seat 1, Premium, available');
    await fireEvent.click(container.querySelector('[data-area="lawn"]')!);
    expect(screen.queryByTestId('ga-picker')).toBeNull();
  });

  it('draws a heat map: seats coloured by their figure and named with it, nothing to choose, the scale as legend', async () => {
    const counts = new Map([['orchestra-C-12', 3], ['orchestra-B-1', 1]]);
    const heat = {
      fill: (s: { id: string }) => (counts.has(s.id) ? '#800026' : '#dcd8e0'),
      words: (s: { id: string }) => (counts.has(s.id) ? `held and let go ${counts.get(s.id)} times` : 'not held and let go'),
      legend: [
        { colour: '#dcd8e0', label: 'Never' },
        { colour: '#800026', label: '1–3 times' },
      ],
      legendLabel: 'Times held and let go',
    };
    const { onseat, onga, seat, container, model } = setup({ heat, prices: [] });
    model.applyChanges([{ seatId: 'orchestra-C-12', status: 'sold' }]);
    flushSync();
    expect(seat('orchestra-C-12').getAttribute('fill')).toBe('#800026');
    expect(seat('orchestra-A-1').getAttribute('fill')).toBe('#dcd8e0');
    expect(seat('orchestra-C-12').getAttribute('role')).toBe('img');
    expect(seat('orchestra-C-12').getAttribute('aria-label')).toBe('Orchestra row C seat 12, Premium, held and let go 3 times');
    expect(seat('orchestra-B-1').getAttribute('aria-label')).toBe('Orchestra row B seat 1, Premium, wheelchair space, held and let go 1 times');
    expect(seat('orchestra-C-12').getAttribute('aria-pressed')).toBeNull();
    await fireEvent.click(seat('orchestra-C-12'));
    await fireEvent.keyDown(seat('orchestra-C-12'), { key: 'Enter' });
    expect(onseat).not.toHaveBeenCalled();
    await fireEvent.click(container.querySelector('[data-area="lawn"]')!);
    expect(onga).not.toHaveBeenCalled();
    expect(screen.queryByTestId('ga-picker')).toBeNull();
    // The heat scale replaces the zones and states.
    const legend = screen.getByRole('list', { name: 'Times held and let go' });
    expect(within(legend).getAllByRole('listitem').map((li) => li.textContent?.trim())).toEqual(['Never', '1–3 times']);
    expect(screen.queryByRole('list', { name: 'Price zones' })).toBeNull();
    expect(screen.queryByRole('list', { name: 'Seat states' })).toBeNull();
    // Pointing at a seat reads its figure.
    await fireEvent.pointerOver(seat('orchestra-C-12'));
    expect(screen.getByTestId('seat-info').textContent).toBe('Orchestra row C seat 12, Premium, held and let go 3 times');
  });

  it('lets staff choose free and blocked seats, drawing the choice and refused seats (seat blocks)', async () => {
    const { onseat, seat, model, container } = setup({ staff: true });
    model.applyChanges([
      { seatId: 'orchestra-A-1', status: 'blocked' },
      { seatId: 'orchestra-A-2', status: 'held' },
    ]);
    model.setSelected(['orchestra-A-1', 'orchestra-A-3']);
    model.setRefused(['orchestra-A-3']);
    flushSync();
    expect(seat('orchestra-A-1').getAttribute('class')).toBe('seat blocked selected');
    expect(seat('orchestra-A-1').getAttribute('aria-pressed')).toBe('true');
    expect(seat('orchestra-A-1').getAttribute('aria-disabled')).toBeNull();
    expect(seat('orchestra-A-1').getAttribute('aria-label')).toMatch(/, blocked$/);
    expect(seat('orchestra-A-2').getAttribute('aria-disabled')).toBe('true');
    expect(seat('orchestra-A-2').getAttribute('aria-label')).toMatch(/, held by a patron$/);
    expect(seat('orchestra-A-3').getAttribute('class')).toBe('seat free selected refused');
    expect(seat('orchestra-A-3').getAttribute('aria-label')).toMatch(/, available, refused$/);
    expect(seat('orchestra-A-4').getAttribute('aria-pressed')).toBe('false');
    const states = screen.getByRole('list', { name: 'Seat states' });
    expect(states.textContent).toMatch(/Available.*Held by a patron.*Sold.*Blocked.*Selected.*Refused/);
    expect(states.textContent).not.toContain('Your seats');
    await fireEvent.keyDown(seat('orchestra-A-1'), { key: 'Enter' });
    expect(onseat).toHaveBeenLastCalledWith(model.seats[0], 'blocked');
    // GA areas are only drawn.
    await fireEvent.click(container.querySelector('[data-area="lawn"]')!);
    expect(screen.queryByTestId('ga-picker')).toBeNull();
    model.setSelected([]);
    flushSync();
    expect(seat('orchestra-A-1').getAttribute('class')).toBe('seat blocked');
  });

  it('zooms with the buttons and the wheel, and back to the whole map', async () => {
    const { container } = setup();
    const svg = container.querySelector('svg.seatmap-svg')!;
    const whole = svg.getAttribute('viewBox')!;
    const width = () => Number(svg.getAttribute('viewBox')!.split(' ')[2]);
    await fireEvent.click(screen.getByRole('button', { name: 'Zoom in' }));
    expect(width()).toBeCloseTo(Number(whole.split(' ')[2]) / 1.5);
    await fireEvent.wheel(svg, { deltaY: -200 });
    expect(width()).toBeLessThan(Number(whole.split(' ')[2]) / 1.5);
    await fireEvent.click(screen.getByRole('button', { name: 'Zoom out' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Whole map' }));
    expect(svg.getAttribute('viewBox')).toBe(whole);
  });

  it('draws GA areas with what is left and holds a chosen quantity', async () => {
    const { container, onga, model } = setup();
    const lawn = container.querySelector('[data-area="lawn"]')!;
    expect(lawn.textContent).toContain('The Lawn');
    expect(lawn.textContent).toContain('50 left');
    expect(lawn.getAttribute('aria-label')).toBe('The Lawn, general admission, $25.00, 50 left');
    model.setGa('lawn', 3);
    flushSync();
    expect(lawn.textContent).toContain('3 left');
    await fireEvent.click(lawn);
    const picker = screen.getByTestId('ga-picker');
    const select = within(picker).getByLabelText('Places') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(['1', '2', '3']);
    await fireEvent.change(select, { target: { value: '2' } });
    await fireEvent.click(within(picker).getByRole('button', { name: 'Hold 2 places' }));
    expect(onga).toHaveBeenCalledWith(model.areas[0], 2);
  });

  // jsdom needs ~1 ms per seat to build the DOM (Chromium renders 20,000 seats far faster;
  // the browser test e2e/seating.spec.ts measures that), so this checks the mechanism on 3,000.
  it('renders thousands of seats and updates one without re-creating any', () => {
    const layout = bigLayout(3_000);
    const model = new SeatMapModel(layout);
    const started = performance.now();
    const { container } = render(SeatMap, { model, label: 'Arena' });
    const rendered = performance.now() - started;
    const circles = container.querySelectorAll('circle[data-seat]');
    expect(circles).toHaveLength(3_000);
    const last = circles[2_999]!;
    const t0 = performance.now();
    model.applyChanges([{ seatId: last.getAttribute('data-seat')!, status: 'sold' }]);
    flushSync();
    const updated = performance.now() - t0;
    expect(container.querySelectorAll('circle[data-seat]')[2_999]).toBe(last);
    expect(last.getAttribute('data-state')).toBe('sold');
    // jsdom is far slower than a browser; these only catch an accidental full re-render.
    expect(updated).toBeLessThan(200);
    console.info(`3,000 seats in jsdom: render ${rendered.toFixed(0)} ms, one update ${updated.toFixed(1)} ms`);
  }, 60_000);
});
