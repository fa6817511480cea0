// kcheck explore: the page. Everything it says comes from kcheck (/.kcheck for the check and
// its verdicts, /.states/<path> for the model's steps with kcheck's marks on each state).
'use strict';

const $ = (id) => document.getElementById(id);
let status = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// An answer that has not come in a few seconds is asked for again: every request is a plain
// GET, and a browser's kept-alive connection can lose one now and then.
async function getJSON(url) {
  for (let attempt = 1; ; attempt++) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 3000 * attempt);
    try {
      const r = await fetch(url, { signal: abort.signal, cache: 'no-store' });
      if (!r.ok) throw new Error(await r.text());
      return await r.json();
    } catch (e) {
      if (e.name !== 'AbortError' || attempt >= 4) throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}

const plural = (n, word, many) => `${n} ${n === 1 ? word : (many || word + 's')}`;
const seconds = (s) => `${s.toFixed(2)} s`;
const MARK_LABEL = { violates: 'violates', dead: 'dead', example: 'example', 'on-trace': 'on trace', measured: 'measured', cycle: '↻ cycle starts' };

function markBadge(m) {
  return el('span', { class: `mark ${m.mark}`, title: m.note, 'data-property': m.property },
    `${MARK_LABEL[m.mark] || m.mark} ${m.property}`);
}

function renderStatus() {
  const s = status.scenario;
  $('scenario').textContent = s.text;
  document.title = `kcheck explore: ${s.text}`;
  if (s.description) {
    $('description').textContent = s.description;
    $('description').hidden = false;
  }
  const panel = $('status');
  panel.replaceChildren();
  if (!status.done) {
    const p = status.progress;
    const where = p
      ? `${p.stage}: ${plural(p.states, 'state')}, depth ${p.depth}, ${seconds(p.seconds)}`
      : 'starting';
    panel.append(
      el('div', { class: 'meter', id: 'progress' }, `checking… ${where}`),
      el('p', { class: 'note' },
        'The verdicts appear here when the check is done. You can step through the model meanwhile.'));
  } else {
    const r = status.decided.report;
    const st = r.stats;
    panel.append(
      el('div', { id: 'explored' },
        `explored: ${plural(st.states, 'state')}, ${plural(st.transitions, 'transition')}, depth ${st.depth} ` +
        `in ${seconds(st.explore_seconds)} (total run ${seconds(st.seconds)})`),
      el('div', { id: 'bounds' }, `bounds: ${r.bounds}`));
    const cut = r.results.find((x) => x.verdict === 'incomplete');
    if (cut) {
      panel.append(el('p', { class: 'cut', id: 'cut' },
        `INCOMPLETE: ${cut.claim}. The search was cut, so the properties marked INCOMPLETE are ` +
        'not decided, and a state with no mark may still violate one.'));
    }
    if (s.symmetry) {
      panel.append(el('p', { class: 'note' },
        'kcheck counts states up to a renaming of the members (symmetry), as verify does. ' +
        'The explorer steps through concrete states, so it shows every renaming of them.'));
    }
  }
  renderProperties();
}

function renderProperties() {
  const body = $('properties').querySelector('tbody');
  body.replaceChildren();
  const results = status.done ? status.decided.report.results : [];
  const paths = status.done ? status.decided.paths : {};
  for (const p of status.properties) {
    const r = results.find((x) => x.property === p.property);
    const verdict = r ? r.verdict : 'checking';
    const found = [el('div', {}, p.meaning)];
    if (r && r.verdict === 'holds' && r.min !== undefined) {
      const amount = (a) => (typeof a === 'number' ? `${a} ${r.unit}` : a);
      found.push(el('div', { class: 'note measure' }, `min ${amount(r.min)}, max ${amount(r.max)}, exact over every behaviour`));
    }
    if (r && r.verdict === 'holds' && r.claim) found.push(el('div', { class: 'note' }, r.claim));
    if (r && r.verdict === 'incomplete') found.push(el('div', { class: 'note' }, r.claim || 'a limit cut the search'));
    if (r && r.verdict === 'violated') {
      if (r.why) found.push(el('div', { class: 'note why' }, `why: ${r.why}`));
      if (r.basis) found.push(el('div', { class: 'note basis' }, r.basis === 'proof'
        ? 'proved for every budget: a lemma of the model rules out any recovery from its end'
        : 'found within the extended budget: a larger budget might still recover'));
      if (r.dead_states !== undefined && r.dead_states !== null) {
        found.push(el('div', { class: 'note' }, `${plural(r.dead_states, 'reachable state')} cannot recover`));
      }
    }
    let link = '';
    if (paths[p.property] !== undefined) {
      const steps = paths[p.property].split('/').length - 1;
      const what = r.verdict === 'violated' ? 'counterexample' : 'witness';
      link = el('a', { href: `#/steps/${paths[p.property]}`, class: 'trace-link' }, `${what}, ${plural(steps, 'step')}`);
    }
    body.append(el('tr', { 'data-property': p.property },
      el('td', { class: `verdict ${verdict}` }, verdict.toUpperCase()),
      el('td', {}, el('code', {}, p.property)),
      el('td', {}, p.kind),
      el('td', {}, found),
      el('td', {}, link)));
  }
}

