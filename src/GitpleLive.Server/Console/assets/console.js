// GitpleLive operator console. Plain JavaScript, no build step, no third-party code: the page calls the
// Platform API (/v1/...) with its session cookie and CSRF token, and /console/api for what only the console needs.
// Every text from the server is put in the page with textContent (never as HTML).
'use strict';

const state = { session: null, apps: [], appId: null, stream: null, statsTimer: null, page: null };
const $ = (sel, root = document) => root.querySelector(sel);

// ---- DOM helper ---------------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const when = ms => ms ? new Date(ms).toLocaleString() : '';
const enc = encodeURIComponent;

// ---- API ----------------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function call(method, path, body, { app = true } = {}) {
  const headers = {};
  if (app && state.appId) headers['APP_ID'] = state.appId;
  if (method !== 'GET' && state.session) headers['X-CSRF-Token'] = state.session.csrf_token;
  const init = { method, headers, credentials: 'same-origin' };
  if (body instanceof URLSearchParams) init.body = body;
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  let response;
  try { response = await fetch(path, init); } catch { throw new ApiError(0, 0, 'The server cannot be reached.'); }
  const text = await response.text();
  let data = {};
  try { data = text ? JSON.parse(text) : {}; } catch { data = { message: text }; }
  if (!response.ok) {
    const error = new ApiError(response.status, data.code, data.message || response.statusText);
    if (response.status === 401 && state.session && !path.startsWith('/console/api/session')) sessionEnded(error);
    throw error;
  }
  return data;
}
const get = (path, opts) => call('GET', path, undefined, opts);

function sessionEnded(error) {
  state.session = null;
  stopLive();
  showSignIn('Your session has ended (' + error.message + '). Sign in again.');
}

// ---- Feedback -----------------------------------------------------------------------------------
let toastTimer;
function toast(text, bad = false) {
  const t = $('#toast');
  t.textContent = text;
  t.className = 'toast show' + (bad ? ' bad' : '');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.className = 'toast'; }, 3500);
}
const failed = e => toast(e.message || String(e), true);

// A modal dialog: Enter submits, Escape cancels, focus returns where it was. `run` may throw to keep it open.
function dialog({ title, body = [], ok = 'OK', danger = false, cancel = 'Cancel', run }) {
  const d = $('#dialog');
  const back = document.activeElement;
  $('#dialog-title').textContent = title;
  const holder = $('#dialog-body');
  holder.replaceChildren(...[body].flat());
  $('#dialog-error').textContent = '';
  const okButton = $('#dialog-ok');
  okButton.textContent = ok;
  okButton.className = danger ? 'danger' : '';
  const cancelButton = $('#dialog-cancel');
  cancelButton.textContent = cancel;
  cancelButton.hidden = cancel === null;
  return new Promise(resolve => {
    const form = $('#dialog-form');
    const finish = value => {
      form.removeEventListener('submit', submit);
      cancelButton.removeEventListener('click', onCancel);
      d.removeEventListener('cancel', onCancel);
      if (d.open) d.close();
      if (back && back.isConnected) back.focus();
      resolve(value);
    };
    const submit = async ev => {
      ev.preventDefault();
      okButton.disabled = true;
      try { finish(run ? await run(holder) : true); }
      catch (e) { $('#dialog-error').textContent = e.message || String(e); }
      finally { okButton.disabled = false; }
    };
    const onCancel = ev => { ev.preventDefault(); finish(undefined); };
    form.addEventListener('submit', submit);
    cancelButton.addEventListener('click', onCancel);
    d.addEventListener('cancel', onCancel);
    d.showModal();
    const first = holder.querySelector('input, select, textarea');
    (first || okButton).focus();
  });
}
const confirmDialog = (title, text, ok, run) => dialog({ title, body: h('p', { text }), ok, danger: true, run });

function field(label, input, hint) {
  const id = input.id || (input.id = 'f' + Math.random().toString(36).slice(2, 9));
  return h('div', {}, h('label', { for: id }, label, hint ? h('span', { class: 'hint', text: ' ' + hint }) : null), input);
}
const input = (name, value = '', attrs = {}) => h('input', { type: 'text', name, value: value ?? '', ...attrs });

const banChoices = [['3600', '1 hour'], ['86400', '1 day'], ['604800', '7 days'], ['2592000', '30 days'], ['0', 'Permanent']];
const banSelect = () => h('select', { name: 'seconds', class: 'wide' }, banChoices.map(([v, t]) => h('option', { value: v, text: t })));

// ---- Sign-in ------------------------------------------------------------------------------------
function showSignIn(message) {
  stopLive();
  $('#top').hidden = true;
  $('#nav').hidden = true;
  $('.shell').classList.add('bare');
  const error = h('p', { class: 'error', id: 'signin-error', role: 'alert', text: message || '' });
  const appFields = h('div', {},
    field('App ID', input('app_id', '', { autocomplete: 'username', required: true })),
    field('API key', input('api_key', '', { type: 'password', autocomplete: 'current-password', required: true })));
  const adminFields = h('div', { hidden: true },
    field('Admin key', input('admin_key', '', { type: 'password', autocomplete: 'current-password' }),
      'GitpleLive:Console:AdminKey'));
  const kind = value => h('label', { class: 'inline' },
    h('input', { type: 'radio', name: 'kind', value, checked: value === 'app', onchange: () => toggle(value) }),
    value === 'app' ? 'App key' : 'Admin key (every app)');
  const toggle = value => {
    appFields.hidden = value !== 'app';
    adminFields.hidden = value === 'app';
    for (const i of appFields.querySelectorAll('input')) i.required = value === 'app';
    adminFields.querySelector('input').required = value !== 'app';
  };
  const form = h('form', { class: 'panel signin', 'aria-labelledby': 'signin-title', novalidate: false },
    h('h1', { id: 'signin-title', text: 'Sign in to the console' }),
    h('fieldset', {}, h('legend', { text: 'Sign in with' }), kind('app'), kind('admin')),
    appFields, adminFields, error,
    h('button', { type: 'submit', text: 'Sign in' }));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const admin = !adminFields.hidden;
    const body = new URLSearchParams();
    if (admin) body.set('admin_key', form.admin_key.value);
    else { body.set('app_id', form.app_id.value); body.set('api_key', form.api_key.value); }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    error.textContent = '';
    try {
      state.session = await call('POST', '/console/api/session', body, { app: false });
      await start();
    } catch (e) {
      error.textContent = e.status === 429 ? e.message : (e.message || 'Sign-in failed');
      (admin ? form.admin_key : form.api_key).select();
    } finally { button.disabled = false; }
  });
  $('#main').replaceChildren(form);
  form.app_id.focus();
}

