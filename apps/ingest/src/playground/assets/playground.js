// The template playground's page: plain browser JavaScript, served by ingest as it is (no build
// step, nothing fetched from anywhere but the relay). Every text from the config or a
// notification goes into the page as text; only the server's markdown rendering (made with raw
// HTML off) is inserted as HTML, and an email's HTML only into an iframe sandboxed without scripts.
'use strict';

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
};
const number = (n) => n.toLocaleString('en-US');

const state = {
  receivers: [],
  target: undefined,
  /** What each template field holds in the config in force (null: unset). */
  configured: {},
  renderSeq: 0,
  renderTimer: undefined,
};

async function api(path, options = {}) {
  const response = await fetch(`/ui/api/${path}`, { headers: { 'Content-Type': 'application/json' }, ...options });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = Array.isArray(body.message) ? body.message.join('\n') : body.message || response.statusText;
    throw new Error(message);
  }
  return body;
}

const allTargets = () => state.receivers.flatMap((r) => r.targets);

async function loadTargets() {
  const { receivers, examples } = await api('targets');
  const chosen = state.target?.name ?? decodeURIComponent(location.hash.slice(1));
  state.receivers = receivers;
  const select = $('target');
  select.replaceChildren(
    ...receivers.map((r) => el('optgroup', { label: `receiver ${r.name}` }, ...r.targets.map((t) => el('option', { value: t.name, text: `${t.name} (${t.channel})` })))),
  );
  const example = $('example');
  if (example.options.length === 1) for (const e of examples) example.append(el('option', { value: e.id, text: e.label }));
  const target = allTargets().find((t) => t.name === chosen) ?? allTargets()[0];
  if (!target) {
    $('destination').textContent = 'The config in force has no targets.';
    return;
  }
  select.value = target.name;
  if (target.name !== state.target?.name) await chooseTarget(target);
  else followReload(target);
}

/** A reload changed the target's templates: fields the person has not edited take the new text. */
function followReload(target) {
  for (const field of target.fields) {
    const box = document.querySelector(`textarea[data-key="${CSS.escape(field.key)}"]`);
    if (box && box.value === (state.configured[field.key] ?? '') && field.value !== state.configured[field.key]) box.value = field.value ?? '';
    state.configured[field.key] = field.value;
  }
  state.target = target;
}

async function chooseTarget(target) {
  state.target = target;
  state.configured = Object.fromEntries(target.fields.map((f) => [f.key, f.value]));
  history.replaceState(null, '', `#${encodeURIComponent(target.name)}`);
  $('destination').replaceChildren(...[`channel ${target.channel}`, `send_resolved ${target.sendResolved}`, ...target.destination].map((d) => el('div', { text: d })));
  const fields = $('fields');
  fields.replaceChildren();
  if (!target.fields.length) fields.append(el('p', { class: 'muted', text: 'Nothing in this channel\'s message is templated.' }));
  for (const field of target.fields) {
    const box = el('textarea', { 'data-key': field.key, 'aria-label': `template ${field.key}`, spellcheck: 'false', rows: String(Math.min(10, Math.max(2, (field.value ?? '').split('\n').length + 1))) });
    box.value = field.value ?? '';
    if (field.value === null) box.placeholder = field.default ? `unset: ${field.default}` : 'unset: the channel\'s default';
    box.addEventListener('input', scheduleRender);
    const reset = el('button', { type: 'button', text: 'reset' });
    reset.addEventListener('click', () => {
      box.value = state.configured[field.key] ?? '';
      scheduleRender();
    });
    fields.append(el('div', { class: 'field' }, el('label', {}, el('span', { text: field.key }), reset), box, el('div', { class: 'field-error', 'data-error-for': field.key })));
  }
  if (!$('notification').value.trim()) await loadExample('firing');
  await refreshDeliveries();
  render();
}

async function loadExample(id) {
  const { notification } = await api(`example?id=${encodeURIComponent(id)}&target=${encodeURIComponent(state.target.name)}`);
  $('notification').value = notification;
  $('example').value = id;
}

/** The fields the person changed: only these travel, the rest render as configured. */
function editedTemplates() {
  const out = {};
  for (const box of document.querySelectorAll('#fields textarea')) {
    const key = box.dataset.key;
    const configured = state.configured[key];
    if (box.value !== (configured ?? '') && !(configured === null && box.value === '')) out[key] = box.value;
  }
  return out;
}

const request = () => JSON.stringify({ target: state.target.name, templates: editedTemplates(), notification: $('notification').value });

function scheduleRender() {
  clearTimeout(state.renderTimer);
  state.renderTimer = setTimeout(render, 200);
}

