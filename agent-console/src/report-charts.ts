/**
 * The reports' charts, drawn by Chart.js on a canvas. Only the parts used are registered, to keep
 * the page's bundle small. A chart repeats figures that its table shows in full, so it carries
 * no legend of its own on the canvas: the page writes the legend as text beside it.
 *
 * Colours are the Okabe–Ito set, told apart with the common colour-vision deficiencies and dark
 * enough to read on a washed-out projector.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
);

export const COLORS = {
  blue: '#0072b2',
  green: '#009e73',
  vermillion: '#d55e00',
  sky: '#56b4e9',
  ink: '#111827',
} as const;

export interface Series {
  label: string;
  color: string;
  data: (number | null)[];
  /**
   * A share over the bars, on the right-hand axis: `line` joins the points (hours or days follow
   * each other), `dots` does not (categories, communes, agencies do not).
   */
  share?: 'line' | 'dots';
}

export interface ChartSpec {
  labels: string[];
  series: Series[];
  /** The left axis' title. */
  axis: string;
  /** The right axis (for `share` series): a share from 0 to 1, shown as a percentage. */
  percentAxis?: string;
  /** Bars stacked (parts of a whole), e.g. an operator's day. */
  stacked?: boolean;
  /** Bars along the horizontal axis, one row per label: for long names. */
  horizontal?: boolean;
  /** How a bar's value reads in the tooltip. */
  formatValue: (value: number) => string;
  formatPercent: (value: number) => string;
}

const charts = new WeakMap<HTMLCanvasElement, Chart>();

function dataset(series: Series, spec: ChartSpec): ChartDataset<'bar' | 'line', (number | null)[]> {
  if (series.share) {
    return {
      type: 'line',
      label: series.label,
      data: series.data,
      borderColor: series.color,
      backgroundColor: series.color,
      borderWidth: 3,
      pointRadius: series.share === 'dots' ? 7 : 4,
      showLine: series.share === 'line',
      // A share of 100% sits on the chart's top edge: let its point show whole.
      clip: 10,
      // A day without calls has no service level: the line breaks there rather than invent one.
      spanGaps: false,
      yAxisID: 'y1',
      order: 0,
    };
  }
  return {
    type: 'bar',
    label: series.label,
    data: series.data,
    backgroundColor: series.color,
    borderColor: series.color,
    borderWidth: 1,
    ...(spec.stacked ? { stack: 'all' } : {}),
    order: 1,
  };
}

/** Draws `spec` on `canvas`, replacing what was drawn there before. */
export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): void {
  charts.get(canvas)?.destroy();
  const valueAxis = spec.horizontal ? 'x' : 'y';
  const categoryAxis = spec.horizontal ? 'y' : 'x';
  const config: ChartConfiguration<'bar' | 'line', (number | null)[], string> = {
    type: 'bar',
    data: { labels: spec.labels, datasets: spec.series.map((s) => dataset(s, spec)) },
    options: {
      indexAxis: spec.horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      // Figures appear at once: the same picture on every load, and on a screenshot.
      animation: false,
      font: { size: 14 },
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) => {
              const value = item.raw as number | null;
              if (value === null) return `${item.dataset.label}: —`;
              const isShare = (item.dataset as { yAxisID?: string }).yAxisID === 'y1';
              return `${item.dataset.label}: ${isShare ? spec.formatPercent(value) : spec.formatValue(value)}`;
            },
          },
        },
      },
      scales: {
        [categoryAxis]: {
          stacked: spec.stacked ?? false,
          ticks: { color: COLORS.ink, font: { size: 13 }, autoSkip: true, maxRotation: 60 },
          grid: { display: false },
        },
        [valueAxis]: {
          stacked: spec.stacked ?? false,
          beginAtZero: true,
          title: { display: true, text: spec.axis, color: COLORS.ink, font: { size: 13 } },
          ticks: {
            color: COLORS.ink,
            font: { size: 13 },
            precision: 0,
            callback: (value) => spec.formatValue(Number(value)),
          },
        },
        ...(spec.percentAxis
          ? {
              y1: {
                position: 'right' as const,
                min: 0,
                max: 1,
                grid: { drawOnChartArea: false },
                title: { display: true, text: spec.percentAxis, color: COLORS.ink, font: { size: 13 } },
                ticks: {
                  color: COLORS.ink,
                  font: { size: 13 },
                  stepSize: 0.25,
                  callback: (value) => spec.formatPercent(Number(value)),
                },
              },
            }
          : {}),
      },
    },
  };
  charts.set(canvas, new Chart(canvas, config));
}

/** Releases the chart on `canvas`, if any (an empty period shows no chart). */
export function clearChart(canvas: HTMLCanvasElement): void {
  charts.get(canvas)?.destroy();
  charts.delete(canvas);
}
