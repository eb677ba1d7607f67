// While a fit runs (seconds: a fit from many starts, then its bootstrap), say so and count the seconds, and keep the
// button from sending the runs twice. Without this script the form posts the same way, with no progress shown.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('fit-form');
  const progress = document.getElementById('fit-progress');
  if (!form || !progress) return;
  form.addEventListener('submit', () => {
    const button = form.querySelector('button[type="submit"]');
    const started = Date.now();
    const resamples = form.querySelector('[name="bootstrap"]');
    const what = resamples && resamples.value ? `, then ${resamples.value} bootstrap resamples` : '';
    const show = () => {
      const s = Math.round((Date.now() - started) / 1000);
      progress.textContent = `Fitting your runs (the law from many starting points${what}): ${s} s`;
    };
    show();
    progress.hidden = false;
    setInterval(show, 1000);
    if (button) setTimeout(() => { button.disabled = true; }, 0); // after the submit has gone
  });
});
