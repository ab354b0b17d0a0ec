(function () {
  'use strict';
  // Every scanner string reaches the page through textContent only: never innerHTML, never an attribute that runs code.
  var source = document.getElementById('scangate-findings');
  var all = source ? JSON.parse(source.textContent || '[]') : [];
  var byId = function (id) { return document.getElementById(id); };
  var sevNames = { 1: 'Minimal', 2: 'Medium', 3: 'Serious', 4: 'Critical', 5: 'Urgent' };
  var statusNames = { fail: 'Fails gate', warn: 'Warns', pass: 'Passed', excluded: 'Excluded', excepted: 'Excepted', 'not-evaluated': 'Not evaluated' };
  var statusRank = { fail: 0, warn: 1, pass: 2, 'not-evaluated': 3, excepted: 4, excluded: 5 };
  var haystack = [];
  for (var i = 0; i < all.length; i++) {
    var f = all[i];
    f.i = i;
    haystack.push([f.qid, f.title, f.host, f.dns, f.port, f.category, (f.cves || []).join(' '), f.results, f.solution, f.note]
      .join('\n').toLowerCase());
  }
  var state = { key: 'default', dir: 1, page: 0, size: 100, open: {} };
  var view = all.slice();
  var tbody = byId('fbody');

  function text(el, value) { el.textContent = value === null || value === undefined || value === '' ? '-' : String(value); return el; }
  function make(tag, cls, value) { var el = document.createElement(tag); if (cls) { el.className = cls; } if (value !== undefined) { text(el, value); } return el; }
  function num(v) { return typeof v === 'number' ? v : -1; }

  function filtered() {
    var sev = byId('f-sev').value, type = byId('f-type').value, status = byId('f-status').value, pci = byId('f-pci').value;
    var expl = byId('f-expl').checked, mal = byId('f-mal').checked;
    var q = byId('f-text').value.trim().toLowerCase();
    var out = [];
    for (var i = 0; i < all.length; i++) {
      var f = all[i];
      if (sev && String(f.severity) !== sev) { continue; }
      if (type && f.type !== type) { continue; }
      if (status && f.status !== status) { continue; }
      if (pci && (pci === 'yes') !== (f.pci === true)) { continue; }
      if (expl && f.exploitable !== true) { continue; }
      if (mal && f.malware !== true) { continue; }
      if (q && haystack[i].indexOf(q) < 0) { continue; }
      out.push(f);
    }
    return out;
  }

  function compare(a, b) {
    var d = 0, k = state.key;
    if (k === 'default') {
      d = statusRank[a.status] - statusRank[b.status] || num(b.severity) - num(a.severity) || num(b.cvss3) - num(a.cvss3);
      return d || a.i - b.i;
    }
    if (k === 'severity' || k === 'qid' || k === 'cvss3') { d = num(a[k]) - num(b[k]); }
    else if (k === 'status') { d = statusRank[a.status] - statusRank[b.status]; }
    else { d = String(a[k] || '').localeCompare(String(b[k] || ''), 'en', { numeric: true }); }
    return d * state.dir || a.i - b.i;
  }

  function apply(resetPage) {
    view = filtered();
    view.sort(compare);
    if (resetPage) { state.page = 0; }
    render();
  }

  function detail(f) {
    var tr = make('tr', 'detail'), td = make('td'), dl = make('dl');
    td.colSpan = 11;
    function row(label, value, pre) {
      dl.appendChild(make('dt', null, label));
      var dd = make('dd');
      if (pre) { dd.appendChild(make('pre', null, value)); } else { text(dd, value); }
      dl.appendChild(dd);
    }
    row('CVSS v3', f.cvss3 === null ? null : f.cvss3 + (f.cvss3_vector ? '  ' + f.cvss3_vector : ''));
    row('CVSS v2', f.cvss2 === null ? null : f.cvss2 + (f.cvss2_vector ? '  ' + f.cvss2_vector : ''));
    row('CVEs', (f.cves || []).join(', '));
    row('Category', f.category);
    row('Host', f.host + (f.dns ? ' (' + f.dns + ')' : '') + (f.os ? ' — ' + f.os : ''));
    row('Bugtraq ID', f.bugtraq_id);
    row('Exploitable / malware', (f.exploitable ? 'exploitable' : 'no known exploit') + ', ' + (f.malware ? 'associated malware' : 'no associated malware'));
    row('Fail rules matched', (f.matched || []).join(', '));
    row('Warn rules matched', (f.warned || []).join(', '));
    if (f.note) { row('Exclusion / exception', f.note); }
    row('Results', f.results, true);
    row('Solution', f.solution, true);
    td.appendChild(dl);
    tr.appendChild(td);
    return tr;
  }

  function render() {
    var size = state.size > 0 ? state.size : view.length || 1;
    var pages = Math.max(1, Math.ceil(view.length / size));
    if (state.page >= pages) { state.page = pages - 1; }
    var start = state.page * size, end = Math.min(view.length, start + size);
    var frag = document.createDocumentFragment();
    for (var i = start; i < end; i++) {
      var f = view[i], tr = make('tr', 'finding');
      var open = state.open[f.i] === true;
      var btd = make('td'), b = make('button', 'expand', open ? '−' : '+');
      b.type = 'button';
      b.setAttribute('aria-expanded', open ? 'true' : 'false');
      b.setAttribute('aria-label', 'Details');
      b.dataset.index = String(f.i);
      btd.appendChild(b);
      tr.appendChild(btd);
      var sev = make('td'), s = make('span', 'sev sev-' + (f.severity || 0), f.severity);
      s.title = sevNames[f.severity] || 'Unknown';
      sev.appendChild(s);
      tr.appendChild(sev);
      tr.appendChild(make('td', 'qid', f.qid));
      tr.appendChild(make('td', 'title', f.title));
      tr.appendChild(make('td', null, f.host));
      tr.appendChild(make('td', null, f.port ? f.port + (f.protocol ? '/' + f.protocol : '') : null));
      tr.appendChild(make('td', null, f.cvss3));
      var cves = f.cves || [];
      tr.appendChild(make('td', null, cves.length === 0 ? null : cves[0] + (cves.length > 1 ? ' +' + (cves.length - 1) + ' more' : '')));
      tr.appendChild(make('td', null, f.type === 'potential' ? 'Potential' : 'Confirmed'));
      tr.appendChild(make('td', null, f.pci ? 'yes' : 'no'));
      var st = make('td');
      st.appendChild(make('span', 'badge st-' + f.status, statusNames[f.status] || f.status));
      tr.appendChild(st);
      frag.appendChild(tr);
      if (open) { frag.appendChild(detail(f)); }
    }
    tbody.replaceChildren(frag);
    text(byId('fcount'), view.length === all.length ? all.length + ' findings' : view.length + ' of ' + all.length + ' findings match');
    text(byId('pageinfo'), view.length === 0 ? 'No findings match the filters.' : 'Rows ' + (start + 1) + '–' + end + ' of ' + view.length + ', page ' + (state.page + 1) + ' of ' + pages);
    byId('prev').disabled = state.page === 0;
    byId('next').disabled = state.page >= pages - 1;
    var heads = byId('ftable').querySelectorAll('th button[data-sort]');
    for (var h = 0; h < heads.length; h++) {
      var key = heads[h].dataset.sort;
      if (key === state.key) { heads[h].setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending'); } else { heads[h].removeAttribute('aria-sort'); }
    }
  }

  var timer = null;
  ['f-sev', 'f-type', 'f-status', 'f-pci', 'f-expl', 'f-mal'].forEach(function (id) {
    byId(id).addEventListener('change', function () { apply(true); });
  });
  byId('f-text').addEventListener('input', function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { apply(true); }, all.length > 5000 ? 200 : 0);
  });
  var form = byId('filters');
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  form.addEventListener('reset', function () { setTimeout(function () { apply(true); }, 0); });
  byId('prev').addEventListener('click', function () { state.page--; render(); });
  byId('next').addEventListener('click', function () { state.page++; render(); });
  byId('psize').addEventListener('change', function (e) { state.size = parseInt(e.target.value, 10) || 0; state.page = 0; render(); });
  byId('ftable').tHead.addEventListener('click', function (e) {
    var b = e.target.closest('button[data-sort]');
    if (!b) { return; }
    var key = b.dataset.sort;
    if (state.key === key) { state.dir = -state.dir; } else { state.key = key; state.dir = key === 'severity' || key === 'cvss3' ? -1 : 1; }
    apply(false);
  });
  tbody.addEventListener('click', function (e) {
    var b = e.target.closest('button.expand');
    if (!b) { return; }
    var index = b.dataset.index;
    state.open[index] = !state.open[index];
    render();
  });
  byId('findings-ui').hidden = false;
  apply(true);
}());