async function start() {
  const list = await get('/console/api/apps', { app: false });
  state.apps = list.apps;
  const saved = sessionStorage.getItem('console.app');
  state.appId = state.session.kind === 'app' ? state.session.app_id
    : (state.apps.some(a => a.app_id === saved) ? saved : state.apps[0]?.app_id);
  const select = $('#app-select');
  select.replaceChildren(...state.apps.map(a => h('option', { value: a.app_id, text: `${a.name} (${a.app_id})` })));
  select.value = state.appId || '';
  // One app: its name, not a picker with a single choice.
  select.hidden = state.apps.length < 2;
  const only = state.apps.find(a => a.app_id === state.appId);
  $('#app-name').textContent = state.apps.length < 2 && only ? `${only.name} (${only.app_id})` : '';
  $('#who').textContent = state.session.kind === 'admin' ? 'Signed in as admin' : 'Signed in with the app key';
  $('#top').hidden = false;
  $('#nav').hidden = false;
  $('.shell').classList.remove('bare');
  if (!location.hash || location.hash === '#/') location.hash = '#/users';
  else route();
}

async function signOut() {
  try { await call('DELETE', '/console/api/session', undefined, { app: false }); } catch (e) { if (e.status !== 401) return failed(e); }
  state.session = null;
  showSignIn('Signed out.');
}

// ---- Routing ------------------------------------------------------------------------------------
const pages = { apps: appsPage, users: usersPage, channels: channelsPage, channel: channelPage, moderation: moderationPage, stats: statsPage };

function route() {
  if (!state.session) return;
  stopLive();
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  let name = parts[0] || 'users';
  if (name === 'channels' && parts[1]) name = 'channel';
  const page = pages[name] || usersPage;
  for (const a of document.querySelectorAll('#nav a'))
    a.toggleAttribute('aria-current', a.dataset.page === (name === 'channel' ? 'channels' : name)) &&
      a.setAttribute('aria-current', 'page');
  const main = $('#main');
  main.replaceChildren(h('p', { class: 'muted', text: 'Loading…' }));
  state.page = name;
  Promise.resolve(page(main, parts.slice(1))).catch(e => {
    if (e.status === 401) return;
    main.replaceChildren(h('div', { class: 'panel' }, h('h1', { text: 'Something went wrong' }),
      h('p', { class: 'error', text: e.message }), h('button', { type: 'button', onclick: route, text: 'Try again' })));
  });
}

function stopLive() {
  if (state.stream) { state.stream.close(); state.stream = null; }
  if (state.statsTimer) { clearInterval(state.statsTimer); state.statsTimer = null; }
}

function pageTitle(main, text, ...extra) {
  document.title = `${text} · GitpleLive console`;
  const title = h('h1', { text, tabindex: '-1' });
  main.replaceChildren(title, ...extra);
  return title;
}

// ---- Apps ---------------------------------------------------------------------------------------
async function appsPage(main) {
  const app = await get('/v1/app');
  pageTitle(main, `App: ${app.name}`);
  const settings = h('form', { class: 'panel', 'aria-labelledby': 'settings-h' },
    h('h2', { id: 'settings-h', text: 'Settings and limits' }),
    h('p', { class: 'small muted' }, 'APP_ID ', h('code', { text: app.app_id })),
    field('Name', input('name', app.name)),
    field('Members per channel', input('max_members_per_channel', app.max_members_per_channel, { type: 'number', min: 2 })),
    field('Managers per channel', input('max_managers_per_channel', app.max_managers_per_channel, { type: 'number', min: 1 })),
    field('Largest file (bytes)', input('max_file_size', app.max_file_size, { type: 'number', min: 1 })),
    field('Meta keys', input('max_meta_keys', app.max_meta_keys, { type: 'number', min: 1 })),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'allow_tokenless', checked: app.allow_tokenless }),
      'Allow tokenless users'),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', text: 'Save settings' })));
  settings.addEventListener('submit', async ev => {
    ev.preventDefault();
    const f = settings;
    try {
      await call('PUT', '/v1/app', {
        name: f.name.value, max_members_per_channel: +f.max_members_per_channel.value,
        max_managers_per_channel: +f.max_managers_per_channel.value, max_file_size: +f.max_file_size.value,
        max_meta_keys: +f.max_meta_keys.value, allow_tokenless: f.allow_tokenless.checked,
      });
      toast('Settings saved');
    } catch (e) { failed(e); }
  });

  const mode = h('select', { name: 'profanity_mode', class: 'wide' },
    [['off', 'Off'], ['block', 'Block the message (1020)'], ['mask', 'Mask the words with *']].map(([v, t]) =>
      h('option', { value: v, text: t, selected: app.profanity_mode === v })));
  const words = h('textarea', { name: 'profanity_words' });
  words.value = (app.profanity_words || []).join('\n');
  const profanity = h('form', { class: 'panel', 'aria-labelledby': 'prof-h' },
    h('h2', { id: 'prof-h', text: 'Profanity filter' }),
    field('Mode', mode), field('Words', words, 'one per line'),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', text: 'Save filter' })));
  profanity.addEventListener('submit', async ev => {
    ev.preventDefault();
    try {
      await call('PUT', '/v1/app', { profanity_mode: mode.value,
        profanity_words: words.value.split('\n').map(w => w.trim()).filter(Boolean) });
      toast('Profanity filter saved');
    } catch (e) { failed(e); }
  });

  const limits = Object.entries(app.rate_limits || {});
  const rate = h('div', { class: 'panel' }, h('h2', { text: 'Rate limit overrides' }),
    limits.length ? h('table', {}, h('tbody', {}, limits.map(([k, v]) => h('tr', {}, h('td', {}, h('code', { text: k })), h('td', { text: v })))))
      : h('p', { class: 'muted', text: 'None: the server defaults apply.' }));

  const key = h('div', { class: 'panel' }, h('h2', { text: 'API key' }),
    h('p', { class: 'muted small', text: 'A new key works at once; the old one stops working, and console sessions signed in with it end.' }),
    h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'danger', text: 'Rotate the API key…', onclick: rotate })));

  main.append(h('div', { class: 'grid2' }, settings, h('div', {}, profanity, rate, key)),
    h('h2', { text: 'Push and webhooks' }));
  const log = deliveryLog();
  const [push, hooks] = await Promise.all([pushPanel(), webhooksPanel(log), log.refresh()]);
  main.append(h('div', { class: 'grid2' }, push, h('div', {}, hooks, log)));
}

