/* The itinerary page and its embed: the map drawn from the JSON block #itinerary-data,
   the elevation profile tied to it, the roadbook that pans the map, share and embed code.
   Names (places, ends, the itinerary) only ever become text nodes (textContent). */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('itinerary-data').textContent);

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function badge(text, cls) {
    return L.divIcon({ className: 'trek-icon', html: el('span', text, cls), iconSize: [24, 24], iconAnchor: [12, 12] });
  }

  var map = L.map('trek-map', { scrollWheelZoom: false, zoomSnap: 0.5 });
  L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
  map.fitBounds(data.bounds, { padding: [24, 24], animate: false });
  if (window.BassinNetwork) window.BassinNetwork.addTo(map, { legend: true });

  var route = L.featureGroup().addTo(map);
  data.lines.forEach(function (line) {
    L.polyline(line.coords, { color: '#fff', weight: 9, opacity: 0.9, interactive: false }).addTo(route);
    L.polyline(line.coords, { color: line.colour, weight: 5, opacity: 0.95 })
      .bindTooltip(el('span', line.label), { sticky: true }).addTo(route);
  });
  // Numbered places; when there are many, they show from zoom PLACES_ZOOM on (legible).
  var PLACES_ZOOM = 15, places = L.featureGroup();
  data.places.forEach(function (p) {
    var tip = el('span'); tip.appendChild(el('strong', p.n + '. ')); tip.appendChild(document.createTextNode(p.name || ''));
    L.marker([p.lat, p.lon], { icon: badge(p.n, 'trek-num kind-' + p.kind), keyboard: false })
      .bindTooltip(tip).addTo(places);
  });
  function togglePlaces() {
    var show = data.places.length <= 60 || map.getZoom() >= PLACES_ZOOM;
    if (show && !map.hasLayer(places)) places.addTo(map);
    if (!show && map.hasLayer(places)) map.removeLayer(places);
  }
  map.on('zoomend', togglePlaces);
  togglePlaces();
  var ends = data.ends;
  L.marker([ends.start.lat, ends.start.lon], { icon: badge(ends.loop ? '⟲' : 'A', 'trek-end start'), zIndexOffset: 1000, keyboard: false })
    .bindTooltip(el('span', (ends.loop ? data.words.startEnd : data.words.start) + ' — ' + ends.start.name)).addTo(map);
  if (!ends.loop) {
    L.marker([ends.end.lat, ends.end.lon], { icon: badge('B', 'trek-end end'), zIndexOffset: 1000, keyboard: false })
      .bindTooltip(el('span', data.words.end + ' — ' + ends.end.name)).addTo(map);
  }

  // The point followed on the map: moved by the profile, the route and the roadbook.
  var marker = L.circleMarker(ends.start, { radius: 8, color: '#fff', weight: 3, fillColor: '#111827',
                                            fillOpacity: 1, interactive: false, className: 'trek-cursor' });
  function showAt(latlng) { marker.setLatLng(latlng); if (!map.hasLayer(marker)) marker.addTo(map); }
  function hideMarker() { if (map.hasLayer(marker)) map.removeLayer(marker); }

  var profile = null, samples = data.profile, box = document.getElementById('profile');
  if (samples && box && window.BassinProfile) {
    profile = window.BassinProfile.create(box, samples, {
      lang: data.lang, readout: document.getElementById('profile-readout'),
      onMove: function (i) { showAt([samples.lat[i], samples.lon[i]]); },
      onLeave: hideMarker
    });
  }

  // Hovering the route shows its nearest vertex on the profile (and the marker).
  var r = data.route;
  function nearest(latlng) {
    var best = 0, bestD = Infinity, k = Math.cos(latlng.lat * Math.PI / 180);
    for (var i = 0; i < r.lat.length; i++) {
      var dy = r.lat[i] - latlng.lat, dx = (r.lon[i] - latlng.lng) * k, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  }
  route.on('mousemove', function (ev) {
    var i = nearest(ev.latlng);
    showAt([r.lat[i], r.lon[i]]);
    if (profile) profile.showKm(r.km[i]);
  });
  route.on('mouseout', function () { hideMarker(); if (profile) profile.hide(); });

  // A roadbook line pans the map to its point.
  Array.prototype.forEach.call(document.querySelectorAll('.rb-line'), function (button) {
    button.addEventListener('click', function () {
      var at = [Number(button.dataset.lat), Number(button.dataset.lon)];
      map.setView(at, Math.max(map.getZoom(), 16), { animate: false });
      showAt(at);
      if (profile) profile.showKm(Number(button.dataset.km));
      Array.prototype.forEach.call(document.querySelectorAll('.rb-line[aria-current]'), function (b) { b.removeAttribute('aria-current'); });
      button.setAttribute('aria-current', 'true');
      var pane = document.getElementById('trek-map');
      if (pane.getBoundingClientRect().bottom < 0 || pane.getBoundingClientRect().top > window.innerHeight) {
        pane.scrollIntoView({ block: 'center' });
      }
    });
  });

  // A stage's button fits the map to it.
  Array.prototype.forEach.call(document.querySelectorAll('.stage-zoom'), function (button) {
    button.addEventListener('click', function () {
      var b = button.dataset.bounds.split(',').map(Number);
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: [24, 24], animate: false });
      document.getElementById('trek-map').scrollIntoView({ block: 'center' });
    });
  });

  // Roadbook filters: which kinds of lines are shown (all without scripts).
  var filters = document.getElementById('roadbook-filters');
  if (filters) {
    filters.hidden = false;
    filters.addEventListener('change', function (ev) {
      var kind = ev.target.value, on = ev.target.checked;
      Array.prototype.forEach.call(document.querySelectorAll('.roadbook li.rb-' + kind), function (li) { li.hidden = !on; });
    });
  }

  // Share and embed: copy buttons, and the embed code made from the form's options.
  var form = document.getElementById('embed-form');
  function attr(text) {
    // as markupsafe.escape does on the server: the code is the same before and after scripts
    return String(text).replace(/&/g, '&amp;').replace(/"/g, '&#34;').replace(/'/g, '&#39;')
      .replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }
  function embedCode() {
    var height = Math.round(Number(form.elements.height.value));
    if (!(height >= 200 && height <= 2000)) height = 480;
    var url = new URL(form.dataset.base);
    url.searchParams.set('height', height);
    url.searchParams.set('lang', form.elements.lang.value);
    url.searchParams.set('profile', form.elements.profile.checked ? '1' : '0');
    document.getElementById('embed-code').value = '<iframe src="' + attr(url.href) + '" width="100%" height="' + height +
      '" style="border:0" loading="lazy" allowfullscreen title="' + attr(form.dataset.title) + '"></iframe>';
  }
  if (form) {
    form.addEventListener('input', embedCode);
    form.addEventListener('change', embedCode);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); });
    embedCode();
  }
  Array.prototype.forEach.call(document.querySelectorAll('button.copy'), function (button) {
    button.addEventListener('click', function () {
      var field = document.getElementById(button.dataset.copy), status = document.getElementById('copy-status');
      field.select();
      var done = function () { if (status) status.textContent = data.words.copied; };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(field.value).then(done, function () {});
      else if (document.execCommand && document.execCommand('copy')) done();
    });
  });

  window.bassinItinerary = { map: map, marker: marker, profile: profile, places: places };
  window.bassinTrekMap = map;           // the name add-ons (isochrone control) look the map up by
})();
