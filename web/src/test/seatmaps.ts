// Seat maps for unit tests: a small theatre like the demo venue's, and big generated ones.
import type { PerformanceDetail, PriceView, SeatMapLayout, SeatMapStatus, SectionLayout } from '../lib/catalog';

function rows(section: string, labels: string[], perRow: number, zone: string, y0: number): SectionLayout['rows'] {
  return labels.map((label, r) => ({
    label,
    seats: Array.from({ length: perRow }, (_, i) => ({
      id: `${section}-${label}-${i + 1}`,
      label: String(i + 1),
      x: 100 + i * 30,
      y: y0 + r * 32,
      zone,
      rank: r * perRow + i + 1,
      ...(label === 'B' && i === 0 ? { accessible: true } : {}),
    })),
  }));
}

/** Orchestra rows A–C (12 seats each, premium), Balcony rows D–E (10 each, standard), a lawn of 50. */
export function smallLayout(): SeatMapLayout {
  return {
    name: 'Test Theatre',
    zones: [
      { id: 'premium', name: 'Premium', colour: '#b8336a' },
      { id: 'standard', name: 'Standard', colour: '#3c6e71' },
      { id: 'lawn', name: 'Lawn' },
    ],
    sections: [
      { id: 'orchestra', name: 'Orchestra', rows: rows('orchestra', ['A', 'B', 'C'], 12, 'premium', 100) },
      { id: 'balcony', name: 'Balcony', rows: rows('balcony', ['D', 'E'], 10, 'standard', 300) },
    ],
    areas: [{ id: 'lawn', name: 'The Lawn', zone: 'lawn', capacity: 50, x: 265, y: 500 }],
  };
}

export const SMALL_SEATS = 3 * 12 + 2 * 10;

export function freeStatus(layout: SeatMapLayout, performanceId = 'perf-1'): SeatMapStatus {
  const sections: Record<string, string> = {};
  for (const section of layout.sections) {
    sections[section.id] = section.rows.map((r) => 'f'.repeat(r.seats.length)).join('');
  }
  const areas: Record<string, number> = {};
  for (const area of layout.areas) areas[area.id] = area.capacity;
  return { performanceId, sections, areas, at: '2026-11-22T12:00:00Z' };
}

/** `count` seats in sections of 50 rows × 40 seats (the 20,000-seat arena of the brief). */
export function bigLayout(count: number): SeatMapLayout {
  const sections: SectionLayout[] = [];
  let made = 0;
  for (let s = 0; made < count; s++) {
    const id = `s${s}`;
    const section: SectionLayout = { id, name: `Section ${s + 1}`, rows: [] };
    for (let r = 0; r < 50 && made < count; r++) {
      const seats = [];
      for (let i = 0; i < 40 && made < count; i++, made++) {
        seats.push({ id: `${id}-${r}-${i + 1}`, label: String(i + 1), x: (s % 5) * 1300 + i * 30, y: Math.floor(s / 5) * 1700 + r * 32, zone: 'z', rank: made + 1 });
      }
      section.rows.push({ label: String(r + 1), seats });
    }
    sections.push(section);
  }
  return { name: 'Arena', zones: [{ id: 'z', name: 'Floor', colour: '#336699' }], sections, areas: [] };
}

export function price(zone: string, zoneName: string, priceType: string, amount: number): PriceView {
  return { zone, zoneName, priceType, price: { amount, currency: 'USD' } };
}

export const PRICES: PriceView[] = [
  price('premium', 'Premium', 'adult', 8500),
  price('premium', 'Premium', 'student', 4250),
  price('standard', 'Standard', 'adult', 6000),
  price('lawn', 'Lawn', 'adult', 2500),
];

const at = (utc: string, local: string) => ({ utc, local, timezone: 'America/New_York' });

export function performance(overrides: Partial<PerformanceDetail> = {}): PerformanceDetail {
  return {
    id: 'perf-1',
    eventId: 'event-1',
    status: 'on_sale',
    startsAt: at('2027-03-01T00:30:00Z', '2027-02-28T19:30:00-05:00'),
    onSaleAt: at('2026-01-01T00:00:00Z', '2025-12-31T19:00:00-05:00'),
    offSaleAt: at('2027-03-01T00:30:00Z', '2027-02-28T19:30:00-05:00'),
    selling: true,
    seatMapId: 'map-1',
    prices: PRICES,
    fees: [{ name: 'Booking fee', basis: 'per_ticket', fixed: 200 }],
    taxes: [],
    maxTicketsPerOrder: 10,
    holdSeconds: 600,
    updatedAt: '2026-11-01T12:00:00+00:00',
    eventTitle: 'The Tempest',
    availability: {
      seats: { total: SMALL_SEATS, available: SMALL_SEATS, held: 0, sold: 0, blocked: 0 },
      areas: [{ areaId: 'lawn', name: 'The Lawn', zone: 'lawn', capacity: 50, available: 50 }],
      soldOut: false,
    },
    ...overrides,
  };
}