async function rotate() {
  const done = await confirmDialog('Rotate the API key?',
    'Every backend using the current key must be given the new one. This cannot be undone.', 'Rotate key',
    () => call('POST', '/v1/app/api_key'));
  if (!done) return;
  await dialog({ title: 'The new API key', ok: 'I have copied it', cancel: null,
    body: [h('p', { text: 'It is shown once, now:' }), h('code', { class: 'secret', text: done.api_key })] });
  if (state.session.kind === 'app') showSignIn('The key was rotated: sign in with the new key.');
}

// Secrets are write-only: the server shows them masked; an empty field keeps the stored one.
function secretInput(name, masked, { multiline = false, unset = 'not set' } = {}) {
  // Push masks a secret as stars only; webhooks show its last four characters.
  const placeholder = !masked ? unset : /[^*]/.test(masked) ? `stored (${masked}), leave empty to keep` : 'stored, leave empty to keep';
  if (!multiline) return input(name, '', { type: 'password', autocomplete: 'off', placeholder });
  return h('textarea', { name, autocomplete: 'off', spellcheck: 'false', class: 'mono', placeholder });
}

// A settings form whose GET/PUT share one path (PUT answers the new settings, which redraw the form).
// `build(panel, current)` adds the fields and returns { body, extra }: `body()` makes the PUT body,
// `extra` (optional) is more buttons.
async function settingsPanel(path, title, build) {
  const panel = h('form', { class: 'panel', 'aria-label': title });
  const draw = current => {
    panel.replaceChildren(h('h2', { text: title }));
    const { body, extra = [] } = build(panel, current, draw);
    panel.append(h('div', { class: 'buttons' }, extra, h('button', { type: 'submit', text: 'Save' })));
    panel.onsubmit = async ev => {
      ev.preventDefault();
      let put;
      try { put = body(); } catch (e) { failed(e); return; }
      try { draw(await call('PUT', path, put)); toast(`${title} saved`); } catch (e) { failed(e); }
    };
  };
  try { draw(await get(path)); }
  catch (e) {
    panel.replaceChildren(h('h2', { text: title }),
      h('p', { class: 'muted', text: e.status === 404 ? 'Not available on this server.' : e.message }));
  }
  return panel;
}

const stateBadge = on => h('span', { class: on ? 'badge done' : 'badge', text: on ? 'set' : 'not set' });
const removeBox = (name, what) =>
  h('label', { class: 'inline' }, h('input', { type: 'checkbox', name }), `Remove the ${what} settings on save`);

// PUT /v1/app/push: each provider's block is left out (unchanged), null (removed) or the fields given (the rest kept).
function pushPanel() {
  return settingsPanel('/v1/app/push', 'Push settings', (panel, p) => {
    const fcm = p.fcm, apns = p.apns, hook = p.webhook;
    panel.append(...[
      h('h3', {}, 'FCM (Android) ', stateBadge(fcm)),
      field('Project ID', input('fcm_project_id', fcm?.project_id), 'taken from the key when empty'),
      fcm?.client_email ? h('p', { class: 'small muted' }, 'Service account ', h('code', { text: fcm.client_email })) : null,
      field('Service account key (JSON)', secretInput('fcm_service_account_json', fcm?.service_account_json,
        { multiline: true, unset: 'paste the key file\'s JSON' })),
      fcm ? removeBox('fcm_remove', 'FCM') : null,
      h('h3', {}, 'APNs (iOS) ', stateBadge(apns)),
      field('Team ID', input('apns_team_id', apns?.team_id)),
      field('Key ID', input('apns_key_id', apns?.key_id)),
      field('Bundle ID', input('apns_bundle_id', apns?.bundle_id)),
      field('Key (.p8)', secretInput('apns_p8_pem', apns?.p8_pem, { multiline: true, unset: 'paste the .p8 file\'s text' })),
      h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'apns_production', checked: !!apns?.production }),
        'Production (else the sandbox)'),
      apns ? removeBox('apns_remove', 'APNs') : null,
      h('h3', {}, 'Webhook provider ', stateBadge(hook)),
      field('URL', input('push_webhook_url', hook?.url, { type: 'url', placeholder: 'https://example.com/hooks/push' })),
      field('Secret', secretInput('push_webhook_secret', hook?.secret, { unset: 'at least 16 characters' }), 'signs each push'),
      hook ? removeBox('push_webhook_remove', 'webhook provider') : null].filter(Boolean));
    const v = n => panel[n].value.trim();
    // The fields typed in (an empty one keeps what is stored), or undefined when none is.
    const block = fields => {
      const b = {};
      for (const [k, n] of Object.entries(fields)) if (v(n)) b[k] = v(n);
      return Object.keys(b).length ? b : undefined;
    };
    return {
      body: () => {
        const body = {};
        const production = panel.apns_production.checked;
        const f = panel.fcm_remove?.checked ? null
          : block({ project_id: 'fcm_project_id', service_account_json: 'fcm_service_account_json' });
        const a = panel.apns_remove?.checked ? null
          : block({ team_id: 'apns_team_id', key_id: 'apns_key_id', bundle_id: 'apns_bundle_id', p8_pem: 'apns_p8_pem' });
        const w = panel.push_webhook_remove?.checked ? null : block({ url: 'push_webhook_url', secret: 'push_webhook_secret' });
        if (f !== undefined) body.fcm = f;
        if (a) body.apns = { ...a, production };
        else if (a === null) body.apns = null;
        else if (apns && production !== apns.production) body.apns = { production };
        if (w !== undefined) body.webhook = w;
        return body;
      },
    };
  });
}

