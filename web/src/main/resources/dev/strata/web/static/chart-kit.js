// What the pages' uPlot charts share (planner.js, charts.js), loaded before them: number formatting, the dashed
// vertical marks (the chosen batch, the asked rate, the budget) and the register of the charts drawn in chart boxes.
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

  /**
   * The uPlot charts a script has drawn in its chart boxes, one per box: replaced when the box's data changes, dropped
   * when the box leaves the page. A box shows its chart with class `live`, else the server's image. `size(box)` gives
   * a chart's width and height.
   */
  function plotRegister(size) {
    const plots = [];
    function remove(box) {
      for (let i = plots.length - 1; i >= 0; i--)
        if (plots[i].box === box) {
          plots[i].plot.destroy();
          plots[i].holder.remove();
          plots.splice(i, 1);
        }
    }
    return {
      /** The key of the data drawn in `box`, or undefined. */
      key(box) {
        const p = plots.find((q) => q.box === box);
        return p ? p.key : undefined;
      },
      /** Forgets the charts whose boxes left the page. */
      prune() {
        for (let i = plots.length - 1; i >= 0; i--)
          if (!plots[i].box.isConnected) {
            plots[i].plot.destroy();
            plots.splice(i, 1);
          }
      },
      /** Draws uPlot options and data `opts` of data `key` in `box` in place of its chart; null: the image again. */
      place(box, key, opts) {
        remove(box);
        if (!opts) {
          box.classList.remove('live');
          return;
        }
        const holder = document.createElement('div');
        holder.className = 'plot';
        box.appendChild(holder);
        plots.push({ box: box, key: key, holder: holder, plot: new uPlot(opts.options, opts.data, holder) });
        box.classList.add('live');
      },
      /** Removes the chart of `box`: the server's image again. */
      drop(box) {
        this.place(box, undefined, null);
      },
      /** Fits every chart to its box. */
      resize() {
        for (const p of plots) if (p.box.isConnected) p.plot.setSize(size(p.box));
      },
    };
  }

  return { INT, sig, mark, plotRegister };
})();
