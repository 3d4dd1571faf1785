// `make css`: Tabler's stylesheet cut down to the rules CX Hub uses (static/css/tabler.used.min.css):
// the full one is 635 KB, and the map page must load at most 400 KB of CSS and JS. Class names are
// read from the templates, our scripts, Bootstrap's script and the Python that builds HTML;
// tests/test_static_css.py fails when a Tabler class in use is missing from the cut (run `make css`).
const root = require("path").resolve(__dirname, "..");
module.exports = {
  content: [
    `${root}/templates/**/*.html`,
    `${root}/static/js/*.js`,
    `${root}/static/vendor/bootstrap/bootstrap.bundle.min.js`,
    `${root}/static/vendor/sortablejs/Sortable.min.js`,
    `${root}/journeys/**/*.py`, `${root}/barriers/**/*.py`, `${root}/metrics/**/*.py`, `${root}/cxhub/**/*.py`,
  ],
  css: [`${root}/static/vendor/tabler/tabler.min.css`],
  // Classes built in templates from parts (alert-{{ tag }}, col-md-{% if %}…, bg-…-lt) and toggled by Bootstrap.
  safelist: {
    standard: [/^alert-/, /^col-md-/, /^bg-[a-z]+-lt$/, /^show$/, /^fade$/, /^collaps/, /^dropdown/, /^was-validated$/],
    greedy: [/data-bs-popper/],
  },
  variables: true,
  keyframes: true,
  fontFace: true,
};