// PUT /v1/app/webhooks: url (and categories) every time, the secret only when typed (required the first time).
function webhooksPanel(log) {
  return settingsPanel('/v1/app/webhooks', 'Webhooks', (panel, w, draw) => {
    const on = !!w.url;
    const categories = h('input', { type: 'text', name: 'categories',
      value: (w.categories && w.categories.length ? w.categories : ['*']).join(', ') });
    panel.append(
      h('p', { class: 'small muted' }, stateBadge(on), on && w.updated_at ? ` since ${when(w.updated_at)}` : ' webhooks are off'),
      field('URL', input('url', w.url, { type: 'url', placeholder: 'https://example.com/hooks/chat' })),
      field('Secret', secretInput('secret', w.secret, { unset: 'required: 16 to 256 characters' }), 'signs each delivery'),
      field('Categories', categories, '* for every change, or a comma-separated list'));
    const ping = async () => {
      try { const r = await call('POST', '/v1/app/webhooks/ping'); toast(`Ping queued (${r.delivery_id})`); await log.refresh(); }
      catch (e) { failed(e); }
    };
    const off = async () => {
      const done = await confirmDialog('Turn webhooks off?', 'Deliveries still queued are given up.', 'Turn off',
        () => call('DELETE', '/v1/app/webhooks'));
      if (done) { draw({ categories: [] }); toast('Webhooks turned off'); await log.refresh(); }
    };
    return {
      body: () => {
        const body = { url: panel.url.value.trim(), categories: categories.value.split(',').map(c => c.trim()).filter(Boolean) };
        if (!body.url) throw new Error('Enter the URL deliveries go to.');
        if (panel.secret.value) body.secret = panel.secret.value;
        return body;
      },
      extra: on ? [h('button', { type: 'button', class: 'ghost danger', text: 'Turn off…', onclick: off }),
        h('button', { type: 'button', class: 'ghost', text: 'Send ping', onclick: ping })] : [],
    };
  });
}

// The newest webhook deliveries (GET /v1/app/webhooks/deliveries), with a refresh button.
function deliveryLog() {
  const body = h('tbody');
  const status = h('p', { class: 'muted small', role: 'status' });
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'deliveries-h' },
    h('div', { class: 'row' }, h('h2', { id: 'deliveries-h', text: 'Webhook deliveries', style: 'margin-right:auto' }),
      h('button', { type: 'button', class: 'ghost small', text: 'Refresh', onclick: () => panel.refresh() })),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Queued', 'Category', 'Status', 'Result'].map(t => h('th', { scope: 'col', text: t })))),
      body)),
    status);
  // Today's times without the date: the log is mostly about the last minutes.
  const today = ms => new Date(ms).toDateString() === new Date().toDateString() ? new Date(ms).toLocaleTimeString() : when(ms);
  const badge = s => h('span', { class: s === 'delivered' ? 'badge done' : s === 'failed' ? 'badge down' : 'badge', text: s });
  panel.refresh = async () => {
    try {
      const page = await get('/v1/app/webhooks/deliveries?limit=20');
      body.replaceChildren(...page.deliveries.map(d => h('tr', { 'data-delivery-id': d.delivery_id },
        h('td', { class: 'small nowrap', text: today(d.created_at) }), h('td', {}, h('code', { class: 'nowrap', text: d.category })),
        h('td', {}, badge(d.status)),
        h('td', { class: 'small', text: [d.attempts === 1 ? '1 try' : `${d.attempts} tries`,
          d.last_status ? `HTTP ${d.last_status}` : '', d.last_error || '',
          d.next_attempt_at ? `next at ${today(d.next_attempt_at)}` : ''].filter(Boolean).join(' · ') }))));
      if (!page.deliveries.length) body.append(h('tr', {}, h('td', { class: 'empty', colspan: 4, text: 'No deliveries yet.' })));
      status.textContent = page.deliveries.length ? `The ${page.deliveries.length} newest` : '';
    } catch (e) {
      body.replaceChildren(h('tr', {}, h('td', { class: e.status === 404 ? 'empty' : 'error', colspan: 4,
        text: e.status === 404 ? 'Not available on this server.' : e.message })));
    }
  };
  return panel;
}

