// Small line charts with uPlot, sized to their container (phone widths too).
import uPlot from '/console/vendor/uPlot.esm.js';

const COLORS = ['#2563eb', '#16a34a', '#9333ea', '#dc2626', '#ea580c', '#0891b2'];

/** A time-series chart of `series` (names) over data [[t (s)], [values]...], appended to `box`. */
export function lineChart(box, series, data, options = {}) {
  const width = Math.max(280, Math.min(box.clientWidth || 600, 900));
  return new uPlot(
    {
      width,
      height: options.height ?? 180,
      series: [{}, ...series.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, points: { show: false } }))],
      axes: [{}, { size: 50 }],
      legend: { live: false },
    },
    data,
    box,
  );
}