async function render() {
  if (!state.target) return;
  const seq = ++state.renderSeq;
  let result;
  try {
    result = await api('render', { method: 'POST', body: request() });
  } catch (e) {
    result = { ok: false, notificationErrors: [], templateErrors: [{ field: '(request)', message: e.message }], notes: [] };
  }
  if (seq !== state.renderSeq) return; // a newer edit is on its way
  show(result);
}

function show(result) {
  const editedText = Object.fromEntries([...document.querySelectorAll('#fields textarea')].map((b) => [b.dataset.key, b.value]));
  document.querySelectorAll('#fields textarea').forEach((b) => b.classList.remove('broken'));
  document.querySelectorAll('.field-error').forEach((d) => d.replaceChildren());
  $('template-errors').replaceChildren(
    ...result.templateErrors.map((p) => {
      const where = p.line ? `${p.field}, line ${p.line}${p.column ? `, column ${p.column}` : ''}` : p.field;
      const source = p.line && editedText[p.field] !== undefined ? editedText[p.field].split('\n')[p.line - 1] : undefined;
      const box = document.querySelector(`textarea[data-key="${CSS.escape(p.field)}"]`);
      const inline = document.querySelector(`[data-error-for="${CSS.escape(p.field)}"]`);
      if (box) box.classList.add('broken');
      if (inline) inline.append(el('div', { text: `line ${p.line ?? '?'}: ${p.message}` }), ...(source !== undefined ? [el('code', { text: source })] : []));
      return el('li', {}, el('b', { text: `${where}: ` }), p.message, ...(source !== undefined ? [el('br'), el('code', { text: source })] : []));
    }),
  );
  $('notification-errors').replaceChildren(...result.notificationErrors.map((m) => el('li', { text: m })));
  $('fallback').hidden = !result.fallback;
  $('fallback').textContent = result.fallback ?? '';
  $('notes').replaceChildren(...(result.notes ?? []).map((n) => el('li', { text: n })));
  // A message that cannot be built leaves the last good one on show, greyed.
  for (const id of ['preview', 'body', 'size']) $(id).classList.toggle('stale', !result.ok);
  if (!result.ok) return;
  $('preview').replaceChildren(previewNode(result.preview));
  $('body').textContent = result.body;
  showSize(result.size);
}

function previewNode(p) {
  switch (p.kind) {
    case 'markdown': {
      if (p.colour !== undefined) {
        const content = el('div', { class: 'content' });
        content.innerHTML = p.html; // markdown-it output, raw HTML off (server side)
        return el('div', { class: 'card' }, el('div', { class: `head ${p.colour}`, text: p.title ?? '' }), content);
      }
      const body = el('div');
      body.innerHTML = p.html; // markdown-it output, raw HTML off (server side)
      return el('div', { class: 'bubble markdown' }, ...(p.title ? [el('div', { class: 'title', text: p.title })] : []), body);
    }
    case 'text':
      return el('div', { class: 'bubble text' }, ...(p.title ? [el('div', { class: 'title', text: p.title })] : []), p.text);
    case 'slack': {
      const top = el('div');
      if (p.html) top.innerHTML = p.html; // escaped mrkdwn (server side)
      return el(
        'div',
        { class: 'slack' },
        top,
        ...p.attachments.map((a) => {
          const body = el('div', { class: 'attachment-body' });
          if (a.pretextHtml) body.append(htmlNode('div', a.pretextHtml));
          if (a.title) body.append(a.titleLink ? el('a', { class: 'attachment-title', href: a.titleLink, target: '_blank', rel: 'noopener noreferrer', text: a.title }) : el('div', { class: 'attachment-title', text: a.title }));
          body.append(htmlNode('div', a.textHtml));
          if (a.fields.length) body.append(el('div', { class: 'fields' }, ...a.fields.map((f) => el('div', { class: f.short ? 'short' : '' }, el('b', { text: f.title }), htmlNode('div', f.valueHtml)))));
          if (a.footer) body.append(el('div', { class: 'footer', text: a.footer }));
          return el('div', { class: 'attachment' }, el('div', { class: 'colour-bar', style: `background:${a.colour}`, 'data-colour': a.colour }), body);
        }),
      );
    }
    case 'email': {
      const frame = el('iframe', { title: 'email HTML', sandbox: '' }); // no scripts, no same-origin
      frame.srcdoc = p.html;
      return el(
        'div',
        { class: 'mail' },
        el('div', { class: 'headers' }, el('div', { text: `From: ${p.from}` }), el('div', { text: `To: ${p.to}` }), el('div', { text: `Subject: ${p.subject}` })),
        frame,
        el('details', {}, el('summary', { text: 'plain-text part' }), el('pre', { text: p.text })),
      );
    }
    default:
      return el('p', { class: 'muted', text: p.note });
  }
}

function htmlNode(tag, html) {
  const node = el(tag);
  node.innerHTML = html; // escaped mrkdwn (server side)
  return node;
}