// ---- Paged tables -------------------------------------------------------------------------------
// Cursor paging: `load(next)` answers { rows, next }; Previous walks back the cursors seen.
function pagedTable({ columns, load, row, empty }) {
  const body = h('tbody');
  const status = h('p', { class: 'muted small', role: 'status' });
  const prev = h('button', { type: 'button', class: 'ghost small', text: '← Previous', disabled: true });
  const next = h('button', { type: 'button', class: 'ghost small', text: 'Next →', disabled: true });
  const cursors = [null];
  let at = 0, nextCursor = null;
  const show = async () => {
    status.textContent = 'Loading…';
    try {
      const page = await load(cursors[at]);
      nextCursor = page.next || null;
      body.replaceChildren(...page.rows.map(row));
      if (!page.rows.length) body.append(h('tr', {}, h('td', { class: 'empty', colspan: columns.length, text: empty })));
      status.textContent = page.rows.length ? `Page ${at + 1}` : '';
      prev.disabled = at === 0;
      next.disabled = !nextCursor;
    } catch (e) { status.textContent = ''; body.replaceChildren(h('tr', {}, h('td', { class: 'error', colspan: columns.length, text: e.message }))); }
  };
  prev.onclick = () => { if (at > 0) { at--; show(); } };
  next.onclick = () => { if (nextCursor) { cursors[++at] = nextCursor; show(); } };
  const table = h('div', {},
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, columns.map(([t, cls]) => h('th', { class: cls, scope: 'col', text: t })))), body)),
    h('div', { class: 'pager' }, status, prev, next));
  table.reload = () => { cursors.length = 1; at = 0; return show(); };
  table.refresh = show;
  return table;
}

// ---- Users --------------------------------------------------------------------------------------
async function usersPage(main) {
  const search = h('input', { type: 'search', name: 'query', placeholder: 'User id or name', 'aria-label': 'Search users' });
  let query = '';
  const table = pagedTable({
    columns: [['User ID'], ['Name'], ['Created', 'wide-only'], ['', 'actions']],
    empty: 'No users match.',
    load: async next => {
      const q = new URLSearchParams({ limit: '20' });
      if (query) q.set('query', query);
      if (next) q.set('next', next);
      const page = await get('/v1/users?' + q);
      return { rows: page.users, next: page.next };
    },
    row: u => h('tr', {},
      h('td', {}, h('code', { text: u.user_id })), h('td', { text: u.name }),
      h('td', { class: 'wide-only small muted', text: when(u.created_at) }),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'ghost small', text: 'Edit', 'aria-label': `Edit ${u.user_id}`, onclick: () => editUser(u, table) }),
        h('button', { type: 'button', class: 'ghost small', text: 'Token', 'aria-label': `Issue a session token for ${u.user_id}`,
          onclick: () => issueToken(u) }),
        h('button', { type: 'button', class: 'ghost danger small', text: 'Delete', 'aria-label': `Delete ${u.user_id}`,
          onclick: () => deleteUser(u, table) }))),
  });
  const form = h('form', { class: 'row', role: 'search' }, search, h('button', { type: 'submit', text: 'Search' }),
    h('button', { type: 'button', class: 'ghost', text: 'New user…', onclick: () => createUser(table) }));
  form.addEventListener('submit', ev => { ev.preventDefault(); query = search.value.trim(); table.reload(); });
  pageTitle(main, 'Users', h('div', { class: 'panel' }, form, table));
  await table.reload();
  search.focus();
}

function createUser(table) {
  return dialog({ title: 'New user', ok: 'Create',
    body: [field('User ID', input('user_id', '', { required: true })), field('Name', input('name', '', { required: true })),
      field('Profile URL', input('profile_url', '', { type: 'url' }), 'optional')],
    run: async b => {
      const body = { user_id: $('[name=user_id]', b).value.trim(), name: $('[name=name]', b).value.trim() };
      const url = $('[name=profile_url]', b).value.trim();
      if (url) body.profile_url = url;
      await call('POST', '/v1/users', body);
      toast(`User ${body.user_id} created`);
      table.reload();
      return true;
    } });
}

function editUser(u, table) {
  return dialog({ title: `Edit ${u.user_id}`, ok: 'Save',
    body: [field('Name', input('name', u.name, { required: true })), field('Profile URL', input('profile_url', u.profile_url, { type: 'url' }))],
    run: async b => {
      await call('PUT', `/v1/users/${enc(u.user_id)}`, { name: $('[name=name]', b).value.trim(), profile_url: $('[name=profile_url]', b).value.trim() });
      toast('User saved');
      table.refresh();
      return true;
    } });
}

async function issueToken(u) {
  const hours = h('select', { name: 'hours', class: 'wide' }, [['1', '1 hour'], ['24', '1 day'], ['168', '7 days'], ['720', '30 days']]
    .map(([v, t]) => h('option', { value: v, text: t, selected: v === '24' })));
  const token = await dialog({ title: `Session token for ${u.user_id}`, ok: 'Issue token', body: field('Valid for', hours),
    run: () => call('POST', `/v1/users/${enc(u.user_id)}/token`, { expires_at: Date.now() + (+hours.value) * 3600_000 }) });
  if (!token) return;
  await dialog({ title: 'Session token', ok: 'Done', cancel: null,
    body: [h('p', { text: `Valid until ${when(token.expires_at)}. Give it to the user's app; it is not shown again.` }),
      h('code', { class: 'secret', text: token.token })] });
}

function deleteUser(u, table) {
  return confirmDialog(`Delete ${u.user_id}?`, `${u.name} leaves every channel and is removed for good.`, 'Delete user', async () => {
    await call('DELETE', `/v1/users/${enc(u.user_id)}`);
    toast(`User ${u.user_id} deleted`);
    table.refresh();
    return true;
  });
}

