import { parseTemplate, type Template } from './template.js';

/** Inline CSS shared by the built-in pages: no external assets, readable on a phone, dark mode honoured. */
const STYLE = `:root{color-scheme:light dark}
*{box-sizing:border-box}
body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f1f1f3;color:#1b1b1f}
main{max-width:38rem;margin:0 auto;padding:1.5rem 1rem}
.card{background:#fff;border-top:6px solid #b42318;border-radius:10px;padding:1.5rem 1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
.neutral{border-top-color:#6b7280}
h1{font-size:1.55rem;line-height:1.25;margin:0 0 .8rem}
p{margin:0 0 .8rem}
.host{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all;background:#f1f1f3;padding:.05rem .3rem;border-radius:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:1.2rem 0 0;padding-top:1rem;border-top:1px solid #e4e4e7}
dt{color:#52525b}
dd{margin:0;overflow-wrap:anywhere}
.ref{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.2rem;font-weight:700;letter-spacing:.08em}
small{display:block;margin-top:1.2rem;color:#52525b}
a{color:#1d4ed8}
@media (max-width:30rem){dl{grid-template-columns:1fr;gap:0}dd{margin-bottom:.6rem}}
@media (prefers-color-scheme:dark){body{background:#111113;color:#ececf0}.card{background:#1f1f23}.host{background:#2e2e33}dt,small{color:#a1a1aa}dl{border-color:#3f3f46}a{color:#93c5fd}}`;

const head = (title: string) => `<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body><main>`;

/** The English stop page, in the template language operators use (docs/stop-page.md). */
export const BLOCKED_PAGE: Template = parseTemplate(
  `${head('{{title}}')}<div class="card">
<h1>{{title}}</h1>
<p>The site <span class="host">{{host}}</span> cannot be opened from this network.</p>
{{#reason}}<p>{{reason}}</p>
{{/reason}}<dl>
<dt>Blocked by</dt><dd>{{list}}</dd>
{{#group}}<dt>Your group</dt><dd>{{group}}</dd>
{{/group}}{{#reference}}<dt>Grounds</dt><dd>{{#referenceUrl}}<a href="{{referenceUrl}}" rel="noreferrer">{{/referenceUrl}}{{reference}}{{#referenceUrl}}</a>{{/referenceUrl}}</dd>
{{/reference}}<dt>Questions or appeal</dt><dd>{{#contact}}{{#contactUrl}}<a href="{{contactUrl}}" rel="noreferrer">{{/contactUrl}}{{contact}}{{#contactUrl}}</a>{{/contactUrl}}{{/contact}}{{^contact}}Ask your network administrator.{{/contact}}</dd>
<dt>Time</dt><dd>{{time}}</dd>
<dt>Reference code</dt><dd class="ref">{{ref}}</dd>
</dl>
<small>Please quote the reference code if you ask about this block: it lets the administrator find this exact event.</small>
</div></main></body></html>
`,
  'built-in English page',
);

/** The page for a host no zone blocks (status 404). */
export const NOT_BLOCKED_PAGE: Template = parseTemplate(
  `${head('Not blocked here')}<div class="card neutral">
<h1>Not blocked here</h1>
<p>This address serves Stopzone's stop page; <span class="host">{{host}}</span> is not blocked here{{#group}} for your group, {{group}}{{/group}}.</p>
<p>If you expected to reach that site, your device may have an old DNS answer: try again in a minute.</p>
</div></main></body></html>
`,
  'built-in not-blocked page',
);

/** The page for a request without a usable Host (status 400): nothing from the request is echoed. */
export const INVALID_HOST_PAGE: Template = parseTemplate(
  `${head('Stop page')}<div class="card neutral">
<h1>Stop page</h1>
<p>This address serves Stopzone's stop page. The request did not name a site it can describe.</p>
</div></main></body></html>
`,
  'built-in invalid-host page',
);
