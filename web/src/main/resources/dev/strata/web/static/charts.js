// Interactive charts of the Capacity, Training, Scaling, Validation and Models pages: each chart box (data-chart, data-src) holds the server's
// image; this script fetches the JSON the image is drawn from, draws it with uPlot (values on hover), and hides the
// image, which stays for export and for pages without JavaScript. The charts are drawn again when the page's content
// is replaced (live.js) and resized with the window. What it shares with planner.js is in chart-kit.js.
(() => {
  'use strict';
  if (window.strataCharts) return; // loaded again with a replaced page: one copy does
  window.strataCharts = true;

  const KINDS = { frontier: frontier, latency: latency, 'training-memory': trainingMemory, figure: figure, bars: bars };

  /** The charts drawn, by box (chart-kit.js). */
  const plots = window.strataChartKit.plotRegister(size);
  let resizeTimer = null;
  let pending = false;

  document.addEventListener('DOMContentLoaded', () => {
    charts();
    const main = document.querySelector('main');
    // live.js replaces the content around a live form: the new chart boxes are drawn when they arrive
    if (main) new MutationObserver(later).observe(main, { childList: true });
    document.addEventListener('strata:replaced', later);
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(resize, 100);
    });
  });

  function later() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      charts();
    });
  }

  function resize() {
    plots.resize();
  }

  function size(box) {
    const width = Math.max(240, box.clientWidth);
    return { width: width, height: width < 560 ? 300 : 380 };
  }

  /** Draws every chart box not drawn yet or whose data changed; a box whose data cannot be had keeps its image. */
  function charts() {
    plots.prune();
    if (typeof uPlot === 'undefined') return;
    for (const box of document.querySelectorAll('main .chart-box[data-chart][data-src]')) {
      const make = KINDS[box.dataset.chart];
      if (!make) continue;
      const key = box.dataset.src;
      if (box.dataset.drawing === key) continue;
      if (plots.key(box) === key) continue;
      box.dataset.drawing = key;
      fetch(key, { headers: { Accept: 'application/json' } })
        .then((res) => (res.ok ? res.json() : Promise.reject(new Error('HTTP ' + res.status))))
        .then((json) => {
          if (!box.isConnected || box.dataset.src !== key) return;
          delete box.dataset.drawing;
          plots.place(box, key, make(box, json));
        })
        .catch(() => {
          if (box.dataset.src !== key) return;
          delete box.dataset.drawing;
          box.classList.remove('live'); // the server's image rather than no chart
        });
    }
  }

  const { sig, mark } = window.strataChartKit; // chart-kit.js

  const none = (v) => v === null || v === undefined;


  /** A dashed horizontal line at y with its label at the right end; none outside the axis. */
  function level(u, y, label, color, scale) {
    const s = u.scales[scale || 'y'];
    if (!(y >= s.min && y <= s.max)) return;
    const dpr = devicePixelRatio, c = u.ctx, py = Math.round(u.valToPos(y, scale || 'y', true));
    c.save();
    c.strokeStyle = color;
    c.fillStyle = color;
    c.lineWidth = dpr;
    c.setLineDash([4 * dpr, 3 * dpr]);
    c.beginPath();
    c.moveTo(u.bbox.left, py);
    c.lineTo(u.bbox.left + u.bbox.width, py);
    c.stroke();
    c.font = 12 * dpr + 'px system-ui, sans-serif';
    c.textAlign = 'right';
    c.fillText(label, u.bbox.left + u.bbox.width - 4 * dpr, py - 4 * dpr);
    c.restore();
  }

  const DEVICE_COLOURS = ['#2b6cd4', '#e08a1e', '#1b7f3b', '#8e5cc7', '#c0392b', '#2aa198', '#7a8599'];

  /**
   * The plan's throughput frontier (/api/plan's pareto): output tokens/s per device against per user, the frontier as
   * a line and marker series per device (hollow: misses a service level); on hover, the deployment under the cursor.
   */
  function frontier(box, plan) {
    const pts = (plan.pareto || []).slice().sort((a, b) => a.outputTokensPerSecondPerUser - b.outputTokensPerSecondPerUser);
    if (pts.length === 0) return null;
    const xs = pts.map((p) => p.outputTokensPerSecondPerUser);
    const ys = pts.map((p) => p.outputTokensPerSecondPerDevice);
    // one marker series per device, filled where the deployment meets both levels, hollow where it misses one
    const meets = (p) => p.meetsServiceLevels !== false;
    const devices = Array.from(new Set(pts.map((p) => p.hardware))).sort();
    const tps = (v) => (none(v) ? '--' : sig(v) + ' tok/s');
    const series = [
      { label: 'per user (p50)', value: (u, v) => tps(v) },
      { label: 'frontier, per device', stroke: '#7a8599', width: 1.5, points: { show: false }, value: (u, v) => tps(v) },
    ];
    const data = [xs, ys];
    devices.forEach((d, k) => {
      const colour = DEVICE_COLOURS[k % DEVICE_COLOURS.length];
      for (const met of [true, false]) {
        if (!pts.some((p) => p.hardware === d && meets(p) === met)) continue;
        series.push({
          label: met ? d : d + ', misses the levels',
          stroke: colour,
          paths: () => null,
          points: { show: true, size: 9, width: 1.5, stroke: colour, fill: met ? colour : '#fff' },
          value: (u, v, si, idx) => {
            if (none(v) || none(idx)) return '--';
            const p = pts[idx];
            return tps(v) + ', ' + p.replicas + ' × ' + p.devices + ' ' + p.weights +
              (p.concurrency ? ', ' + p.concurrency + ' in flight' : '');
          },
        });
        data.push(pts.map((p) => (p.hardware === d && meets(p) === met ? p.outputTokensPerSecondPerDevice : null)));
      }
    });
    const xMax = 1.15 * Math.max.apply(null, xs), yMax = 1.15 * Math.max.apply(null, ys);
    const options = Object.assign(size(box), {
      scales: { x: { time: false, range: [0, xMax] }, y: { range: [0, yMax] } },
      axes: [
        { label: 'output tokens/s per user', space: 60, values: (u, t) => t.map(sig) },
        { label: 'output tokens/s per device', values: (u, t) => t.map(sig) },
      ],
      cursor: { points: { size: 11 } },
      series: series,
    });
    return { options: options, data: data };
  }

  const PERCENTILES = [
    ['ttftP50Ms', 'time to first token p50', '#2b6cd4', [6, 4]],
    ['ttftP90Ms', 'time to first token p90', '#2b6cd4', null],
    ['ttftP99Ms', 'time to first token p99', '#2b6cd4', [2, 3]],
    ['tpotP50Ms', 'time per output token p50', '#1b7f3b', [6, 4]],
    ['tpotP90Ms', 'time per output token p90', '#1b7f3b', null],
    ['tpotP99Ms', 'time per output token p99', '#1b7f3b', [2, 3]],
  ];

  /**
   * The cheapest deployment's latency percentiles against request rate (/chart/capacity-latency.json), with the asked
   * rate and the two service levels marked as in the image.
   */
  function latency(box, d) {
    const pts = d.points || [];
    if (pts.length === 0) return null;
    const ms = (v) => (none(v) ? '--' : sig(v) + ' ms');
    const data = [pts.map((p) => p.rateRequestsPerSecond)];
    const series = [{ label: 'requests/s', value: (u, v) => (none(v) ? '--' : sig(v) + ' req/s') }];
    let top = Math.max(d.ttftP90LevelMs, d.tpotP90LevelMs);
    for (const [name, label, colour, dash] of PERCENTILES) {
      const ys = pts.map((p) => p[name]);
      top = Math.max.apply(null, [top].concat(ys));
      data.push(ys);
      const s = { label: label, stroke: colour, width: dash ? 1.5 : 2.5, value: (u, v) => ms(v) };
      if (dash) s.dash = dash;
      series.push(s);
    }
    const xs = data[0];
    const lo = Math.min(xs[0], d.rateRequestsPerSecond), hi = Math.max(xs[xs.length - 1], d.rateRequestsPerSecond);
    const options = Object.assign(size(box), {
      scales: { x: { time: false, range: [lo * 0.9, hi * 1.05] }, y: { range: [0, 1.1 * top] } },
      axes: [
        { label: 'requests per second', space: 60, values: (u, t) => t.map(sig) },
        { label: 'milliseconds', values: (u, t) => t.map(sig) },
      ],
      series: series,
      hooks: {
        draw: [
          (u) => {
            // the label at the bottom: the levels' labels take the top right, where the asked rate often is
            mark(u, d.rateRequestsPerSecond, 'asked ' + sig(d.rateRequestsPerSecond) + ' req/s', '#b25e00', -1);
            level(u, d.ttftP90LevelMs, 'first-token p90 level ' + sig(d.ttftP90LevelMs) + ' ms', '#2b6cd4');
            level(u, d.tpotP90LevelMs, 'per-token p90 level ' + sig(d.tpotP90LevelMs) + ' ms', '#1b7f3b');
          },
        ],
      },
    });
    return { options: options, data: data };
  }

  const TERMS = [
    ['weightsBytes', 'weights', '#2b6cd4'],
    ['gradientsBytes', 'gradients', '#e08a1e'],
    ['masterWeightsBytes', 'master weights', '#8e5cc7'],
    ['optimizerStatesBytes', 'optimizer states', '#2aa198'],
    ['activationsBytes', 'activations', '#c0392b'],
    ['runtimeOverheadBytes', 'runtime overhead', '#7a8599'],
  ];

  /**
   * Training memory per device (/api/training-memory): one stacked bar per ZeRO stage and recompute mode, the terms
   * stacked, the device's memory as a dashed line; on hover, the bar's terms and total.
   */
  function trainingMemory(box, m) {
    const rows = m.rows || [];
    if (rows.length === 0) return null;
    const gb = (v) => (none(v) ? '--' : sig(v) + ' GB');
    const name = (r) => 'ZeRO ' + r.zeroStage + ' · ' + r.recompute + (r.chosen ? ' (chosen)' : '');
    const capacity = m.deviceMemoryBytes / 1e9;
    const bars = uPlot.paths.bars({ size: [0.7, 60] });
    const xs = rows.map((r, i) => i);
    const series = [
      {
        label: 'ZeRO stage · recompute',
        value: (u, v, si, idx) => (none(idx) || !rows[idx] ? '--' : name(rows[idx]) + ', ' + gb(rows[idx].perDeviceBytes / 1e9)),
      },
    ];
    const data = [xs];
    // drawn from the top term down: each bar reaches its cumulative sum and the next one covers its lower part
    for (let k = TERMS.length - 1; k >= 0; k--) {
      const [key, label, colour] = TERMS[k];
      series.push({
        label: label,
        stroke: colour,
        fill: colour,
        paths: bars,
        points: { show: false },
        value: (u, v, si, idx) => (none(idx) || !rows[idx] ? '--' : gb(rows[idx][key] / 1e9)),
      });
      data.push(rows.map((r) => TERMS.slice(0, k + 1).reduce((s, t) => s + r[t[0]], 0) / 1e9));
    }
    // the device's memory: in the legend as a series, drawn as a dashed line across the whole plot (the draw hook)
    series.push({
      label: 'device memory, ' + ((m.hardware && m.hardware.name) || 'device'),
      stroke: '#b00020',
      paths: () => null,
      points: { show: false },
      value: (u, v) => gb(v),
    });
    data.push(xs.map(() => capacity));
    const top = Math.max(capacity, Math.max.apply(null, rows.map((r) => r.perDeviceBytes / 1e9))) * 1.08;
    // stages in groups of the recompute modes: the axis names the stages, the legend the bar under the cursor
    const stages = [];
    rows.forEach((r, i) => {
      const s = stages.find((g) => g.stage === r.zeroStage);
      if (s) s.last = i;
      else stages.push({ stage: r.zeroStage, first: i, last: i });
    });
    const chosen = rows.findIndex((r) => r.chosen);
    const options = Object.assign(size(box), {
      scales: { x: { time: false, range: [-0.6, rows.length - 0.4] }, y: { range: [0, top] } },
      axes: [
        {
          label: 'ZeRO stage; recompute none, selective, full',
          splits: () => stages.map((g) => (g.first + g.last) / 2),
          values: (u, t) => t.map((v) => {
            const g = stages.find((s) => (s.first + s.last) / 2 === v);
            return g ? 'ZeRO ' + g.stage : '';
          }),
          grid: { show: false },
        },
        { label: 'GB per device (10⁹ bytes)', values: (u, t) => t.map(sig) },
      ],
      cursor: { points: { show: false } },
      series: series,
      hooks: {
        draw: [
          (u) => {
            level(u, capacity, gb(capacity), '#b00020');
            if (chosen >= 0) mark(u, chosen, 'chosen', '#b25e00', 0);
          },
        ],
      },
    });
    return { options: options, data: data };
  }

  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

  /** 5.76e23: three significant digits in scientific notation (as the pages' Show.sci). */
  function sci(v) {
    if (none(v) || !isFinite(v)) return '';
    return v.toExponential(2).replace('e+', 'e');
  }

  /** Very large or small numbers in scientific notation, the rest with three significant digits. */
  function num(v) {
    if (none(v) || !isFinite(v)) return '';
    const a = Math.abs(v);
    return a !== 0 && (a >= 1e5 || a < 1e-3) ? sci(v) : sig(v);
  }

  /**
   * A figure of the server (/chart/NAME.json, the series its image is drawn from): lines and markers on one plot,
   * log axes as in the image, the marks (the budget, your N) as dashed lines and, with identity, the line y = x; on
   * hover, the x under the cursor and each series's value there (a point's label, such as its run, with it).
   */
  function figure(box, f) {
    const all = (f.lines || []).map((s) => ({ s: s, line: true })).concat((f.points || []).map((s) => ({ s: s, line: false })));
    const kept = all.filter((e) => e.s.x.length > 0);
    if (kept.length === 0) return null;
    // one x for all series (uPlot's join): a series without a value at an x shows "--" there and its line spans it
    const joined = uPlot.join(kept.map((e) => [e.s.x, e.s.y]));
    const index = kept.map((e) => new Map(e.s.x.map((x, i) => [x, i])));
    const xs = [], ys = [];
    for (const e of kept) {
      for (const v of e.s.x) if (!f.logX || v > 0) xs.push(v);
      for (const v of e.s.y) if (!f.logY || v > 0) ys.push(v);
    }
    const series = [{ label: f.xLabel, value: (u, v) => (none(v) ? '--' : num(v)) }];
    kept.forEach((e, k) => {
      const colour = PALETTE[k % PALETTE.length];
      const s = {
        label: e.s.name,
        stroke: colour,
        value: (u, v, si, idx) => {
          if (none(v) || none(idx)) return '--';
          const labels = e.s.labels;
          const i = index[k].get(u.data[0][idx]);
          return num(v) + (labels && !none(i) && labels[i] ? ', ' + labels[i] : '');
        },
      };
      if (e.line) Object.assign(s, { width: 2, spanGaps: true, points: { show: false } });
      else Object.assign(s, { paths: () => null, points: { show: true, size: 8, width: 1.5, stroke: colour, fill: colour } });
      series.push(s);
    });
    const range = (vals, log) => {
      let lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
      return log ? [lo / 1.5, hi * 1.5] : [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)];
    };
    let xr = range(xs, f.logX), yr = range(ys, f.logY);
    if (f.identity) {
      // both axes the same, so the line y = x is the diagonal
      const v = xs.concat(ys), lo = Math.min.apply(null, v), hi = Math.max.apply(null, v);
      xr = yr = f.logX ? [lo / 1.5, hi * 1.5] : [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)];
    }
    for (const m of f.marks || []) if (!f.logX || m.x > 0) xr = [Math.min(xr[0], m.x), Math.max(xr[1], m.x)];
    const options = Object.assign(size(box), {
      scales: {
        x: Object.assign({ time: false, range: () => xr }, f.logX ? { distr: 3 } : {}),
        y: Object.assign({ range: () => yr }, f.logY ? { distr: 3 } : {}),
      },
      axes: [
        Object.assign({ label: f.xLabel, space: 60, values: (u, t) => t.map(short) }, f.logX ? { splits: () => logSplits(xr), incrs: INCRS } : {}),
        Object.assign({ label: f.yLabel, size: 60, values: (u, t) => t.map(short) }, f.logY ? { splits: () => logSplits(yr), incrs: INCRS } : {}),
      ],
      // a series shows its value at the x under the cursor only, not its nearest point elsewhere
      cursor: { points: { size: 9 }, dataIdx: (u, si, i) => i },
      series: series,
      hooks: {
        draw: [
          (u) => {
            (f.marks || []).forEach((m, k) => mark(u, m.x, m.label, '#b25e00', k));
            if (f.identity) diagonal(u);
          },
        ],
      },
    });
    return { options: options, data: joined };
  }

  /** Steps uPlot may choose for an axis, wider than its own (which stop near 10¹⁶: compute spans far more). */
  const INCRS = Array.from({ length: 61 }, (_, i) => Number('1e' + (i - 30)));

  /** A tick's label: 2e21 for large or small numbers, else three significant digits. */
  function short(v) {
    if (none(v) || !isFinite(v)) return '';
    const a = Math.abs(v);
    return a !== 0 && (a >= 1e5 || a < 1e-3) ? String(Number(v.toPrecision(2)).toExponential()).replace('e+', 'e') : sig(v);
  }

  /** Ticks of a log axis within [lo, hi]: the powers of ten, or 1-2-5 (then 1 to 9) steps where a range spans less. */
  function logSplits(r) {
    const [lo, hi] = r;
    for (const steps of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
      const out = [];
      for (let d = Math.floor(Math.log10(lo)); d <= Math.ceil(Math.log10(hi)); d++)
        for (const m of steps) {
          const v = Number((m * Math.pow(10, d)).toPrecision(12));
          if (v >= lo && v <= hi) out.push(v);
        }
      if (out.length >= 3 || steps.length === 9) return out;
    }
    return [];
  }

  /** The line y = x, dashed, across the plot (both axes share a range). */
  function diagonal(u) {
    const dpr = devicePixelRatio, c = u.ctx;
    const lo = Math.max(u.scales.x.min, u.scales.y.min), hi = Math.min(u.scales.x.max, u.scales.y.max);
    if (!(lo < hi)) return;
    c.save();
    c.strokeStyle = '#7f7f7f';
    c.lineWidth = dpr;
    c.setLineDash([6 * dpr, 4 * dpr]);
    c.beginPath();
    c.moveTo(u.valToPos(lo, 'x', true), u.valToPos(lo, 'y', true));
    c.lineTo(u.valToPos(hi, 'x', true), u.valToPos(hi, 'y', true));
    c.stroke();
    c.restore();
  }

  /**
   * Stacked bars by category (/chart/params.json: a preset's parameter terms, active and inactive, in billions); on
   * hover, the term under the cursor, each part and the total.
   */
  function bars(box, d) {
    const terms = d.terms || [], parts = d.series || [];
    if (terms.length === 0 || parts.length === 0) return null;
    const billions = (v) => (none(v) ? '--' : sig(v) + ' B');
    const totals = terms.map((t, i) => parts.reduce((s, p) => s + p.billions[i], 0));
    const xs = terms.map((t, i) => i);
    const series = [
      { label: 'term', value: (u, v, si, idx) => (none(idx) || none(terms[idx]) ? '--' : terms[idx] + ', ' + billions(totals[idx])) },
    ];
    const data = [xs];
    const path = uPlot.paths.bars({ size: [0.7, 60] });
    // drawn from the top part down: each bar reaches its cumulative sum and the next one covers its lower part
    for (let k = parts.length - 1; k >= 0; k--) {
      const p = parts[k], colour = PALETTE[k % PALETTE.length];
      series.push({
        label: p.name,
        stroke: colour,
        fill: colour,
        paths: path,
        points: { show: false },
        value: (u, v, si, idx) => (none(idx) || none(p.billions[idx]) ? '--' : billions(p.billions[idx])),
      });
      data.push(terms.map((t, i) => parts.slice(0, k + 1).reduce((s, q) => s + q.billions[i], 0)));
    }
    const top = Math.max.apply(null, totals) * 1.08 || 1;
    const options = Object.assign(size(box), {
      scales: { x: { time: false, range: [-0.6, terms.length - 0.4] }, y: { range: [0, top] } },
      axes: [
        {
          label: 'parameter term',
          splits: () => xs,
          values: (u, t) => t.map((v) => terms[v] || ''),
          rotate: -40,
          size: 90,
          grid: { show: false },
        },
        { label: d.valueLabel, values: (u, t) => t.map(sig) },
      ],
      cursor: { points: { show: false } },
      series: series,
    });
    return { options: options, data: data };
  }
})();
