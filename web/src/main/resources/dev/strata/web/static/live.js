// A form marked data-live follows its fields: with JavaScript, a change (debounced) fetches the same page for the
// form's values and puts the page's content around the form in place, the field errors next to their fields, and the
// URL follows (replaceState), so it stays shareable. The form itself is kept, so what is being typed is not lost; only
// when the fetched form has other fields (another view of the page) do its fields replace ours.
// Without this script the form is submitted as usual. Left alone: a form with a pasted config (it is posted) and a
// form whose heavy option (data-live-off names it) is ticked, which waits for its button.
(() => {
  'use strict';
  const DELAY_MS = 400;

  document.addEventListener('DOMContentLoaded', () => {
    for (const form of document.querySelectorAll('form[data-live]')) wire(form);
  });

  function query(form) {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) {
      const t = String(v).trim();
      if (t !== '') p.append(k, t);
    }
    return p.toString();
  }

  function wire(form) {
    let timer = null;
    let inflight = null;
    let shown = query(form);
    const action = new URL(form.getAttribute('action') || location.pathname, location.href).pathname;

    const manual = () => {
      const config = form.querySelector('textarea[name="config"]');
      if (config && config.value.trim() !== '') return true;
      const off = form.dataset.liveOff;
      const heavy = off ? form.querySelector(`[name="${off}"]`) : null;
      return heavy !== null && (heavy.type === 'checkbox' ? heavy.checked : heavy.value === 'true');
    };
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (!manual() && query(form) !== shown) update();
      }, DELAY_MS);
    };
    form.addEventListener('input', later);
    form.addEventListener('change', later);

    async function update() {
      const q = query(form);
      if (inflight) inflight.abort();
      const ctl = new AbortController();
      inflight = ctl;
      form.setAttribute('aria-busy', 'true');
      try {
        const res = await fetch(action + (q ? '?' + q : ''), {signal: ctl.signal, headers: {Accept: 'text/html'}});
        const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
        if (ctl.signal.aborted) return;
        // a form whose fields changed (another view of the page) is rebuilt: the URL is then the fetched form's query,
        // and what was typed meanwhile, kept in the rebuilt form, is fetched next
        const rebuilt = apply(form, doc);
        const shownQuery = rebuilt === null ? q : rebuilt;
        history.replaceState(null, '', action + (shownQuery ? '?' + shownQuery : '') + location.hash);
        shown = shownQuery;
        if (query(form) !== shown) later();
      } catch (e) {
        if (e.name !== 'AbortError') console.warn('strata: the page could not be updated', e);
      } finally {
        if (inflight === ctl) {
          inflight = null;
          form.removeAttribute('aria-busy');
        }
      }
    }
  }

  /**
   * The fetched page's content around its form replaces ours (or only the element the form's data-live-target names,
   * when other forms on the page hold what the user typed); its field errors go next to our fields.
   */
  function apply(form, doc) {
    const main = form.closest('main');
    const freshMain = doc.querySelector('main');
    const freshForm = form.id ? doc.getElementById(form.id) : freshMain && freshMain.querySelector('form[data-live]');
    if (!main || !freshMain || !freshForm) return null;
    const target = form.dataset.liveTarget;
    if (target) {
      const mine = document.getElementById(target);
      const fresh = doc.getElementById(target);
      if (mine && fresh) mine.replaceWith(document.importNode(fresh, true));
      else if (mine) mine.replaceChildren();
      else if (fresh) form.after(document.importNode(fresh, true));
      // the page's other forms keep what was typed in them, and post to where the fetched page sends them
      for (const other of main.querySelectorAll('form[id]')) {
        const f = doc.getElementById(other.id);
        if (other !== form && f && f.getAttribute('action')) other.setAttribute('action', f.getAttribute('action'));
      }
      errors(form, freshForm);
      document.dispatchEvent(new CustomEvent('strata:replaced'));
      return null;
    }
    const rebuilt = fieldNames(form) !== fieldNames(freshForm);
    for (const child of Array.from(main.children)) if (child !== form) child.remove();
    let before = true;
    for (const child of Array.from(freshMain.children)) {
      if (child === freshForm) {
        before = false;
        continue;
      }
      const node = document.importNode(child, true);
      if (before) main.insertBefore(node, form);
      else main.appendChild(node);
    }
    const fetched = rebuilt ? rebuild(form, freshForm) : null;
    if (!rebuilt) errors(form, freshForm);
    document.dispatchEvent(new CustomEvent('strata:replaced'));
    return fetched;
  }

  /** The names of a form's fields, in order: two forms with the same names show the same view. */
  function fieldNames(form) {
    return Array.from(form.querySelectorAll('[name]'), (f) => f.name).join('\n');
  }

  /**
   * Another view of the page has other fields (the validation page's published runs have no quantity): the form takes
   * the fetched form's fields; a field both views have keeps what was typed in it since, and the focus stays on the
   * field of the same name. Returns the fetched form's query.
   */
  function rebuild(form, freshForm) {
    const focused = document.activeElement && form.contains(document.activeElement) ? document.activeElement.name : null;
    const typed = new Map();
    for (const f of form.querySelectorAll('input[name]:not([type=hidden]), select[name], textarea[name]'))
      if (f.type !== 'checkbox' && f.type !== 'radio' && f.type !== 'file') typed.set(f.name, f.value);
    form.replaceChildren(...Array.from(freshForm.childNodes, (n) => document.importNode(n, true)));
    const fetched = query(form);
    for (const f of form.querySelectorAll('input[name]:not([type=hidden]), select[name], textarea[name]')) {
      if (!typed.has(f.name) || f.type === 'checkbox' || f.type === 'radio' || f.type === 'file') continue;
      const v = typed.get(f.name);
      if (f.tagName !== 'SELECT' || Array.from(f.options).some((o) => o.value === v)) f.value = v;
    }
    const again = focused ? form.querySelector(`[name="${CSS.escape(focused)}"]`) : null;
    if (again) again.focus();
    return fetched;
  }

  /** Each field's label takes the fetched label's state and message. */
  function errors(form, freshForm) {
    for (const field of form.querySelectorAll('[name]')) {
      const label = field.closest('label');
      const fresh = freshForm.querySelector(`[name="${CSS.escape(field.name)}"]`);
      const freshLabel = fresh && fresh.closest('label');
      if (!label || !freshLabel) continue;
      label.classList.toggle('invalid', freshLabel.classList.contains('invalid'));
      const old = label.querySelector('.field-error');
      const msg = freshLabel.querySelector('.field-error');
      if (old) old.remove();
      if (msg) label.appendChild(document.importNode(msg, true));
    }
  }
})();
