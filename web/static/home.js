/* The public home: the map of the basin (heritage layers, the listed itineraries) kept in
   step with the server-rendered list, and live filtering without reloading the page.
   Without this script the page works as is (a GET form, links to the pages of results).
   Names only ever become text nodes (textContent); the results fragment comes from our own
   server, is parsed by DOMParser (scripts in it never run) and moved in as nodes. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('home-data').textContent);
  var home = document.getElementById('home');
  var form = document.getElementById('filters');
  var status = document.getElementById('results-status');
  var map = L.map('home-map', { scrollWheelZoom: false, zoomSnap: 0.25 });
  home.bassinMap = map;                  // for the browser tests: no global
  map.fitBounds(data.bounds, { animate: false });
  L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  if (window.BassinNetwork) window.BassinNetwork.addTo(map, { legend: true });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // -- heritage layers ------------------------------------------------------------------
  var overlays = {};
  var renderer = L.canvas({ padding: 0.3 });
  data.layers.forEach(function (layer) {
    var group = L.layerGroup();
    layer.places.forEach(function (p) {
      var marker = L.circleMarker([p[0], p[1]], {
        renderer: renderer, radius: layer.key === 'sites' ? 8 : 5, weight: 1.5, color: '#fff',
        fillColor: layer.colour, fillOpacity: 0.9 });
      var box = el('div');
      box.appendChild(el('strong', p[2] || data.kinds[p[4]] || p[4]));
      box.appendChild(el('div', [data.kinds[p[4]] || p[4], p[3]].filter(Boolean).join(' · ')));
      marker.bindTooltip(el('span', p[2] || data.kinds[p[4]] || p[4]));
      marker.bindPopup(box, { maxWidth: 240 });
      group.addLayer(marker);
    });
    group.addTo(map);
    var label = el('span');
    var swatch = el('i', '', 'home-swatch');
    swatch.style.background = layer.colour;
    label.appendChild(swatch);
    label.appendChild(document.createTextNode(layer.name + ' (' + layer.places.length + ')'));
    overlays[label.outerHTML] = group;    // our own markup: a swatch and escaped text
  });
  var lines = L.featureGroup().addTo(map);
  var itLabel = el('span', data.words.itineraries);
  overlays[itLabel.outerHTML] = lines;
  L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);

  // -- itineraries: lines <-> cards -------------------------------------------------------
  var byId = {};
  function card(id) { return document.querySelector('.it-card[data-id="' + id + '"]'); }
  function highlight(id, on, scroll) {
    var entry = byId[id];
    if (entry) {
      entry.line.setStyle(on ? { weight: 8, opacity: 1 } : { weight: 4, opacity: 0.85 });
      if (on) entry.line.bringToFront();
    }
    var c = card(id);
    if (c) {
      c.classList.toggle('is-active', on);
      if (on && scroll) c.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
  }
  function drawResults(fit) {
    var results = JSON.parse(document.getElementById('home-results').textContent);
    lines.clearLayers();
    byId = {};
    results.items.forEach(function (item) {
      if (!item.line || item.line.length < 2) return;
      var casing = L.polyline(item.line, { color: '#fff', weight: 8, opacity: 0.8, interactive: false });
      var line = L.polyline(item.line, { color: item.colour, weight: 4, opacity: 0.85, itinerary: item.id });
      line.bindTooltip(el('span', item.name), { sticky: true });
      line.on('mouseover', function () { highlight(item.id, true, true); });
      line.on('mouseout', function () { highlight(item.id, false); });
      line.on('click', function () {
        var c = card(item.id);
        if (c) { highlight(item.id, true, true); c.querySelector('a').focus({ preventScroll: true }); }
      });
      lines.addLayer(casing);
      lines.addLayer(line);
      byId[item.id] = { line: line };
    });
    document.querySelectorAll('.it-card').forEach(function (c) {
      var id = c.dataset.id;
      ['mouseenter', 'focusin'].forEach(function (ev) { c.addEventListener(ev, function () { highlight(id, true); }); });
      ['mouseleave', 'focusout'].forEach(function (ev) { c.addEventListener(ev, function () { highlight(id, false); }); });
    });
    if (fit && lines.getLayers().length) map.fitBounds(lines.getBounds(), { padding: [24, 24], animate: false, maxZoom: 14 });
    return results;
  }

  // -- live filtering -----------------------------------------------------------------------
  function queryOf() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== '' && !(key === 'sort' && value === 'recent')) params.append(key, value);
    });
    return params;
  }
  var pending = null;
  function refresh(params, push) {
    var search = params.toString();
    var url = window.location.pathname + (search ? '?' + search : '');
    var fetchUrl = url + (search ? '&' : '?') + 'fragment=1';
    if (pending) pending.abort();
    pending = new AbortController();
    home.classList.add('is-loading');
    return fetch(fetchUrl, { credentials: 'same-origin', signal: pending.signal })
      .then(function (r) { if (!r.ok) throw new Error(r.statusText); return r.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var fresh = doc.getElementById('results');
        var old = document.getElementById('results');
        old.replaceWith(document.importNode(fresh, true));
        var results = drawResults(true);
        document.querySelectorAll('[data-count]').forEach(function (span) {
          var n = results.counts[span.dataset.count] || 0;
          if (span.tagName === 'OPTION') { span.textContent = span.dataset.label + ' (' + n + ')'; return; }
          span.textContent = String(n);
          var box = span.closest('label');
          var input = box && box.querySelector('input');
          if (box) box.classList.toggle('none', !n && !(input && input.checked));
        });
        status.textContent = results.title;
        if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
        home.dataset.refreshed = String(Number(home.dataset.refreshed || 0) + 1);
      })
      .catch(function (err) { if (err.name !== 'AbortError') window.location.assign(url); })
      .finally(function () { home.classList.remove('is-loading'); });
  }
  var timer = null;
  if (form) {                               // no filters on an empty home
    form.addEventListener('change', function () { refresh(queryOf()); });
    form.addEventListener('input', function (ev) {
      if (ev.target.name !== 'q') return;
      clearTimeout(timer);
      timer = setTimeout(function () { refresh(queryOf()); }, 300);
    });
    form.addEventListener('submit', function (ev) { ev.preventDefault(); clearTimeout(timer); refresh(queryOf()); });
  }
  document.addEventListener('click', function (ev) {
    var link = ev.target.closest && ev.target.closest('.pagination a');
    if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    ev.preventDefault();
    refresh(new URL(link.href).searchParams, true).then(function () {
      var title = document.getElementById('results-title');
      if (title) { title.setAttribute('tabindex', '-1'); title.focus(); }
    });
  });
  window.addEventListener('popstate', function () { window.location.reload(); });
  drawResults(true);
  home.dataset.ready = '1';
})();
