// The sales chart on Chart.js: tickets per day as bars, the amount taken as a line on a second
// axis. Only the pieces the chart uses are registered (tree-shaken), and this module is loaded
// on demand by SalesChart.svelte, so Chart.js stays out of the bundle until the Reports page
// draws a chart. Chart.js draws on a canvas and sets sizes through the CSSOM, which the site's
// Content-Security-Policy (style-src 'self', no inline styles) allows.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { chartConfig, type ChartColours } from './salesChartConfig';
import type { ChartSeries } from './reports';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface SalesChart {
  update(series: ChartSeries, currency: string): void;
  destroy(): void;
}

export function drawSalesChart(canvas: HTMLCanvasElement, series: ChartSeries, currency: string, colours: ChartColours): SalesChart {
  const chart = new Chart(canvas, chartConfig(series, currency, colours));
  return {
    update(next, nextCurrency) {
      const config = chartConfig(next, nextCurrency, colours);
      chart.data = config.data;
      if (config.options) chart.options = config.options;
      chart.update();
    },
    destroy() {
      chart.destroy();
    },
  };
}
