// What the pages' uPlot charts share (planner.js, charts.js), loaded before them: number formatting and the dashed
// vertical marks (the chosen batch, the asked rate, the budget).
window.strataChartKit = (() => {
  'use strict';
  const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

  /** Three significant digits, with thousands separators above 1,000. */
  function sig(v) {
    if (v === null || v === undefined || !isFinite(v)) return '';
    return Math.abs(v) >= 1000 ? INT.format(v) : String(Number(v.toPrecision(3)));
  }

  /** A dashed vertical line at x with its label on text row `row` (negative: from the bottom); none outside the axis. */
  function mark(u, x, label, color, row) {
    if (!(x >= u.scales.x.min && x <= u.scales.x.max)) return;
    const dpr = devicePixelRatio, c = u.ctx, px = Math.round(u.valToPos(x, 'x', true));
    c.save();
    c.strokeStyle = color;
    c.fillStyle = color;
    c.lineWidth = dpr;
    c.setLineDash([4 * dpr, 3 * dpr]);
    c.beginPath();
    c.moveTo(px, u.bbox.top);
    c.lineTo(px, u.bbox.top + u.bbox.height);
    c.stroke();
    c.font = 12 * dpr + 'px system-ui, sans-serif';
    const right = px > u.bbox.left + u.bbox.width * 0.75;
    c.textAlign = right ? 'right' : 'left';
    // row 0, 1, ... from the top; -1, -2, ... from the bottom (clear of level labels, which sit at the top right)
    const y = row >= 0 ? u.bbox.top + (14 + 15 * row) * dpr : u.bbox.top + u.bbox.height + (15 * row + 9) * dpr;
    c.fillText(label, px + (right ? -4 : 4) * dpr, y);
    c.restore();
  }

  return { INT, sig, mark };
})();
