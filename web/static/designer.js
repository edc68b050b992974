/* Staff itinerary designer: waypoints on a Leaflet map, planned live by the JSON API.
   User-supplied text only ever goes through textContent/value, never innerHTML. */
(function () {
  'use strict';
  var root = document.getElementById('designer');
  var msg = JSON.parse(root.dataset.messages);
  var csrf = root.dataset.csrf;
  var center = JSON.parse(root.dataset.center);
  var map = L.map('map').setView([center[0], center[1]], center[2]);
  L.tileLayer(root.dataset.tiles, { maxZoom: 19, attribution: root.dataset.attribution }).addTo(map);
  var routeLayer = L.layerGroup().addTo(map);
  var placeLayer = L.layerGroup().addTo(map);
  var markers = L.layerGroup().addTo(map);
  var state = { points: [], saved: null, kind: 'route', request: null, timer: null, fitted: false };
  var colours = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2'];
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
  function status(text) { $('status').textContent = text || ''; }
  function param(p) { return p.place_id ? p.place_id : p.lat.toFixed(6) + ',' + p.lon.toFixed(6); }
  function query(params) { return Object.keys(params).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); }).join('&'); }

  function api(method, url, body, etag) {
    var headers = { 'Accept': 'application/json', 'X-CSRF-Token': csrf };
    if (body) headers['Content-Type'] = 'application/json';
    if (etag) headers['If-Match'] = etag;
    return fetch(url, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin' })
      .then(function (r) {
        var tag = r.headers.get('ETag');
        return r.json().then(function (data) {
          if (!r.ok) throw new Error(data.detail || data.title || r.statusText);
          return { data: data, etag: tag };
        });
      });
  }

  function drawMarkers() {
    markers.clearLayers();
    var list = $('waypoints'); list.textContent = '';
    state.points.forEach(function (p, i) {
      var m = L.marker([p.lat, p.lon], { draggable: true, title: p.name || String(i + 1) }).addTo(markers);
      m.on('dragend', function () { var ll = m.getLatLng(); state.points[i] = { lat: ll.lat, lon: ll.lng }; changed(); });
      m.on('click', function () { state.points.splice(i, 1); changed(); });
      var li = el('li', (p.name || (p.lat.toFixed(5) + ', ' + p.lon.toFixed(5))));
      li.title = 'x'; li.addEventListener('click', function () { state.points.splice(i, 1); changed(); });
      list.appendChild(li);
    });
  }

  function showSummary(props) {
    var stats = $('stats'); stats.textContent = '';
    var h = Math.floor(props.duration_s / 3600), mn = Math.round((props.duration_s % 3600) / 60);
    [[msg.distance, (props.distance_m / 1000).toFixed(1) + ' km'], [msg.duration, h + ' h ' + String(mn).padStart(2, '0')],
     [msg.ascent, props.ascent_m === null ? '—' : Math.round(props.ascent_m) + ' m']].forEach(function (kv) {
      var d = el('div'); d.appendChild(el('dt', kv[0])); d.appendChild(el('dd', kv[1])); stats.appendChild(d);
    });
    var surface = $('surface'); surface.textContent = '';
    surface.appendChild(el('strong', msg.surface));
    var bar = el('div', undefined, 'bar'); var i = 0;
    Object.keys(props.surface || {}).forEach(function (k) {
      var s = el('span'); s.style.width = props.surface[k].pct + '%'; s.style.background = colours[i++ % colours.length];
      s.title = k + ' ' + props.surface[k].pct + ' %'; bar.appendChild(s);
    });
    surface.appendChild(bar);
  }

  function showGeojson(fc) {
    routeLayer.clearLayers(); placeLayer.clearLayers();
    var places = $('places'); places.textContent = '';
    var line = null, stageIndex = 0;
    fc.features.forEach(function (f) {
      var role = f.properties.role;
      if (role === 'route' || role === 'stage') {
        var colour = role === 'stage' ? colours[stageIndex++ % colours.length] : '#2563eb';
        L.geoJSON(f, { style: { color: '#fff', weight: 9, opacity: 0.9 } }).addTo(routeLayer);
        L.geoJSON(f, { style: { color: colour, weight: 5 } }).addTo(routeLayer);
        if (role === 'route') line = f;
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
    return line;
  }

  function plan() {
    if (state.points.length < 2) { routeLayer.clearLayers(); return; }
    state.kind = 'route';
    state.request = { profile: $('profile').value, points: state.points.map(param).join(';') };
    status('…');
    fetch('/api/v1/route?' + query(Object.assign({ format: 'geojson' }, state.request)))
      .then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error(d.detail); return d; }); })
      .then(function (fc) { showGeojson(fc); status(''); })
      .catch(function (e) { status(e.message); });
  }

  function changed() { drawMarkers(); clearTimeout(state.timer); state.timer = setTimeout(plan, 250); }

  function fromWaypoints(wps) {
    state.points = wps.map(function (w) { return { lat: w.lat, lon: w.lon, place_id: w.place_id, name: w.name }; });
    drawMarkers();
  }

  map.on('click', function (e) { state.points.push({ lat: e.latlng.lat, lon: e.latlng.lng }); changed(); });
  $('profile').addEventListener('change', plan);
  $('clear').addEventListener('click', function () { state.points = []; routeLayer.clearLayers(); changed(); });

  $('optimise').addEventListener('click', function () {
    if (state.points.length < 3) return;
    state.kind = 'tour';
    state.request = { profile: $('profile').value, stops: state.points.map(param).join(';') };
    status('…');
    fetch('/api/v1/tour?' + query(Object.assign({ format: 'geojson' }, state.request)))
      .then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error(d.detail); return d; }); })
      .then(function (fc) { var line = showGeojson(fc); fromWaypoints(line.properties.waypoints); status(''); })
      .catch(function (e) { status(e.message); });
  });

  $('loop').addEventListener('click', function () {
    if (state.points.length < 1) return;
    state.kind = 'loop';
    state.request = { profile: $('profile').value, start: param(state.points[0]), km: $('loop-km').value };
    status('…');
    fetch('/api/v1/loop?' + query(Object.assign({ format: 'geojson' }, state.request)))
      .then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error(d.detail); return d; }); })
      .then(function (fc) { fc.features = fc.features.slice(0, 1); var line = showGeojson(fc); fromWaypoints(line.properties.waypoints); status(''); })
      .catch(function (e) { status(e.message); });
  });

  $('stages').addEventListener('click', function () {
    if (state.points.length < 2) return;
    state.kind = 'stages';
    state.request = { profile: $('profile').value, points: state.points.map(param).join(';'), days: $('stage-days').value };
    status('…');
    fetch('/api/v1/stages?' + query(Object.assign({ format: 'geojson' }, state.request)))
      .then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error(d.detail); return d; }); })
      .then(function (fc) { showGeojson(fc); status(''); })
      .catch(function (e) { status(e.message); });
  });

  function showSaved(saved) {
    state.saved = saved;
    var origin = window.location.origin;
    $('embed').value = saved ? '<iframe src="' + origin + saved.data.links.embed + '" width="100%" height="480" style="border:0" loading="lazy" title="' + saved.data.name.replace(/["<>&]/g, '') + '"></iframe>' : '';
    $('publish').textContent = saved && saved.data.published ? msg.unpublish : msg.publish;
  }

  $('save').addEventListener('click', function () {
    if (!state.request) return;
    var body = { name: $('name').value, description: $('description').value, kind: state.kind, request: state.request };
    var call = state.saved ? api('PUT', state.saved.data.links.self, body, state.saved.etag) : api('POST', '/api/v1/itineraries', body);
    call.then(function (res) { showSaved(res); status('✔ ' + res.data.name + ' (v' + res.data.version + ')'); loadSaved(); })
      .catch(function (e) { status(e.message); });
  });

  $('publish').addEventListener('click', function () {
    if (!state.saved) return;
    var url = state.saved.data.links.self + (state.saved.data.published ? '/unpublish' : '/publish');
    api('POST', url, null, state.saved.etag).then(function (res) {
      return api('GET', state.saved.data.links.self).then(showSaved).then(function () { status('✔ ' + (res.data.published ? msg.published : msg.draft)); loadSaved(); });
    }).catch(function (e) { status(e.message); });
  });

  $('new').addEventListener('click', function () { showSaved(null); $('name').value = ''; $('description').value = ''; state.points = []; routeLayer.clearLayers(); changed(); });

  function openSaved(id) {
    api('GET', '/api/v1/itineraries/' + id).then(function (res) {
      showSaved(res); $('name').value = res.data.name; $('description').value = res.data.description || '';
      var req = res.data.request; $('profile').value = res.data.profile;
      fromWaypoints(res.data.itinerary.waypoints);
      state.kind = res.data.kind; state.request = req;
      return fetch(res.data.links.geojson).then(function (r) { return r.json(); }).then(showGeojson);
    }).catch(function (e) { status(e.message); });
  }

  function loadSaved() {
    api('GET', '/api/v1/itineraries?q=' + encodeURIComponent($('saved-search').value)).then(function (res) {
      var ul = $('saved'); ul.textContent = '';
      res.data.itineraries.forEach(function (it) {
        var li = el('li', it.name + ' — ' + (it.published ? msg.published : msg.draft));
        li.style.cursor = 'pointer'; li.addEventListener('click', function () { openSaved(it.id); });
        ul.appendChild(li);
      });
    }).catch(function (e) { status(e.message); });
  }
  $('saved-search').addEventListener('input', function () { clearTimeout(state.savedTimer); state.savedTimer = setTimeout(loadSaved, 250); });

  $('place-search').addEventListener('input', function () {
    var q = $('place-search').value.trim();
    var ul = $('place-results'); ul.textContent = '';
    if (q.length < 2) return;
    fetch('/api/v1/places?' + query({ q: q, limit: 15 })).then(function (r) { return r.json(); }).then(function (res) {
      ul.textContent = '';
      res.places.forEach(function (p) {
        var li = el('li', (p.name || p.id) + ' · ' + (p.kind_label || p.kind));
        li.addEventListener('click', function () { state.points.push({ lat: p.lat, lon: p.lon, place_id: p.id, name: p.name }); ul.textContent = ''; changed(); });
        ul.appendChild(li);
      });
    });
  });

  var initial = new URLSearchParams(window.location.search).get('points');
  if (initial) {
    initial.split(';').forEach(function (s) { var ll = s.split(','); if (ll.length === 2) state.points.push({ lat: Number(ll[0]), lon: Number(ll[1]) }); });
    changed();
  }
  loadSaved();
  window.bassinDesigner = { state: state, map: map, plan: plan };
})();