async function poll() {
  const wasDone = status && status.done;
  try {
    status = await getJSON('/.kcheck');
    renderStatus();
    document.body.dataset.done = String(status.done);
  } catch (e) {
    $('status').textContent = `kcheck explore does not answer: ${e.message}`;
  }
  if (!status || !status.done) setTimeout(poll, 500);
  else if (!wasDone) route(); // dead and on-trace marks are known now
}

function currentPath() {
  const m = location.hash.match(/^#\/steps\/?(.*)$/);
  return m ? m[1].replace(/\/+$/, '') : null;
}

function showError(message) {
  $('error').replaceChildren(message, ' ', el('a', { href: '#/steps/0' }, 'back to the initial state'));
  $('error').hidden = false;
  $('path').replaceChildren();
  $('state-marks').replaceChildren();
  $('picture').replaceChildren();
  $('state').textContent = '';
  $('next').replaceChildren();
}

function stepChanges(entry) {
  if (!entry.outcome) return '';
  return entry.outcome.split('\n\n')[0];
}

let routing = 0;
async function route() {
  const path = currentPath();
  if (path === null) {
    location.hash = '#/steps/0';
    return;
  }
  const mine = ++routing;
  const parts = path === '' ? [] : path.split('/');
  let lists;
  try {
    const urls = [];
    for (let k = 0; k <= parts.length; k++) urls.push('/.states/' + parts.slice(0, k).join('/'));
    lists = await Promise.all(urls.map(getJSON));
  } catch (e) {
    if (mine === routing) {
      showError(e.message);
      document.body.dataset.route = path;
    }
    return;
  }
  if (mine !== routing) return;
  $('error').hidden = true;
  const taken = [];
  for (let k = 0; k < parts.length; k++) {
    const entry = lists[k].find((e) => String(e.actionIndex) === parts[k]);
    if (!entry) {
      showError(`No state at path ${path}: step ${k} has no action ${parts[k]}.`);
      document.body.dataset.route = path;
      return;
    }
    taken.push(entry);
  }
  const pathList = $('path');
  pathList.replaceChildren(...taken.map((e, i) => el('li', { class: i === taken.length - 1 ? 'current' : '' },
    el('a', { href: `#/steps/${e.path}` }, e.action))));
  const current = taken[taken.length - 1];
  const marks = $('state-marks');
  marks.replaceChildren();
  if (current) {
    for (const m of current.marks) {
      marks.append(el('div', {}, markBadge(m), el('span', { class: 'why' }, m.note)));
    }
    const changes = stepChanges(current);
    $('state').textContent = (changes ? `${changes}\n\n` : '') + (current.state || '');
    $('picture').innerHTML = current.svg || '';
    // Scale a wide picture (five or more members) to the panel instead of clipping it.
    const svg = $('picture').querySelector('svg');
    if (svg && !svg.getAttribute('viewBox') && svg.getAttribute('width')) {
      svg.setAttribute('viewBox', `0 0 ${svg.getAttribute('width')} ${svg.getAttribute('height')}`);
    }
  } else {
    $('state').textContent = 'Choose an initial state.';
    $('picture').replaceChildren();
  }
  const next = lists[parts.length];
  const nextList = $('next');
  nextList.replaceChildren(...next.map((e) => el('li', {},
    el('a', { href: `#/steps/${e.path}` }, e.action),
    el('div', {}, e.marks.map(markBadge)),
    el('div', { class: 'note' }, stepChanges(e)))));
  if (next.length === 0) nextList.append(el('li', { class: 'note' }, 'No step changes this state: it is final.'));
  // For tests and scripts: which route the page shows, and with which verdicts known.
  document.body.dataset.marked = String(Boolean(status && status.done));
  document.body.dataset.route = path;
}

window.addEventListener('hashchange', route);
poll();
route();
