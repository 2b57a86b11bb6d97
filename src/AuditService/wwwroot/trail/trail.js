// The audit trail page. No framework, no build: it calls AuditService's read API and its live
// stream with the read key the user gives, kept in sessionStorage (this tab only). Event content
// is always shown with textContent, never parsed as HTML.
'use strict';

const KeyStorage = 'useraudit.trail.readKey';
const Api = '/v1/audit-events';
const PageSize = 50;
const Attributes = ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema'];

const el = id => document.getElementById(id);

// A browser that blocks site storage throws on any use of it: the key is then kept in memory only,
// for as long as the page stays open, and the page still works.
function storedKey() {
  try { return sessionStorage.getItem(KeyStorage); } catch { return null; }
}

function storeKey(key) {
  try {
    if (key === null) sessionStorage.removeItem(KeyStorage); else sessionStorage.setItem(KeyStorage, key);
  } catch { /* memory only */ }
}

// generation counts the list's loads: an answer or a stream started for an earlier load is dropped.
const state = { key: storedKey(), filters: {}, cursor: null, shown: new Set(), stream: null, fresh: 0, generation: 0 };

class KeyRefused extends Error {
  constructor(status) { super(`The key was refused (HTTP ${status}).`); this.status = status; }
}

function headers(extra) {
  return Object.assign({ Authorization: `Bearer ${state.key}` }, extra);
}