function showSize(size) {
  const bar = $('size-bar');
  const text = $('size-text');
  bar.classList.toggle('over', size.over);
  text.classList.toggle('over', size.over);
  $('size-fill').style.width = size.max ? `${Math.min(100, (size.fullBytes / size.max) * 100)}%` : '0';
  if (!size.max) text.textContent = `${number(size.bytes)} bytes (${size.what}).`;
  else if (!size.shortened) text.textContent = `${number(size.bytes)} of ${number(size.max)} bytes (${size.what}).`;
  else text.textContent = `Over the limit: the templates render about ${number(size.fullBytes)} bytes, the platform takes ${number(size.max)} (${size.what}). The relay sends ${number(size.bytes)} bytes: ${size.dropped.length ? `${number(size.dropped.length)} alert${size.dropped.length === 1 ? '' : 's'} dropped, with a "… and N more" line` : 'the text cut short'}.`;
  const box = $('dropped-box');
  box.hidden = !size.dropped.length;
  $('dropped-summary').textContent = `What truncation drops (${number(size.dropped.length)} alerts)`;
  const shown = size.dropped.slice(0, 50).map((d) => el('li', { text: d }));
  if (size.dropped.length > 50) shown.push(el('li', { text: `… and ${number(size.dropped.length - 50)} more` }));
  $('dropped').replaceChildren(...shown);
}

async function refreshDeliveries() {
  if (!state.target) return;
  const name = state.target.name;
  let deliveries;
  try {
    ({ deliveries } = await api(`deliveries?target=${encodeURIComponent(name)}`));
  } catch (e) {
    $('deliveries').tBodies[0].replaceChildren(el('tr', {}, el('td', { colspan: '5', text: e.message })));
    return;
  }
  if (name !== state.target.name) return;
  $('deliveries').tBodies[0].replaceChildren(
    ...deliveries.map((d) => {
      const link = el('a', { href: d.link, target: '_blank', rel: 'noopener', text: 'Bull Board' });
      const use = el('button', { type: 'button', text: 'use' });
      use.addEventListener('click', async () => {
        const { notification } = await api(`job?target=${encodeURIComponent(name)}&id=${encodeURIComponent(d.id)}`);
        $('notification').value = notification;
        $('example').value = '';
        render();
      });
      return el(
        'tr',
        { 'data-job': d.id },
        el('td', { text: new Date(d.at).toLocaleString() }),
        el('td', { class: `outcome-${d.outcome}` }, d.outcome, ...(d.test ? [el('span', { class: 'tag', text: 'test' })] : [])),
        el('td', { text: d.reason }),
        el('td', { text: d.summary }),
        el('td', {}, link, ' ', use),
      );
    }),
  );
  const recent = $('recent-job');
  const current = recent.value;
  recent.replaceChildren(el('option', { value: '', text: '—' }), ...deliveries.map((d) => el('option', { value: d.id, text: `${new Date(d.at).toLocaleTimeString()} ${d.outcome} · ${d.summary}` })));
  if (deliveries.some((d) => d.id === current)) recent.value = current;
}

async function send() {
  const status = $('send-status');
  status.textContent = 'sending…';
  try {
    const { jobId, link } = await api('test-send', { method: 'POST', body: request() });
    status.replaceChildren(`queued as job ${jobId} `, el('a', { href: link, target: '_blank', rel: 'noopener', text: 'Bull Board' }));
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      await refreshDeliveries();
      const row = document.querySelector(`tr[data-job="${CSS.escape(jobId)}"] td:nth-child(2)`);
      if (row && !/waiting|queued|sending/.test(row.className)) break;
    }
  } catch (e) {
    status.textContent = `not sent: ${e.message}`;
  }
}

$('target').addEventListener('change', () => {
  const target = allTargets().find((t) => t.name === $('target').value);
  if (target) void chooseTarget(target);
});
$('example').addEventListener('change', async () => {
  if (!$('example').value) return;
  await loadExample($('example').value);
  render();
});
$('recent-job').addEventListener('change', async () => {
  const id = $('recent-job').value;
  if (!id) return;
  const { notification } = await api(`job?target=${encodeURIComponent(state.target.name)}&id=${encodeURIComponent(id)}`);
  $('notification').value = notification;
  $('example').value = '';
  render();
});
$('notification').addEventListener('input', () => {
  $('example').value = '';
  scheduleRender();
});
$('send').addEventListener('click', () => void send());

// The config in force can change under the page (a reload): targets and templates follow it.
setInterval(() => void loadTargets().catch(() => undefined), 10_000);
setInterval(() => void refreshDeliveries(), 5_000);
void loadTargets().catch((e) => ($('destination').textContent = `could not load the targets: ${e.message}`));
