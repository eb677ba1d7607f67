// The planner's form is a GET, so that the page's state is its URL; a pasted config.json is posted instead (it is too
// long for a URL). Without this script the GET carries the config, and the server honours it.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('planner');
  const config = document.getElementById('config');
  if (!form || !config) return;
  form.addEventListener('submit', () => {
    form.method = config.value.trim() ? 'post' : 'get';
  });
});