async function problemText(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function read(path) {
  const response = await fetch(path, { headers: headers({ Accept: 'application/json' }), cache: 'no-store' });
  if (response.status === 401 || response.status === 403) {
    throw new KeyRefused(response.status);
  }
  if (!response.ok) {
    throw new Error(await problemText(response));
  }
  return response.json();
}

function queryString(extra) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(Object.assign({}, state.filters, extra))) {
    if (value !== undefined && value !== null && value !== '') {
      query.set(name, value);
    }
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

// ---- signing in and out ----

async function signIn(event) {
  event.preventDefault();
  const error = el('sign-in-error');
  error.hidden = true;
  state.key = el('key').value.trim();
  try {
    await read(`${Api}?limit=1`);
  } catch (e) {
    state.key = null;
    error.textContent = e instanceof KeyRefused
      ? `${e.message} Check the key and try again.`
      : `AuditService did not answer: ${e.message}`;
    error.hidden = false;
    el('key').focus();
    return;
  }
  storeKey(state.key);
  el('key').value = '';
  showTrail();
}

function signOut(message) {
  state.generation++;
  stopStream();
  storeKey(null);
  state.key = null;
  el('events').replaceChildren();
  state.shown.clear();
  el('trail').hidden = true;
  el('sign-out').hidden = true;
  el('sign-in').hidden = false;
  const error = el('sign-in-error');
  error.textContent = message || '';
  error.hidden = !message;
  el('key').focus();
}

function showTrail() {
  el('sign-in').hidden = true;
  el('trail').hidden = false;
  el('sign-out').hidden = false;
  load();
}

// ---- filters ----

function localToUtc(value) {
  return value ? new Date(value).toISOString() : '';
}

function applyFilters(event) {
  event.preventDefault();
  const form = new FormData(el('filters'));
  state.filters = {
    type: form.get('type').trim(),
    subject: form.get('subject').trim(),
    source: form.get('source').trim(),
    authid: form.get('authid').trim(),
    authtype: form.get('authtype'),
    from: localToUtc(form.get('from')),
    to: localToUtc(form.get('to')),
  };
  load();
}

function setFilterFields(filters) {
  for (const name of ['type', 'subject', 'source', 'authid', 'authtype']) {
    el(`f-${name}`).value = filters[name] || '';
  }
  el('f-from').value = '';
  el('f-to').value = '';
}

function showTimeline(subject) {
  state.filters = { subject };
  setFilterFields(state.filters);
  load();
  el('trail-title').focus();
}

function clearFilters() {
  state.filters = {};
  setFilterFields(state.filters);
  load();
}

// ---- the list ----

async function load() {
  const generation = ++state.generation;
  stopStream();
  state.cursor = null;
  state.shown.clear();
  state.fresh = 0;
  el('events').replaceChildren();
  el('trail-error').hidden = true;
  el('live').textContent = '';
  const subject = state.filters.subject;
  const onlySubject = subject && Object.entries(state.filters).every(([name, value]) => name === 'subject' || !value);
  el('timeline').hidden = !onlySubject;
  el('timeline-text').textContent = onlySubject ? `Timeline of ${subject}` : '';
  try {
    // The newest position anywhere, read before the page: the stream resumes after it, so nothing
    // stored while the page loads is missed (what the page already shows is skipped by position).
    const head = await read(`${Api}?limit=1`);
    if (generation !== state.generation) {
      return; // filters changed (or the user signed out) meanwhile: a newer load owns the list
    }
    const resumeAfter = head.items.length ? head.items[0].position : 0;
    if (await loadPage(generation)) {
      startStream(resumeAfter);
    }
  } catch (e) {
    if (generation === state.generation) {
      failed(e);
    }
  }
}

// Adds the next page; false, adding nothing, when a newer load began while it was read.
async function loadPage(generation) {
  const page = await read(`${Api}${queryString({ limit: PageSize, cursor: state.cursor })}`);
  if (generation !== state.generation) {
    return false;
  }
  for (const item of page.items) {
    add(item, false);
  }
  state.cursor = page.nextCursor;
  el('more').hidden = !state.cursor;
  el('empty').hidden = el('events').children.length > 0;
  return true;
}

async function more() {
  const generation = state.generation;
  try {
    await loadPage(generation);
  } catch (e) {
    if (generation === state.generation) {
      failed(e);
    }
  }
}

function failed(error) {
  if (error instanceof KeyRefused) {
    signOut('Your key is no longer accepted. Sign in again.');
    return;
  }
  const box = el('trail-error');
  box.textContent = error.message;
  box.hidden = false;
}

function actorOf(item) {
  const ext = item.extensions || {};
  if (!ext.authtype && !ext.authid) {
    return '';
  }
  return ext.authid ? `${ext.authtype || 'unknown'}: ${ext.authid}` : ext.authtype;
}

function cell(className, label, content) {
  const div = document.createElement('div');
  div.className = `cell ${className}`;
  const caption = document.createElement('span');
  caption.className = 'label';
  caption.textContent = `${label}: `;
  div.append(caption, content);
  return div;
}

function linkButton(text, label, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link';
  button.textContent = text;
  button.setAttribute('aria-label', label);
  button.addEventListener('click', onClick);
  return button;
}

function add(item, live) {
  if (state.shown.has(item.position)) {
    return;
  }
  state.shown.add(item.position);
  const li = document.createElement('li');
  li.className = live ? 'event new' : 'event';
  li.dataset.position = item.position;
  li.dataset.id = item.id;

  const time = document.createElement('time');
  const when = item.time || item.receivedAt;
  time.dateTime = when;
  time.textContent = new Date(when).toLocaleString();
  time.title = when;

  const type = linkButton(item.type, `Show event ${item.type} ${item.id}`, () => showDetail(item));
  const subject = item.subject
    ? linkButton(item.subject, `Show the timeline of ${item.subject}`, () => showTimeline(item.subject))
    : document.createTextNode('—');
  const source = document.createElement('span');
  source.textContent = item.source;

  li.append(cell('when', 'Time', time), cell('type', 'Type', type), cell('subject', 'Subject', subject),
    cell('actor', 'Actor', document.createTextNode(actorOf(item) || '—')), cell('source', 'Source', source));
  const list = el('events');
  if (live) {
    list.prepend(li);
  } else {
    list.append(li);
  }
  el('empty').hidden = true;
}

// ---- the detail ----

function row(list, name, value) {
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  dd.textContent = value;
  list.append(dt, dd);
}

function asCloudEvent(item) {
  const event = {};
  for (const name of Attributes) {
    const value = name === 'specversion' ? item.specVersion : item[name === 'datacontenttype' ? 'dataContentType' : name === 'dataschema' ? 'dataSchema' : name];
    if (value !== null && value !== undefined) {
      event[name] = value;
    }
  }
  Object.assign(event, item.extensions || {});
  if (item.data !== null && item.data !== undefined) {
    event.data = item.data;
  } else if (item.dataBase64) {
    event.data_base64 = item.dataBase64;
  }
  return event;
}

function showDetail(item) {
  const event = asCloudEvent(item);
  const list = el('detail-attributes');
  list.replaceChildren();
  for (const [name, value] of Object.entries(event)) {
    if (name !== 'data' && name !== 'data_base64') {
      row(list, name, value);
    }
  }
  row(list, 'stored at position', item.position);
  row(list, 'received at', item.receivedAt);
  if (item.ingestedBy) {
    row(list, 'ingested by', item.ingestedBy);
  }
  if (item.kafka) {
    row(list, 'kafka', `${item.kafka.topic} partition ${item.kafka.partition} offset ${item.kafka.offset}`);
  }
  el('detail-title').textContent = item.type;
  el('detail-json').textContent = JSON.stringify(event, null, 2);
  el('detail').showModal();
}

// ---- live ----

function stopStream() {
  if (state.stream) {
    state.stream.abort();
    state.stream = null;
  }
}

function announce() {
  el('live').textContent = state.fresh === 0
    ? 'Live: new events appear at the top.'
    : `Live: ${state.fresh} new event${state.fresh === 1 ? '' : 's'} at the top.`;
}

// EventSource cannot send a key: read the text/event-stream body with fetch() instead.
async function startStream(after) {
  const controller = new AbortController();
  state.stream = controller;
  let last = after;
  let delay = 1000;
  const path = `${Api}/stream${queryString()}`;
  while (!controller.signal.aborted) {
    try {
      const response = await fetch(path, {
        headers: headers({ Accept: 'text/event-stream', 'Last-Event-ID': String(last) }),
        cache: 'no-store',
        signal: controller.signal,
      });
      if (response.status === 401 || response.status === 403) {
        throw new KeyRefused(response.status);
      }
      if (!response.ok) {
        throw new Error(await problemText(response));
      }
      delay = 1000;
      announce();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buffer += value;
        let end;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          const message = parseMessage(block);
          if (message.id) {
            last = message.id;
          }
          if (message.data) {
            state.fresh += state.shown.has(JSON.parse(message.data).position) ? 0 : 1;
            add(JSON.parse(message.data), true);
            announce();
          }
        }
      }
    } catch (e) {
      if (controller.signal.aborted) {
        return;
      }
      if (e instanceof KeyRefused) {
        failed(e);
        return;
      }
    }
    if (controller.signal.aborted) {
      return;
    }
    el('live').textContent = 'Connection lost; reconnecting…';
    await new Promise(resolve => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

function parseMessage(block) {
  const message = { id: null, data: '' };
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'id') {
      message.id = value;
    } else if (field === 'data') {
      data.push(value);
    }
  }
  message.data = data.join('\n');
  return message;
}

// ---- start ----

el('sign-in-form').addEventListener('submit', signIn);
el('sign-out').addEventListener('click', () => signOut(''));
el('filters').addEventListener('submit', applyFilters);
el('clear').addEventListener('click', clearFilters);
el('all-events').addEventListener('click', clearFilters);
el('more').addEventListener('click', more);
el('detail-close').addEventListener('click', () => el('detail').close());
el('trail-title').tabIndex = -1;

if (state.key) {
  showTrail();
} else {
  el('key').focus();
}
