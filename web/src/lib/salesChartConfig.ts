// What the sales chart draws, as a Chart.js configuration built from the report's series:
// kept apart from salesChart.ts (which loads Chart.js itself) so it can be tested without a
// canvas. Money reaches the chart in major units (the axis reads "$1.2K", not cents) and the
// tooltip shows it exactly with formatMoney.
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import { currencyDigits, formatMoney } from './format';
import type { ChartSeries } from './reports';

export interface ChartColours {
  tickets: string;
  amount: string;
  text: string;
  grid: string;
}

type SalesChartType = 'bar' | 'line';
export type SalesChartConfig = ChartConfiguration<SalesChartType, number[], string>;

/** "$1.2K": an amount in major units, short enough for an axis. */
export function compactMoney(major: number, currency: string, locale?: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 }).format(major);
  } catch {
    return String(major);
  }
}

export function chartConfig(series: ChartSeries, currency: string, colours: ChartColours, locale?: string): SalesChartConfig {
  const scale = 10 ** currencyDigits(currency);
  const amountLabel = `Amount taken (${currency})`;
  return {
    type: 'bar',
    data: {
      labels: series.labels,
      datasets: [
        {
          type: 'bar',
          label: 'Tickets',
          data: series.tickets,
          backgroundColor: colours.tickets,
          yAxisID: 'tickets',
          order: 2,
          maxBarThickness: 28,
        },
        {
          type: 'line',
          label: amountLabel,
          data: series.amounts.map((amount) => amount / scale),
          borderColor: colours.amount,
          backgroundColor: colours.amount,
          borderWidth: 2,
          pointRadius: series.days.length > 62 ? 0 : 2.5,
          yAxisID: 'amount',
          order: 1,
        },
      ],
    },
    options: {
      // No animation: the chart is read, and reduced-motion users get no movement.
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: {
          grid: { display: false },
          ticks: { color: colours.text, maxRotation: 0, autoSkip: true, autoSkipPadding: 12 },
        },
        tickets: {
          type: 'linear',
          position: 'left',
          beginAtZero: true,
          title: { display: true, text: 'Tickets', color: colours.text },
          ticks: { color: colours.text, precision: 0 },
          grid: { color: colours.grid },
        },
        amount: {
          type: 'linear',
          position: 'right',
          beginAtZero: true,
          title: { display: true, text: amountLabel, color: colours.text },
          ticks: { color: colours.text, callback: (value) => compactMoney(Number(value), currency, locale) },
          grid: { drawOnChartArea: false },
        },
      },
      plugins: {
        legend: { position: 'bottom', labels: { color: colours.text } },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<SalesChartType>[]) => {
              const i = items[0]?.dataIndex;
              return i === undefined ? '' : (series.labels[i] ?? '');
            },
            label: (item: TooltipItem<SalesChartType>) =>
              item.dataset.yAxisID === 'amount'
                ? `Amount taken: ${formatMoney({ amount: series.amounts[item.dataIndex] ?? 0, currency }, locale)}`
                : `Tickets: ${(series.tickets[item.dataIndex] ?? 0).toLocaleString(locale)}`,
          },
        },
      },
    },
  };
}
