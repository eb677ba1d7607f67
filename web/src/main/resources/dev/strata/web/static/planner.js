// The planner. Its form is a GET, so that the page's state is its URL; a pasted config.json is posted instead (it is
// too long for a URL). Without this script the form works as it is (a GET then carries the config, and the server
// honours it). With it:
// - the results follow the fields as they change, without a page load: the page is fetched (GET with the fields, or
//   POST with a pasted config) and its results and field errors are put in place; the URL follows (replaceState), so
//   it stays shareable;
// - the charts are drawn with uPlot from the JSON API (the box's data-src), with values on hover; the server's image
//   stays in the page for export and is hidden once the interactive chart is drawn.
(() => {
  'use strict';
  /** Quiet time after the last change before the results are fetched. */
  const DELAY_MS = 350;

  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('planner');
    const config = document.getElementById('config');
    if (!form) return;
    let timer = null;
    let inflight = null;
    let shown = state();
    modelSearch();
    configFile();

    /** The model list filtered by the words typed in the search box (shown only with this script). */
    function modelSearch() {
      const search = document.getElementById('model-search');
      const select = document.getElementById('model');
      if (!search || !select) return;
      search.closest('label').hidden = false;
      const all = Array.from(select.options, o => ({value: o.value, text: o.text}));
      search.addEventListener('input', () => {
        const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
        const current = select.value;
        const keep = all.filter(o => o.value === current
            || words.every(w => (o.value + ' ' + o.text).toLowerCase().includes(w)));
        select.replaceChildren(...keep.map(o => new Option(o.text, o.value, false, o.value === current)));
      });
    }

    /**
     * A config.json chosen in the upload form goes into the config box, and the results follow it. A GGUF file or a
     * safetensors index is for the server to read: the upload form is sent with the planner's fields as they are now
     * (and the config, which an index is checked against), and of a GGUF file larger than the server takes only its
     * first bytes, which hold the header (a GGUF file is gigabytes, its header a few MiB).
     */
    function configFile() {
      const file = document.getElementById('config-file');
      if (!file || !config) return;
      file.addEventListener('change', async () => {
        const f = file.files && file.files[0];
        if (!f) return;
        const head = new Uint8Array(await f.slice(0, 4).arrayBuffer());
        const gguf = String.fromCharCode(...head) === 'GGUF' || /\.gguf$/i.test(f.name);
        if (!gguf) {
          const t = await f.text();
          if (!/model\.safetensors\.index\.json$|index\.json$/i.test(f.name) && !t.includes('"weight_map"')) {
            config.value = t;
            update();
            return;
          }
        }
        const upload = file.form;
        for (const old of upload.querySelectorAll('input[type=hidden]')) old.remove();
        let fields = 0; // the bytes the other fields take in the body, with room for each part's headers
        for (const [k, v] of new FormData(form)) {
          if (String(v).trim() === '') continue;
          const h = document.createElement('input');
          h.type = 'hidden';
          h.name = k;
          h.value = String(v);
          upload.appendChild(h);
          fields += new Blob([k, String(v)]).size + 256;
        }
        // the whole body must fit the server's limit: the file's first bytes, which hold its header
        const room = Number(file.dataset.maxBytes) - fields - 4096;
        if (gguf && room > 0 && f.size > room) {
          const part = new DataTransfer();
          part.items.add(new File([f.slice(0, room)], f.name, { type: 'application/octet-stream' }));
          file.files = part.files;
        }
        upload.submit();
      });
    }

    /** Whether a config is pasted: then the form is posted, as it would be without this script. */
    function pasted() {
      return config !== null && config.value.trim() !== '';
    }

    /** The fields as a query string: blank fields left out (they mean the default), the config never. */
    function query() {
      const p = new URLSearchParams();
      for (const [k, v] of new FormData(form)) {
        const t = String(v).trim();
        if (k !== 'config' && t !== '') p.append(k, t);
      }
      return p.toString();
    }

    function state() {
      return (pasted() ? 'post:' + config.value : 'get:') + query();
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        if (state() !== shown) update();
      }, DELAY_MS);
    }

    async function update() {
      clearTimeout(timer);
      timer = null;
      if (inflight) inflight.abort();
      const ctl = new AbortController();
      inflight = ctl;
      const post = pasted();
      const q = query();
      const key = state();
      form.method = post ? 'post' : 'get';
      form.setAttribute('aria-busy', 'true');
      try {
        const res = post
          ? await fetch('/', { method: 'POST', body: new URLSearchParams(new FormData(form)), signal: ctl.signal })
          : await fetch('/?' + q, { signal: ctl.signal, headers: { Accept: 'text/html' } });
        const text = await res.text();
        // a newer change is waiting or on its way: its answer replaces this one
        if (ctl !== inflight || timer !== null) return;
        const doc = new DOMParser().parseFromString(text, 'text/html');
        if (!doc.getElementById('results')) throw new Error(failure(res.status, text));
        apply(doc);
        shown = key;
        history.replaceState(null, '', post ? '/' : '/?' + q);
      } catch (e) {
        if (e.name !== 'AbortError' && ctl === inflight) problem(e.message);
      } finally {
        if (ctl === inflight) {
          inflight = null;
          form.removeAttribute('aria-busy');
        }
      }
    }

    /** The words of an answer that is not a page (a JSON error, as for a body too large). */
    function failure(status, text) {
      try {
        return 'The update failed (HTTP ' + status + '): ' + JSON.parse(text).error;
      } catch (ignored) {
        return 'The update failed (HTTP ' + status + ').';
      }
    }

    function problem(message) {
      const results = document.getElementById('results');
      if (!results) return;
      let box = document.getElementById('update-error');
      if (!box) {
        box = document.createElement('p');
        box.id = 'update-error';
        box.className = 'error-box';
        results.prepend(box);
      }
      box.textContent = message;
    }

    /** Puts the fetched page's results and field errors in place; the fields themselves (focus, caret) stay. */
    function apply(doc) {
      for (const label of form.querySelectorAll('label')) {
        const control = label.querySelector('input, select, textarea');
        const twin = control && control.id ? doc.getElementById(control.id) : null;
        const other = twin ? twin.closest('label') : null;
        if (!other) continue;
        label.className = other.className;
        const old = label.querySelector('.field-error');
        if (old) old.remove();
        const error = other.querySelector('.field-error');
        if (error) label.appendChild(document.importNode(error, true));
        const first = label.firstChild, otherFirst = other.firstChild;
        if (first && otherFirst && first.nodeType === Node.TEXT_NODE && otherFirst.nodeType === Node.TEXT_NODE)
          first.textContent = otherFirst.textContent;
      }
      const more = document.getElementById('more'), otherMore = doc.getElementById('more');
      if (more && otherMore && otherMore.open) more.open = true;
      morph(document.getElementById('results'), doc.getElementById('results'));
      charts();
    }

    form.addEventListener('input', later);
    form.addEventListener('change', later);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      update();
    });
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(resize, 150);
    });
    charts();
  });

  /**
   * Makes {@code old} like {@code fresh} in place: an element of the same tag and id keeps its identity (a reference
   * to it stays good, focus and scroll stay), its attributes and children are brought up to date. A chart box keeps
   * its drawn chart, which charts() redraws when the box's data changed.
   */
  function morph(old, fresh) {
    if (old.nodeType !== fresh.nodeType || old.nodeName !== fresh.nodeName) {
      old.replaceWith(document.importNode(fresh, true));
      return;
    }
    if (old.nodeType !== Node.ELEMENT_NODE) {
      if (old.nodeValue !== fresh.nodeValue) old.nodeValue = fresh.nodeValue;
      return;
    }
    if ((old.id || '') !== (fresh.id || '')) {
      old.replaceWith(document.importNode(fresh, true));
      return;
    }
    const chart = old.hasAttribute('data-chart');
    for (const a of Array.from(old.attributes))
      if (!fresh.hasAttribute(a.name) && !(chart && a.name === 'class')) old.removeAttribute(a.name);
    for (const a of Array.from(fresh.attributes)) {
      const value = chart && a.name === 'class' && old.classList.contains('live') ? a.value + ' live' : a.value;
      if (old.getAttribute(a.name) !== value) old.setAttribute(a.name, value);
    }
    const kept = Array.from(old.childNodes).filter((n) => !(chart && n.nodeType === Node.ELEMENT_NODE && n.classList.contains('plot')));
    const wanted = Array.from(fresh.childNodes);
    for (let i = 0; i < wanted.length; i++) {
      if (i < kept.length) morph(kept[i], wanted[i]);
      else if (chart && old.querySelector(':scope > .plot')) old.insertBefore(document.importNode(wanted[i], true), old.querySelector(':scope > .plot'));
      else old.appendChild(document.importNode(wanted[i], true));
    }
    for (let i = wanted.length; i < kept.length; i++) kept[i].remove();
  }

  let resizeTimer = null;
  /** The charts drawn, by box, to resize with the window (chart-kit.js). */
  const plots = window.strataChartKit.plotRegister(size);

  function resize() {
    plots.resize();
  }

  function size(box) {
    const width = Math.max(240, box.clientWidth);
    return { width: width, height: width < 560 ? 280 : 340 };
  }

  /** The data a chart box is drawn from: its JSON source and marks. */
  function chartKey(box) {
    return [box.dataset.src, box.dataset.chosen, box.dataset.max].join('|');
  }

  /**
   * Draws every chart box of the results whose data changed (or that has none drawn yet); the chart drawn before
   * stays until the new one is ready, and a box whose data cannot be had keeps (or goes back to) the server's image.
   */
  function charts() {
    plots.prune();
    if (typeof uPlot === 'undefined') return;
    for (const box of document.querySelectorAll('#results [data-chart]')) {
      const key = chartKey(box);
      if (plots.key(box) === key) continue;
      fetch(box.dataset.src)
        .then((res) => (res.ok ? res.text() : Promise.reject(new Error('HTTP ' + res.status))))
        .then((text) => {
          // gone, or its data changed again while this was on its way
          if (!box.isConnected || chartKey(box) !== key) return;
          plots.place(box, key, box.dataset.chart === 'memory' ? memory(box, JSON.parse(text)) : sweep(box, text));
        })
        .catch(() => {
          // the server's image, rather than a chart of other data
          if (chartKey(box) !== key) return;
          plots.drop(box);
        });
    }
  }

  const { INT, sig, mark } = window.strataChartKit; // chart-kit.js

  /** Ticks of a log axis: 1, 2, 5 x 10^n within the range, or the powers of ten alone when those are too many. */
  function logTicks(min, max, room) {
    const all = [], decades = [];
    for (let e = Math.floor(Math.log10(min)) - 1; e <= Math.ceil(Math.log10(max)) + 1; e++)
      for (const m of [1, 2, 5]) {
        const t = m * Math.pow(10, e);
        if (t >= min * 0.999 && t <= max * 1.001) {
          all.push(t);
          if (m === 1) decades.push(t);
        }
      }
    return all.length <= room ? all : decades.length >= 2 ? decades : all.filter((t, i) => i % 3 === 0);
  }

  /** Decode time per token (floor, calibrated) and throughput over batch or context, with the chosen and max marked. */
  function sweep(box, text) {
    const overBatch = box.dataset.axis === 'batch';
    const rows = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l))
      .filter((r) => r.fits === true);
    if (rows.length === 0) return null;
    const xs = rows.map((r) => (overBatch ? r.batch : r.promptTokens + r.generatedTokens));
    const data = [
      xs,
      rows.map((r) => r.decodeFloorSeconds * 1e3),
      rows.map((r) => r.decodeSeconds * 1e3),
      rows.map((r) => r.tokensPerSecond),
    ];
    const chosen = Number(box.dataset.chosen), max = Number(box.dataset.max);
    const ms = (u, v) => (v === null || v === undefined ? '--' : sig(v) + ' ms');
    const name = overBatch ? 'batch' : 'context tokens';
    // the axis reaches the chosen point and the largest that fits when those lie past the last point that fits
    const last = xs[xs.length - 1];
    const reach = Math.max(last, chosen || 0, Math.min(max || 0, last * 4));
    const options = Object.assign(size(box), {
      scales: {
        x: { time: false, distr: 3, log: 2, range: () => [xs[0], reach > xs[0] ? reach : xs[0] * 2] },
        ms: { distr: 3, log: 10 },
        tps: { distr: 3, log: 10 },
      },
      axes: [
        {
          label: name,
          // the swept points themselves: whole batches (powers of two) or contexts, as many as fit side by side
          splits: (u, i, lo, hi) => {
            const inside = xs.filter((x) => x >= lo && x <= hi);
            const step = Math.max(1, Math.ceil(inside.length / Math.max(2, u.bbox.width / devicePixelRatio / 48)));
            return inside.filter((x, k) => k % step === 0);
          },
          filter: (u, splits) => splits,
          values: (u, ticks) => ticks.map((t) => (overBatch ? INT.format(t) : t >= 1024 ? sig(t / 1024) + 'k' : INT.format(t))),
        },
        {
          scale: 'ms',
          label: 'ms per token',
          splits: (u, i, lo, hi) => logTicks(lo, hi, u.bbox.height / devicePixelRatio / 30),
          filter: (u, splits) => splits,
          values: (u, ticks) => ticks.map(sig),
        },
        {
          scale: 'tps',
          side: 1,
          label: 'tokens/s',
          grid: { show: false },
          splits: (u, i, lo, hi) => logTicks(lo, hi, u.bbox.height / devicePixelRatio / 30),
          filter: (u, splits) => splits,
          values: (u, ticks) => ticks.map(sig),
        },
      ],
      series: [
        { label: name, value: (u, v) => (v === null || v === undefined ? '--' : INT.format(v)) },
        { label: 'time per token, floor', scale: 'ms', stroke: '#8a94a8', dash: [6, 4], width: 1.5, value: ms },
        { label: 'time per token, calibrated', scale: 'ms', stroke: '#2b6cd4', width: 2, value: ms },
        {
          label: 'throughput, calibrated',
          scale: 'tps',
          stroke: '#1b7f3b',
          width: 2,
          value: (u, v) => (v === null || v === undefined ? '--' : INT.format(v) + ' tok/s'),
        },
      ],
      hooks: {
        draw: [
          (u) => {
            mark(u, chosen, 'chosen ' + INT.format(chosen), '#b25e00', 0);
            if (max !== chosen) mark(u, max, 'max ' + INT.format(max), '#b00020', 1);
          },
        ],
      },
    });
    return { options: options, data: data };
  }


  /** A JSON name in words: kvCacheBytes is "KV cache", runtimeOverheadBytes "runtime overhead". */
  function words(name) {
    return name
      .replace(/Bytes$/, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .replace(/\bkv\b/g, 'KV');
  }

  const TERM_COLOURS = ['#2b6cd4', '#e08a1e', '#8e5cc7', '#7a8599', '#2aa198', '#c0392b'];

  /** The most loaded device's memory, term by term, stacked beside the device's capacity (GB). */
  function memory(box, r) {
    const per = r.memory && r.memory.perDevice;
    if (!per) return null;
    const terms = Object.keys(per);
    const gb = terms.map((k) => per[k] / 1e9);
    const cumulative = [];
    gb.reduce((sum, v, i) => (cumulative[i] = sum + v), 0);
    const capacity = r.memory.deviceMemoryBytes / 1e9;
    const bars = uPlot.paths.bars({ size: [0.5, 140] });
    const gbText = (v) => (v === null || v === undefined ? '--' : sig(v) + ' GB');
    // drawn from the top term down: each bar reaches its cumulative sum and the next one covers its lower part
    const series = [{ label: 'memory', value: (u, v) => (v === 0 ? 'needed' : v === 1 ? 'capacity' : '--') }];
    const data = [[0, 1]];
    for (let i = terms.length - 1; i >= 0; i--) {
      series.push({
        label: words(terms[i]),
        stroke: TERM_COLOURS[i % TERM_COLOURS.length],
        fill: TERM_COLOURS[i % TERM_COLOURS.length],
        paths: bars,
        points: { show: false },
        value: (u, v, si, idx) => (idx === 0 ? gbText(gb[i]) : '--'),
      });
      data.push([cumulative[i], null]);
    }
    series.push({
      label: 'device memory',
      stroke: '#b00020',
      fill: 'rgba(176, 0, 32, 0.18)',
      paths: bars,
      points: { show: false },
      value: (u, v, si, idx) => (idx === 1 ? gbText(capacity) : '--'),
    });
    data.push([null, capacity]);
    const top = Math.max(capacity, cumulative[cumulative.length - 1] || 0) * 1.08;
    const options = Object.assign(size(box), {
      scales: { x: { time: false, range: [-0.5, 1.5] }, y: { range: [0, top] } },
      axes: [
        { splits: () => [0, 1], values: (u, ticks) => ticks.map((t) => (t === 0 ? 'needed' : 'capacity')) },
        { label: 'GB per device', values: (u, ticks) => ticks.map(sig) },
      ],
      cursor: { points: { show: false } },
      series: series,
    });
    return { options: options, data: data };
  }
})();
