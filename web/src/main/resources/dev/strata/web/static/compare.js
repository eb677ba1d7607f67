// The compare form is a GET, so that a comparison is its URL; a pasted config.json is posted instead (it is too long
// for a URL). Without this script the GET carries the config, and the server honours it.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('compare-form');
  const config = document.getElementById('config');
  if (!form || !config) return;
  form.addEventListener('submit', () => {
    form.method = config.value.trim() ? 'post' : 'get';
  });
});