// ---- Channels -----------------------------------------------------------------------------------
async function channelsPage(main) {
  const search = h('input', { type: 'search', name: 'name', placeholder: 'Channel name, or an exact channel id', 'aria-label': 'Search channels' });
  let query = '';
  const table = pagedTable({
    columns: [['Channel'], ['Name'], ['Messages', 'wide-only'], ['State'], ['', 'actions']],
    empty: 'No channels match.',
    load: async next => {
      const q = new URLSearchParams({ limit: '20' });
      if (query) q.set('name', query);
      if (next) q.set('next', next);
      const page = await get('/v1/group/channels?' + q);
      let rows = page.channels;
      if (query && !next) {
        // An exact id is found too, whatever the channel is called.
        const byId = await get(`/v1/group/channels/${enc(query)}`).catch(() => null);
        if (byId && !rows.some(c => c.channel_id === byId.channel_id)) rows = [byId, ...rows];
      }
      return { rows, next: page.next };
    },
    row: c => h('tr', {},
      h('td', {}, h('a', { href: `#/channels/${enc(c.channel_id)}` }, h('code', { text: c.channel_id }))),
      h('td', { text: c.name }), h('td', { class: 'wide-only', text: c.total_message_count }),
      h('td', {}, c.freeze ? h('span', { class: 'badge frozen', text: 'frozen' }) : h('span', { class: 'badge', text: 'open' })),
      h('td', { class: 'actions' }, h('a', { href: `#/channels/${enc(c.channel_id)}`, text: 'Open' }))),
  });
  const form = h('form', { class: 'row', role: 'search' }, search, h('button', { type: 'submit', text: 'Search' }));
  form.addEventListener('submit', ev => { ev.preventDefault(); query = search.value.trim(); table.reload(); });
  pageTitle(main, 'Channels', h('div', { class: 'panel' }, form, table));
  await table.reload();
  search.focus();
}

async function channelPage(main, [channelId]) {
  const base = `/v1/group/channels/${enc(channelId)}`;
  let channel = await get(base);
  const freezeButton = h('button', { type: 'button', class: 'ghost' });
  const badge = h('span', { class: 'badge' });
  const showFreeze = () => {
    freezeButton.textContent = channel.freeze ? 'Unfreeze' : 'Freeze';
    badge.className = 'badge' + (channel.freeze ? ' frozen' : '');
    badge.textContent = channel.freeze ? 'frozen' : 'open';
  };
  showFreeze();
  freezeButton.onclick = async () => {
    try { channel = await call('PUT', `${base}/freeze`, { freeze: !channel.freeze }); showFreeze(); toast(channel.freeze ? 'Channel frozen' : 'Channel unfrozen'); }
    catch (e) { failed(e); }
  };
  const del = h('button', { type: 'button', class: 'ghost danger', text: 'Delete channel…', onclick: () =>
    confirmDialog(`Delete ${channel.name}?`, 'Its messages and members go with it.', 'Delete channel', async () => {
      await call('DELETE', base);
      toast('Channel deleted');
      location.hash = '#/channels';
      return true;
    }) });
  const live = h('span', { class: 'badge down', text: 'connecting…', role: 'status' });
  const list = h('ul', { class: 'messages', 'aria-label': 'Messages, newest last', 'aria-live': 'polite' });
  const title = pageTitle(main, `Channel: ${channel.name}`,
    h('p', { class: 'row' }, h('a', { href: '#/channels', text: '← Channels' }), h('code', { text: channel.channel_id }), badge,
      freezeButton, del),
    h('div', { class: 'grid2' },
      h('section', { class: 'panel', 'aria-labelledby': 'live-h' },
        h('h2', { id: 'live-h' }, 'Live messages ', live), list),
      h('div', {}, await peoplePanel(base, 'members'), await peoplePanel(base, 'managers'))));
  title.focus();

  const seen = new Map();
  const render = (m, fresh) => {
    const existing = seen.get(m.message_id);
    const item = h('li', { class: fresh ? 'fresh' : '', 'data-message-id': m.message_id },
      h('div', { class: 'meta' }, h('strong', { text: m.user?.name || m.user?.user_id || '?' }), ' ',
        h('code', { text: m.user?.user_id || '' }), ' · ', when(m.created_at)),
      h('div', { class: 'acts' },
        h('button', { type: 'button', class: 'ghost danger small', text: 'Delete', 'aria-label': `Delete message ${m.message_id}`,
          onclick: () => deleteMessage(base, m) }),
        h('button', { type: 'button', class: 'ghost small', text: 'Ban sender', 'aria-label': `Ban ${m.user?.user_id}`,
          onclick: () => banUser(base, m.user?.user_id) })),
      h('div', { class: 'content', text: m.type === 'file' ? `📎 ${m.file?.name || 'file'}` : (m.content ?? '') }));
    if (existing) existing.replaceWith(item); else list.append(item);
    seen.set(m.message_id, item);
    if (fresh) list.scrollTop = list.scrollHeight;
  };
  const removeMessage = id => { seen.get(id)?.remove(); seen.delete(id); };

  // Listen first, then read the history: nothing sent in between is missed (the id map drops repeats).
  const source = new EventSource(`/console/api/channels/${enc(channelId)}/stream?app_id=${enc(state.appId)}`);
  state.stream = source;
  const data = ev => { try { return JSON.parse(ev.data); } catch { return {}; } };
  source.onopen = () => { live.className = 'badge live'; live.textContent = 'live'; };
  source.onerror = () => { live.className = 'badge down'; live.textContent = 'reconnecting…'; };
  source.addEventListener('group:message_send', ev => { const p = data(ev); if (p.message) render(p.message, true); });
  source.addEventListener('group:message_update', ev => { const p = data(ev); if (p.message && seen.has(p.message.message_id)) render(p.message, false); });
  source.addEventListener('group:message_delete', ev => { const p = data(ev); if (p.message) removeMessage(p.message.message_id); });
  for (const [name, frozen] of [['group:channel_freeze', true], ['group:channel_unfreeze', false]])
    source.addEventListener(name, () => { channel.freeze = frozen; showFreeze(); });
  source.addEventListener('group:channel_delete', () => { live.textContent = 'channel deleted'; source.close(); });
  source.addEventListener('gap', () => toast('Some live messages were skipped; reload to see them all.', true));

  const history = await get(`${base}/messages?limit=50`);
  const older = history.messages.filter(m => !seen.has(m.message_id)).sort((a, b) => a.message_id - b.message_id);
  for (const m of older) render(m, false);
  // History may have landed after live ones: keep the list in id order.
  [...seen.entries()].sort((a, b) => a[0] - b[0]).forEach(([, li]) => list.append(li));
  if (!seen.size) list.append(h('li', { class: 'empty', id: 'no-messages', text: 'No messages yet. New ones appear here as they are sent.' }));
  const observer = new MutationObserver(() => { if (seen.size) $('#no-messages', list)?.remove(); });
  observer.observe(list, { childList: true });
  list.scrollTop = list.scrollHeight;
}

