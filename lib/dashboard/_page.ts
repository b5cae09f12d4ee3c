/**
 * The page around the browser code: the HTML shell, its style sheet, and the way scripts and
 * data are put into a self-contained report (escaped so that no text can close a `<script>`).
 *
 * @module
 */

const STYLE = `
:root { --fg: #1f2430; --muted: #6b7280; --line: #e5e7eb; --bg: #f6f7f9; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
header { display: flex; gap: 12px; align-items: baseline; padding: 10px 20px; background: #111827; color: #fff; }
header a { color: #fff; font-weight: 600; text-decoration: none; font-size: 16px; }
header #mode { color: #9ca3af; font-size: 12px; }
main { padding: 16px 20px; max-width: 1500px; margin: 0 auto; }
h1 { font-size: 20px; margin: 0 0 8px; word-break: break-all; }
h2 { font-size: 15px; margin: 0 0 10px; }
h3 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; }
.muted { color: var(--muted); }
.error { color: #b91c1c; }
.summary { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
.summary dt { color: var(--muted); }
.summary dd { margin: 0; }
.split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(260px, 1fr); gap: 16px; align-items: start; }
.split > .card { margin-bottom: 16px; }
.table-wrap { overflow-x: auto; }
table.trials { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.trials th, table.trials td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
table.trials th { background: #f9fafb; position: sticky; top: 0; }
th.sortable { cursor: pointer; user-select: none; }
th.param, td.param { color: #1e3a8a; }
table.trials tbody tr { cursor: pointer; }
table.trials tbody tr:hover { background: #eff6ff; }
tr.selected { background: #dbeafe !important; }
tr.state-fail td:nth-child(2) { color: #b91c1c; }
tr.state-pruned td:nth-child(2) { color: #a16207; }
tr.state-running td:nth-child(2) { color: #2563eb; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
.pager { display: flex; gap: 10px; align-items: center; margin-top: 8px; }
table.kv { border-collapse: collapse; }
table.kv th { text-align: left; color: var(--muted); font-weight: normal; padding: 1px 12px 1px 0; vertical-align: top; }
table.kv td { word-break: break-all; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 12px; }
.plot { min-height: 380px; min-width: 0; }
.plot.wide { grid-column: 1 / -1; }
.plot.small { min-height: 260px; }
pre.note { white-space: pre-wrap; background: #f9fafb; border: 1px solid var(--line); padding: 8px; border-radius: 6px; margin: 4px 0; }
textarea.note-edit { width: 100%; font: inherit; }
button { font: inherit; padding: 3px 10px; border: 1px solid #cbd5e1; background: #fff; border-radius: 6px; cursor: pointer; }
button:disabled { opacity: .45; cursor: default; }
input, select { font: inherit; padding: 2px 6px; border: 1px solid #cbd5e1; border-radius: 6px; }
a { color: var(--accent); }
`;

/**
 * Text made safe inside an inline `<script>`: `<\/script` and `<!--` cannot appear (both are
 * written `\x3C…`, which means the same inside JavaScript strings and regular expressions);
 * for JSON, every `<`, `>`, `&` and line separator is a `\u` escape.
 */
export function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, "\\x3C/$1").replace(/<!--/g, "\\x3C!--");
}

/** JSON for a `<script type="application/json">` block: nothing in it can end the block. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function shell(head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
${head}
<style>${STYLE}</style>
</head>
<body>
<header><a href="#/">Hyperion</a><span id="mode"></span></header>
<main id="app"><p class="muted">Loading…</p></main>
${body}
</body>
</html>
`;
}

/** The dashboard's page: its scripts come from the server (the CSP allows no inline script). */
export function dashboardHtml(): string {
  return shell(
    "<title>Hyperion dashboard</title>",
    '<script src="/assets/plotly.min.js"></script>\n<script src="/assets/app.js"></script>',
  );
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let bin = "";
  for (const b of new Uint8Array(digest)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * The self-contained report: Plotly, the data and the browser code inline; a CSP lets only
 * these two scripts (by hash) run, so markup that got into the data could run nothing.
 */
export async function reportHtml(
  title: string,
  plotly: string,
  app: string,
  data: unknown,
): Promise<string> {
  const scripts = [scriptSafe(plotly), scriptSafe(app)];
  const hashes = await Promise.all(scripts.map(sha256));
  const csp = `default-src 'none'; script-src ${hashes.map((h) => `'sha256-${h}'`).join(" ")}; ` +
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'";
  const escapedTitle = title.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
  return shell(
    `<meta http-equiv="Content-Security-Policy" content="${csp}">\n<title>${escapedTitle} — Hyperion report</title>`,
    `<script type="application/json" id="hyperion-data">${jsonForScript(data)}</script>\n` +
      `<script>${scripts[0]}</script>\n<script>${scripts[1]}</script>`,
  );
}
