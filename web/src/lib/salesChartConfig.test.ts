import { describe, expect, it } from 'vitest';
import type { TooltipItem } from 'chart.js';
import { chartConfig, compactMoney } from './salesChartConfig';
import { chartSeries } from './reports';

const COLOURS = { tickets: '#0072b2', amount: '#d55e00', text: '#5f5b66', grid: '#e6e3ea' };

const series = chartSeries(
  {
    from: '2027-03-01',
    to: '2027-03-02',
    days: [
      { date: '2027-03-01', tickets: 3, amount: 25550, refundedTickets: 0 },
      { date: '2027-03-02', tickets: 1, amount: 8500, refundedTickets: 0 },
    ],
  },
  'en-US',
);

describe('the sales chart configuration', () => {
  it('draws tickets as bars and the amount in major units as a line on its own axis', () => {
    const config = chartConfig(series, 'USD', COLOURS, 'en-US');
    expect(config.data.labels).toEqual(['Mar 1', 'Mar 2']);
    const [tickets, amount] = config.data.datasets;
    expect(tickets).toMatchObject({ type: 'bar', label: 'Tickets', data: [3, 1], yAxisID: 'tickets' });
    expect(amount).toMatchObject({ type: 'line', label: 'Amount taken (USD)', data: [255.5, 85], yAxisID: 'amount' });
    expect(config.options?.animation).toBe(false);
    // A currency without minor units is not divided.
    expect(chartConfig(chartSeries({ from: '2027-03-01', to: '2027-03-01', days: [{ date: '2027-03-01', tickets: 1, amount: 4250, refundedTickets: 0 }] }), 'JPY', COLOURS).data.datasets[1]!.data).toEqual([4250]);
  });

  it('shows exact money in the tooltip and short money on the axis', () => {
    const config = chartConfig(series, 'USD', COLOURS, 'en-US');
    const label = config.options?.plugins?.tooltip?.callbacks?.label as (item: TooltipItem<'bar' | 'line'>) => string;
    const item = (yAxisID: string, dataIndex: number) => ({ dataIndex, dataset: { yAxisID } }) as unknown as TooltipItem<'bar' | 'line'>;
    expect(label(item('amount', 0))).toBe('Amount taken: $255.50');
    expect(label(item('tickets', 0))).toBe('Tickets: 3');
    expect(compactMoney(1234, 'USD', 'en-US')).toBe('$1.2K');
    expect(compactMoney(0, 'USD', 'en-US')).toBe('$0');
  });
});