function deleteMessage(base, m) {
  return confirmDialog('Delete this message?', `“${(m.content || m.file?.name || '').slice(0, 140)}” by ${m.user?.user_id}`, 'Delete',
    async () => { await call('DELETE', `${base}/messages/${m.message_id}`); toast('Message deleted'); return true; });
}

function banUser(base, userId) {
  const reason = input('reason', '', { maxlength: 200 });
  return dialog({ title: `Ban ${userId} from this channel`, ok: 'Ban', danger: true,
    body: [field('For', banSelect()), field('Reason', reason, 'optional')],
    run: async b => {
      const body = { user_id: userId, seconds: +$('[name=seconds]', b).value };
      if (reason.value.trim()) body.reason = reason.value.trim();
      await call('POST', `${base}/ban`, body);
      toast(`${userId} banned`);
      return true;
    } });
}

async function peoplePanel(base, kind) {
  const panel = h('section', { class: 'panel', 'aria-labelledby': `${kind}-h` });
  const body = h('ul', { class: 'messages' });
  const add = input(kind === 'members' ? 'member_id' : 'manager_id', '', { placeholder: 'User id', 'aria-label': `Add ${kind.slice(0, -1)} by user id` });
  const reload = async () => {
    try {
      const people = await get(`${base}/${kind}`);
      body.replaceChildren(...people.map(u => h('li', {},
        h('div', {}, h('strong', { text: u.name }), ' ', h('code', { text: u.user_id })),
        h('div', { class: 'acts' }, h('button', { type: 'button', class: 'ghost danger small', text: 'Remove',
          'aria-label': `Remove ${u.user_id} from ${kind}`, onclick: () => change('DELETE', u.user_id) })))));
      if (!people.length) body.append(h('li', { class: 'empty', text: kind === 'members' ? 'No members.' : 'No managers.' }));
    } catch (e) { body.replaceChildren(h('li', { class: 'error', text: e.message })); }
  };
  const change = async (method, userId) => {
    try {
      await call(method, `${base}/${kind}`, kind === 'members' ? { members: [userId] } : { manager: userId });
      toast(method === 'POST' ? `${userId} added` : `${userId} removed`);
      await reload();
    } catch (e) { failed(e); }
  };
  const form = h('form', { class: 'row' }, add, h('button', { type: 'submit', text: 'Add' }));
  form.addEventListener('submit', ev => { ev.preventDefault(); if (add.value.trim()) change('POST', add.value.trim()).then(() => { add.value = ''; }); });
  panel.append(h('h2', { id: `${kind}-h`, text: kind === 'members' ? 'Members' : 'Managers' }), body, h('div', { class: 'buttons' }, form));
  await reload();
  return panel;
}

// ---- Moderation ---------------------------------------------------------------------------------
async function moderationPage(main) {
  const type = h('select', { name: 'report_type', 'aria-label': 'Report type' },
    [['', 'All reports'], ['message', 'Messages'], ['user', 'Users'], ['channel', 'Channels']].map(([v, t]) => h('option', { value: v, text: t })));
  const list = h('ol', { class: 'reports', 'aria-label': 'Reports, newest first' });
  const more = h('button', { type: 'button', class: 'ghost', text: 'Older reports', hidden: true });
  let next = null;
  const load = async append => {
    const q = new URLSearchParams({ limit: '20' });
    if (type.value) q.set('report_type', type.value);
    if (append && next) q.set('next', next);
    const page = await get('/console/api/reports?' + q);
    next = page.next || null;
    more.hidden = !next;
    const items = page.reports.map(report);
    if (append) list.append(...items); else list.replaceChildren(...items);
    if (!list.children.length) list.append(h('li', { class: 'empty', text: 'No reports. The queue is clear.' }));
  };
  type.onchange = () => load(false).catch(failed);
  more.onclick = () => load(true).catch(failed);
  pageTitle(main, 'Moderation queue', h('p', { class: 'row' }, h('label', { class: 'inline', for: type.id = 'report-type' }, 'Show'), type),
    list, h('div', { class: 'buttons' }, more));
  await load(false);
}

const actionNames = { delete_message: 'Message deleted', ban_user: 'User banned', freeze_channel: 'Channel frozen', dismiss: 'Dismissed' };
const duration = s => !s ? 'permanently' : s % 86400 === 0 ? `for ${s / 86400} day(s)` : s % 3600 === 0 ? `for ${s / 3600} hour(s)` : `for ${s} s`;

