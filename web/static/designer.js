/* Staff itinerary designer: waypoints on a Leaflet map, planned live by the JSON API.

   Modes: route (points in order, with up to 2 alternatives between two points), tour (best
   order; fixed end, back to start), loop (length, favoured place kinds; ranked candidates),
   stages (days, most km per day). Every waypoint edit is a step of an undo/redo history;
   choosing an alternative (or another loop) pins it with waypoints, so it can be undone and
   saved. Waypoints are named after the nearest place or way (/api/v1/reverse). The network
   layer (network-layer.js) draws the graph under the route; the Save panel and the saved list
   are designer-saved.js's (loaded first).
   Words come from the #designer-words JSON block; user-supplied text only ever goes through
   textContent/value, never innerHTML. */
(function () {
  'use strict';
  var root = document.getElementById('designer');
  var msg = JSON.parse(document.getElementById('designer-words').textContent);
  var center = JSON.parse(root.dataset.center);
  var map = L.map('map', { keyboard: true }).setView([center[0], center[1]], center[2]);
  L.tileLayer(root.dataset.tiles, { maxZoom: 19, attribution: root.dataset.attribution }).addTo(map);
  var network = window.BassinNetwork ? window.BassinNetwork.addTo(map, { legend: true }) : null;
  var candidateLayer = L.layerGroup().addTo(map);
  var routeLayer = L.layerGroup().addTo(map);
  var placeLayer = L.layerGroup().addTo(map);
  var markers = L.layerGroup().addTo(map);
  var state = { points: [], history: [[]], at: 0, names: {}, saved: null, kind: 'route', request: null,
    timer: null, fitted: false, seq: 0, candidates: [], best: null };
  var stageColours = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2'];
  var altColours = ['#111827', '#0e7490'];   // apart from the network's colours and casings
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
  function fill(template, values) { return String(template).replace(/\{(\w+)\}/g, function (m, k) { return values[k] === undefined ? m : String(values[k]); }); }
  function status(text) { $('status').textContent = text || ''; }
  function param(p) { return p.place_id ? p.place_id : p.lat.toFixed(6) + ',' + p.lon.toFixed(6); }
  function query(params) { return Object.keys(params).filter(function (k) { return params[k] !== '' && params[k] !== undefined; }).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); }).join('&'); }
  function key(p) { return p.lat.toFixed(6) + ',' + p.lon.toFixed(6); }
  function mode() { return document.querySelector('input[name=mode]:checked').value; }
  function km(m) { return (m / 1000).toFixed(1); }
  function hours(s) { var h = Math.floor(s / 3600), mn = Math.round((s % 3600) / 60); return h + ' h ' + String(mn).padStart(2, '0'); }
  function nameOf(p, i) { return p.name || state.names[key(p)] || fill(msg.point, { n: i + 1 }); }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error(d.detail || d.title || r.statusText); return d; }); });
  }

  // -- history: every edit of the waypoints is a step that undo and redo walk ---------------
  function copy(points) { return points.map(function (p) { return Object.assign({}, p); }); }
  function edit(points, note) {
    state.history = state.history.slice(0, state.at + 1);
    state.history.push(copy(points));
    if (state.history.length > 200) state.history.shift();
    state.at = state.history.length - 1;
    state.points = copy(points);
    changed(note);
  }
  function undo() { if (state.at > 0) { state.at -= 1; state.points = copy(state.history[state.at]); changed(msg.undone); } }
  function redo() { if (state.at < state.history.length - 1) { state.at += 1; state.points = copy(state.history[state.at]); changed(msg.redone); } }
  function add(p) { edit(state.points.concat([p])); }
  function removeAt(i) { var pts = copy(state.points); pts.splice(i, 1); edit(pts); }
  function move(i, by) {
    var j = i + by; if (j < 0 || j >= state.points.length) return;
    var pts = copy(state.points); var t = pts[i]; pts[i] = pts[j]; pts[j] = t; edit(pts);
  }
  function opened(points, kind, request) {
    // an itinerary opened as saved: no pending plan, no history to undo into, framed anew
    clearTimeout(state.timer); state.seq += 1;
    state.history = [copy(points)]; state.at = 0; state.points = copy(points);
    state.kind = kind; state.request = request; state.fitted = false;
    clearResult(); drawMarkers();
  }

  // -- names: the nearest named place within 150 m, else the way the point snaps to ---------
  function lookupName(p) {
    if (p.name || p.place_id || state.names[key(p)] !== undefined) return;
    state.names[key(p)] = null;
    getJSON('/api/v1/reverse?' + query({ point: key(p), profile: $('profile').value }))
      .then(function (res) { if (res.name) { state.names[key(p)] = res.name; drawMarkers(); } })
      .catch(function () { delete state.names[key(p)]; });
  }

  function button(text, label, onClick) {
    var b = el('button', text); b.type = 'button'; b.setAttribute('aria-label', label); b.title = label;
    b.addEventListener('click', onClick); return b;
  }

  function drawMarkers() {
    markers.clearLayers();
    var list = $('waypoints'); list.textContent = '';
    state.points.forEach(function (p, i) {
      var name = nameOf(p, i);
      var m = L.marker([p.lat, p.lon], { draggable: true, title: name, alt: name, keyboard: true }).addTo(markers);
      m.on('dragend', function () { var ll = m.getLatLng(); var pts = copy(state.points); pts[i] = { lat: ll.lat, lon: ll.lng }; edit(pts); });
      m.on('click', function () { removeAt(i); });
      var li = el('li'); li.appendChild(el('span', (i + 1) + '.', 'wp-num')); li.appendChild(el('span', name, 'wp-name'));
      li.appendChild(button('↑', fill(msg.up, { name: name }), function () { move(i, -1); }));
      li.appendChild(button('↓', fill(msg.down, { name: name }), function () { move(i, 1); }));
      li.appendChild(button('×', fill(msg.remove, { name: name }), function () { removeAt(i); }));
      list.appendChild(li);
      lookupName(p);
    });
    $('undo').disabled = state.at === 0;
    $('redo').disabled = state.at >= state.history.length - 1;
  }

  // -- results ------------------------------------------------------------------------------
  function surfaceGroup(value) {
    var groups = msg.surface_values;
    for (var g in groups) { if (groups[g].indexOf(value) >= 0) return g; }
    return 'unknown';
  }

  function showSummary(props) {
    var stats = $('stats'); stats.textContent = '';
    [[msg.distance, km(props.distance_m) + ' km'], [msg.duration, hours(props.duration_s)],
     [msg.ascent, props.ascent_m === null || props.ascent_m === undefined ? '—' : Math.round(props.ascent_m) + ' m']].forEach(function (kv) {
      var d = el('div'); d.appendChild(el('dt', kv[0])); d.appendChild(el('dd', kv[1])); stats.appendChild(d);
    });
    var groups = {};
    Object.keys(props.surface || {}).forEach(function (value) {
      var g = surfaceGroup(value); groups[g] = groups[g] || { pct: 0, values: [] };
      groups[g].pct += props.surface[value].pct; groups[g].values.push(value);
    });
    var bar = el('div', undefined, 'bar'), legend = $('surface-legend');
    bar.setAttribute('aria-hidden', 'true');
    $('surface').textContent = ''; legend.textContent = '';
    ['paved', 'smooth', 'rough', 'unknown'].forEach(function (g) {
      if (!groups[g]) return;
      var colour = msg.surface_colours[g], pct = Math.round(groups[g].pct);
      var s = el('span'); s.style.width = groups[g].pct + '%'; s.style.background = colour; bar.appendChild(s);
      var li = el('li'); var sw = el('span', '', 'swatch'); sw.style.background = colour; li.appendChild(sw);
      li.appendChild(el('span', msg.surface_groups[g] + ' — ' + pct + ' %'));
      li.title = groups[g].values.join(', ');
      legend.appendChild(li);
    });
    $('surface').appendChild(bar);
    var warnings = $('warnings'); warnings.textContent = '';
    var texts = props.warnings_text || [];
    if (!texts.length) warnings.appendChild(el('li', msg.no_warnings, 'muted'));
    texts.forEach(function (t) { warnings.appendChild(el('li', t)); });
  }

  function drawLine(feature, colour, layer) {
    L.geoJSON(feature, { style: { color: '#fff', weight: 9, opacity: 0.9 }, interactive: false }).addTo(layer);
    return L.geoJSON(feature, { style: { color: colour, weight: 5, className: 'designer-route' } }).addTo(layer);
  }

  function showGeojson(fc) {
    routeLayer.clearLayers(); placeLayer.clearLayers();
    var places = $('places'); places.textContent = '';
    var line = null, stageIndex = 0;
    var staged = fc.features.some(function (f) { return f.properties.role === 'stage'; });
    fc.features.forEach(function (f) {
      var role = f.properties.role;
      if (role === 'route' && !line) {
        line = f;
        if (!staged) drawLine(line, '#2563eb', routeLayer);      // the stages draw it otherwise
      } else if (role === 'stage') {
        drawLine(f, stageColours[stageIndex++ % stageColours.length], routeLayer).bindTooltip(el('span', fill(msg.stage, { n: f.properties.stage })));
      } else if (role === 'place') {
        var p = f.properties;
        var c = L.circleMarker([p.lat, p.lon], { radius: 5, color: '#fff', weight: 2, fillColor: p.kind === 'terril' ? '#111827' : '#b45309', fillOpacity: 0.9 });
        c.bindTooltip(el('span', String(p.name || p.kind_label || p.kind)));
        c.addTo(placeLayer);
        places.appendChild(el('li', 'km ' + p.km.toFixed(1) + ' — ' + (p.name ? p.name + ' (' + (p.kind_label || p.kind) + ')' : (p.kind_label || p.kind))));
      }
    });
    if (line) showSummary(line.properties);
    if (line && !state.fitted) {            // frame the first planned route, then leave the view alone
      map.fitBounds(L.geoJSON(line).getBounds(), { padding: [30, 30], animate: false });
      state.fitted = true;
    }
    state.best = line;
    return line;
  }

  function clearResult() {
    routeLayer.clearLayers(); placeLayer.clearLayers(); candidateLayer.clearLayers();
    ['stats', 'warnings', 'surface', 'surface-legend', 'places', 'alternatives'].forEach(function (id) { $(id).textContent = ''; });
    state.candidates = []; state.best = null;
  }

  // -- candidates: alternatives of a route, other loops; choosing one pins it --------------
  function showCandidates(features, best, label) {
    candidateLayer.clearLayers();
    var list = $('alternatives'); list.textContent = '';
    state.candidates = features;
    var first = el('li', (label === 'loop' ? fill(msg.loop_rank, { n: 1 }) : msg.best) + ' — ' + km(best.properties.distance_m || best.properties.distance) + ' km', 'chosen');
    list.appendChild(first);
    if (!features.length) { list.appendChild(el('li', msg.no_alternatives, 'muted')); return; }
    features.forEach(function (f, i) {
      var p = f.properties, colour = altColours[i % altColours.length];
      var distance = p.distance_m !== undefined ? p.distance_m : p.distance;
      var duration = p.duration_s !== undefined ? p.duration_s : p.duration;
      var title = label === 'loop' ? fill(msg.loop_rank, { n: i + 2 }) : fill(msg.alternative, { n: i + 2 });
      L.geoJSON(f, { style: { color: '#fff', weight: 8, opacity: 0.8 }, interactive: false }).addTo(candidateLayer);
      var layer = L.geoJSON(f, { style: { color: colour, weight: 5, opacity: 0.8, dashArray: '10 7', className: 'designer-alternative' } }).addTo(candidateLayer);
      layer.bindTooltip(el('span', title));
      layer.on('click', function (e) { L.DomEvent.stopPropagation(e); choose(i, label); });
      var li = el('li'); var sw = el('span', '', 'swatch'); sw.style.background = colour; li.appendChild(sw);
      li.appendChild(el('strong', title));
      li.appendChild(el('span', ' ' + fill(msg.alt_detail, { km: km(distance), time: hours(duration),
        diff: Math.round(100 * (1 - (p.overlap || 0))) })));
      var b = el('button', msg.use); b.type = 'button'; b.className = 'use-alternative';
      b.setAttribute('aria-label', msg.use + ': ' + title);
      b.addEventListener('click', function () { choose(i, label); });
      b.addEventListener('focus', function () { layer.setStyle({ weight: 8, opacity: 1 }); });
      b.addEventListener('blur', function () { layer.setStyle({ weight: 5, opacity: 0.8 }); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  function coordsOf(f) { return f.geometry.type === 'LineString' ? f.geometry.coordinates : [].concat.apply([], f.geometry.coordinates); }

  function farthestFrom(line, other) {
    // the point of `line` farthest from `other` (equirectangular metres; `other` sampled)
    var step = Math.max(1, Math.floor(other.length / 400)), k = Math.cos(line[0][1] * Math.PI / 180), best = null, far = -1;
    line.forEach(function (c) {
      var near = Infinity;
      for (var j = 0; j < other.length; j += step) { var dx = (c[0] - other[j][0]) * k, dy = c[1] - other[j][1]; near = Math.min(near, dx * dx + dy * dy); }
      if (near > far) { far = near; best = c; }
    });
    return best;
  }

  function choose(i, label) {
    var f = state.candidates[i];
    if (!f) return;
    var line = coordsOf(f), pts;
    if (label === 'loop') {        // the loop pinned by three points along it
      var start = state.points[0];
      pts = [start].concat([0.25, 0.5, 0.75].map(function (t) { var c = line[Math.floor(t * (line.length - 1))]; return { lat: c[1], lon: c[0] }; }), [Object.assign({}, start)]);
    } else {
      var via = farthestFrom(line, coordsOf(state.best));
      pts = [state.points[0], { lat: via[1], lon: via[0] }, state.points[state.points.length - 1]];
    }
    document.querySelector('input[name=mode][value=route]').checked = true;
    showOptions();
    edit(pts, fill(msg.chosen, { n: i + 2 }));
  }

  // -- planning -------------------------------------------------------------------------
  function options() {
    var m = mode(), profile = $('profile').value, pts = state.points.map(param).join(';');
    if (m === 'tour') return { kind: 'tour', need: 3, request: { profile: profile, stops: pts, fixed_end: $('tour-fixed-end').checked ? '1' : '', closed: $('tour-closed').checked ? '1' : '' } };
    if (m === 'loop') {
      var favour = Array.prototype.map.call(document.querySelectorAll('input[name=favour]:checked'), function (c) { return c.value; }).join(',');
      return { kind: 'loop', need: 1, request: { profile: profile, start: state.points.length ? param(state.points[0]) : '', km: $('loop-km').value, favour: favour } };
    }
    if (m === 'stages') return { kind: 'stages', need: 2, request: { profile: profile, points: pts, days: $('stage-days').value, max_km: $('stage-max-km').value } };
    return { kind: 'route', need: 2, request: { profile: profile, points: pts } };
  }

  function plan() {
    var o = options(), seq = ++state.seq;
    if (state.points.length < o.need) {
      clearResult();
      status(o.need === 1 ? msg.need_one : o.need === 3 ? msg.need_three : msg.need_two);
      return;
    }
    var req = {}; Object.keys(o.request).forEach(function (k) { if (o.request[k] !== '') req[k] = o.request[k]; });
    state.kind = o.kind; state.request = req;
    status(msg.planning);
    root.dataset.planning = '1';
    getJSON('/api/v1/' + o.kind + '?' + query(Object.assign({ format: 'geojson' }, req)))
      .then(function (fc) {
        if (seq !== state.seq) return null;
        candidateLayer.clearLayers(); $('alternatives').textContent = '';
        if (o.kind === 'loop') {
          var ranked = fc.features.slice().sort(function (a, b) { return a.properties.rank - b.properties.rank; });
          var best = showGeojson({ type: 'FeatureCollection', features: ranked.slice(0, 1) });
          showCandidates(ranked.slice(1), best, 'loop');
          return null;
        }
        var line = showGeojson(fc);
        if (o.kind === 'tour' && line) reorder(line.properties.waypoints);
        if (o.kind === 'route' && state.points.length === 2 && line) {
          return getJSON('/api/v1/directions?' + query({ format: 'geojson', alternatives: 3, profile: req.profile, points: req.points }))
            .then(function (alt) {
              if (seq !== state.seq) return;
              showCandidates(alt.features.filter(function (f) { return f.properties.rank > 0; }), line, 'route');
            });
        }
        return null;
      })
      .then(function () { if (seq === state.seq) { status(state.note || ''); state.note = null; root.dataset.planned = String(seq); delete root.dataset.planning; } })
      .catch(function (e) { if (seq === state.seq) { status(e.message); delete root.dataset.planning; root.dataset.planned = String(seq); } });
  }

  function reorder(wps) {
    // a tour shows its stops in the order it found (the order is the tour's, not an edit)
    if (!wps || wps.length !== state.points.length) return;
    var pts = wps.map(function (w) { return { lat: w.query ? w.query[0] : w.lat, lon: w.query ? w.query[1] : w.lon, place_id: w.place_id || undefined, name: w.name || undefined }; });
    state.points = pts; state.history[state.at] = copy(pts);
    drawMarkers();
  }

  function changed(note) { state.note = note; drawMarkers(); clearTimeout(state.timer); state.timer = setTimeout(plan, 300); }
  function replan() { clearTimeout(state.timer); state.timer = setTimeout(plan, 300); }

  function showOptions() {
    var m = mode();
    ['tour', 'loop', 'stages'].forEach(function (k) { $('options-' + k).hidden = m !== k; });
  }

  map.on('click', function (e) { add({ lat: e.latlng.lat, lon: e.latlng.lng }); });
  $('add-centre').addEventListener('click', function () { var c = map.getCenter(); add({ lat: c.lat, lon: c.lng }); });
  $('undo').addEventListener('click', undo);
  $('redo').addEventListener('click', redo);
  $('plan').addEventListener('click', plan);
  $('clear').addEventListener('click', function () { edit([]); });
  $('profile').addEventListener('change', replan);
  Array.prototype.forEach.call(document.querySelectorAll('input[name=mode]'), function (r) { r.addEventListener('change', function () { showOptions(); replan(); }); });
  ['tour-fixed-end', 'tour-closed', 'loop-km', 'stage-days', 'stage-max-km'].forEach(function (id) { $(id).addEventListener('change', replan); });
  Array.prototype.forEach.call(document.querySelectorAll('input[name=favour]'), function (c) { c.addEventListener('change', replan); });
  document.addEventListener('keydown', function (e) {
    var tag = (e.target.tagName || '').toLowerCase();
    if (!(e.ctrlKey || e.metaKey) || tag === 'input' || tag === 'textarea' || tag === 'select') return;
    var k = e.key.toLowerCase();
    if (k === 'z' && !e.shiftKey) { e.preventDefault(); undo(); } else if (k === 'y' || (k === 'z' && e.shiftKey)) { e.preventDefault(); redo(); }
  });

  $('place-search').addEventListener('input', function () {
    var q = $('place-search').value.trim();
    var ul = $('place-results'); ul.textContent = '';
    if (q.length < 2) return;
    getJSON('/api/v1/places?' + query({ q: q, limit: 15 })).then(function (res) {
      ul.textContent = '';
      res.places.forEach(function (p) {
        var li = el('li'); var b = el('button', (p.name || p.id) + ' · ' + (p.kind_label || p.kind), 'link'); b.type = 'button';
        b.addEventListener('click', function () { add({ lat: p.lat, lon: p.lon, place_id: p.id, name: p.name }); ul.textContent = ''; $('place-search').value = ''; });
        li.appendChild(b); ul.appendChild(li);
      });
    }).catch(function (e) { status(e.message); });
  });

  var savedPanel = window.BassinDesignerSaved.attach({ root: root, state: state, msg: msg, $: $, el: el, status: status,
    getJSON: getJSON, showOptions: showOptions, showGeojson: showGeojson, edit: edit, opened: opened });

  var initial = new URLSearchParams(window.location.search).get('points');
  if (initial) {
    var pts = [];
    initial.split(';').forEach(function (s) { var ll = s.split(','); if (ll.length === 2 && isFinite(ll[0]) && isFinite(ll[1])) pts.push({ lat: Number(ll[0]), lon: Number(ll[1]) }); });
    if (pts.length) edit(pts);
  }
  drawMarkers();
  savedPanel.load();
  window.bassinDesigner = { state: state, map: map, plan: plan, undo: undo, redo: redo, network: network };
})();