function report(q) {
  const r = q.report;
  const history = h('ul', { class: 'history' });
  const showHistory = actions => history.replaceChildren(...actions.map(a => h('li', {},
    `${actionNames[a.action] || a.action}${a.action === 'ban_user' ? ' ' + duration(a.seconds) : ''} by ${a.actor}, ${when(a.created_at)}`)));
  showHistory(q.actions);
  const acted = [...q.actions];
  const act = async (action, extra = {}) => {
    try {
      const done = await call('POST', `/console/api/reports/${enc(r.report_id)}/actions`, { action, ...extra });
      acted.push(done);
      showHistory(acted);
      toast(actionNames[action]);
      return done;
    } catch (e) { failed(e); throw e; }
  };
  const target = r.message ? h('blockquote', {}, h('strong', { text: r.message.user?.user_id || '' }), ': ',
      r.message.content ?? r.message.file?.name ?? '')
    : r.user ? h('p', {}, 'User ', h('code', { text: r.user.user_id }), ` (${r.user.name})`) : null;
  const buttons = h('div', { class: 'row' });
  if (r.message) buttons.append(h('button', { type: 'button', class: 'ghost danger small', text: 'Delete message',
    onclick: () => act('delete_message').catch(() => {}) }));
  if (r.user && r.channel) buttons.append(h('button', { type: 'button', class: 'ghost small', text: 'Ban user…', onclick: () => {
    const choice = banSelect();
    dialog({ title: `Ban ${r.user.user_id} from ${r.channel.name}`, ok: 'Ban', danger: true, body: field('For', choice),
      run: () => act('ban_user', { seconds: +choice.value }) });
  } }));
  if (r.channel) buttons.append(h('button', { type: 'button', class: 'ghost small', text: 'Freeze channel',
    onclick: () => act('freeze_channel').catch(() => {}) }));
  buttons.append(h('button', { type: 'button', class: 'ghost small', text: 'Dismiss', onclick: () => act('dismiss').catch(() => {}) }));
  return h('li', { class: 'report', 'data-report-id': r.report_id },
    h('header', {}, h('span', { class: 'badge', text: r.report_type }), h('strong', { text: r.report_category }),
      h('span', { class: 'muted small' }, `by ${r.reporting_user?.user_id} · ${when(r.created_at)}`),
      r.channel ? h('span', { class: 'small' }, 'in ', h('a', { href: `#/channels/${enc(r.channel.channel_id)}`, text: r.channel.name })) : null),
    r.reason ? h('p', { text: `“${r.reason}”` }) : null, target, buttons, history);
}

// ---- Live stats ---------------------------------------------------------------------------------
async function statsPage(main) {
  const tile = (label, id) => h('div', { class: 'tile' }, h('div', { class: 'value', id, text: '–' }), h('div', { class: 'label', text: label }));
  const canvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': 'Messages and deliveries per second, last two minutes' });
  const updated = h('p', { class: 'muted small', role: 'status' });
  pageTitle(main, 'Live stats',
    h('p', { class: 'muted small', text: 'This server node, from the same counters as /metrics. Refreshes every two seconds.' }),
    h('div', { class: 'tiles' }, tile('Open connections', 'stat-connections'), tile('Messages / s', 'stat-messages'),
      tile('Deliveries / s', 'stat-deliveries'), tile('Slow consumers cut', 'stat-slow')),
    h('div', { class: 'panel' }, h('div', { class: 'legend' },
      h('span', {}, h('span', { class: 'key messages' }), 'messages/s'), h('span', {}, h('span', { class: 'key deliveries' }), 'deliveries/s')),
      canvas, updated));
  const refresh = async () => {
    const s = await get('/console/api/stats', { app: false });
    const n = s.now;
    $('#stat-connections').textContent = n.connections;
    $('#stat-messages').textContent = n.messages_per_second.toFixed(1);
    $('#stat-deliveries').textContent = n.deliveries_per_second.toFixed(1);
    $('#stat-slow').textContent = n.slow_consumers_cut;
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    draw(canvas, s.history);
  };
  await refresh();
  state.statsTimer = setInterval(() => { if (state.page === 'stats') refresh().catch(() => { updated.textContent = 'Cannot reach the server; retrying…'; }); }, 2000);
}

// A small line chart drawn by hand: two series on one scale, time along the bottom.
function draw(canvas, history) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, hgt = canvas.clientHeight;
  canvas.width = w * ratio; canvas.height = hgt * ratio;
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.clearRect(0, 0, w, hgt);
  const pad = { l: 44, r: 10, t: 10, b: 22 };
  const pw = w - pad.l - pad.r, ph = hgt - pad.t - pad.b;
  const max = Math.max(1, ...history.map(s => Math.max(s.messages_per_second, s.deliveries_per_second)));
  const top = niceCeil(max / 4) * 4;
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#5d6575';
  g.strokeStyle = '#e3e6ec';
  g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = pad.t + ph - (ph * i) / 4;
    g.beginPath(); g.moveTo(pad.l, y); g.lineTo(pad.l + pw, y); g.stroke();
    g.textAlign = 'right'; g.textBaseline = 'middle';
    g.fillText(String(+(top * i / 4).toFixed(2)), pad.l - 6, y);
  }
  g.textAlign = 'left'; g.textBaseline = 'top';
  g.fillText('2 min ago', pad.l, pad.t + ph + 6);
  g.textAlign = 'right';
  g.fillText('now', pad.l + pw, pad.t + ph + 6);
  const n = 120;
  const line = (key, color) => {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    history.forEach((s, i) => {
      const x = pad.l + pw * (n - history.length + i) / (n - 1);
      const y = pad.t + ph - ph * (s[key] / top);
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
  };
  line('deliveries_per_second', '#1b9e77');
  line('messages_per_second', '#2457c5');
}
const niceCeil = v => { const p = 10 ** Math.floor(Math.log10(v)); return [1, 2, 5, 10].map(m => m * p).find(x => x >= v); };

// ---- Start --------------------------------------------------------------------------------------
window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', async () => {
  $('#sign-out').addEventListener('click', signOut);
  // The skip link moves focus without touching the hash (the hash is the page's route).
  $('.skip').addEventListener('click', ev => { ev.preventDefault(); $('#main').focus(); });
  // Enter submits a dialog from a select too (browsers submit only from text fields).
  $('#dialog-form').addEventListener('keydown', ev => {
    if (ev.key === 'Enter' && ev.target.tagName === 'SELECT') { ev.preventDefault(); $('#dialog-form').requestSubmit(); }
  });
  $('#app-select').addEventListener('change', ev => { state.appId = ev.target.value; sessionStorage.setItem('console.app', state.appId); route(); });
  try {
    state.session = await get('/console/api/session', { app: false });
    await start();
  } catch { showSignIn(); }
});
