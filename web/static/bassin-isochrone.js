/* Optional isochrone layer of the itinerary maps: a small control that, armed, fetches
   /api/v1/isochrone for a click on the map (or for the itinerary's start) and draws the
   bands it answers. Its settings and words come from the JSON block
   #bassin-isochrone-data; every word becomes a text node (no innerHTML). The same
   request's closures and avoided areas hold on the server side. */
(function () {
  'use strict';
  var COLOURS = ['#1d4ed8', '#7c3aed', '#db2777', '#ea580c', '#ca8a04', '#16a34a'];

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function query(cfg, lat, lon, minutes) {
    var params = new URLSearchParams({ profile: cfg.profile, point: lat.toFixed(6) + ',' + lon.toFixed(6),
                                       minutes: minutes, lang: cfg.lang });
    return cfg.url + '?' + params.toString();
  }

  function setup(cfg) {
    var map = window[cfg.map];
    if (!map) return;
    var words = cfg.words;
    var bands = L.layerGroup().addTo(map);
    var armed = false;
    var pending = null;
    var box, toggle, select, status, fromStart, clear;

    function say(text, busy) {
      status.textContent = text;
      box.setAttribute('aria-busy', busy ? 'true' : 'false');
    }

    function draw(collection) {
      bands.clearLayers();
      var features = collection.features || [];
      features.forEach(function (feature, i) {
        var props = feature.properties || {};
        var colour = COLOURS[(features.length - 1 - i) % COLOURS.length];
        var layer = L.geoJSON(feature, { interactive: true, style: {
          color: colour, weight: 1.5, opacity: 0.9, fillColor: colour, fillOpacity: 0.18,
          className: 'bassin-isochrone-band' } });
        var line = words.band.replace('{minutes}', String(props.contour))
          .replace('{area}', String(props.area_km2));
        layer.bindTooltip(el('span', line), { sticky: true });
        bands.addLayer(layer);
      });
      say(words.drawn.replace('{count}', String(features.length)), false);
    }

    function fetchBands(lat, lon) {
      if (pending) pending.abort();
      pending = new AbortController();
      say(words.loading, true);
      fetch(query(cfg, lat, lon, select.value), { signal: pending.signal,
                                                  headers: { Accept: 'application/geo+json' } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          pending = null;
          if (!answer.ok) {
            say(words.failed + ' ' + (answer.body && answer.body.detail ? answer.body.detail : ''), false);
            return;
          }
          draw(answer.body);
        })
        .catch(function (error) {
          if (error && error.name === 'AbortError') return;
          pending = null;
          say(words.failed, false);
        });
    }

    function arm(on) {
      armed = on;
      toggle.setAttribute('aria-pressed', on ? 'true' : 'false');
      panel.hidden = !on;
      map.getContainer().style.cursor = on ? 'crosshair' : '';
      if (on) say(words.hint, false);
    }

    var control = L.control({ position: 'topleft' });
    var panel;
    control.onAdd = function () {
      box = L.DomUtil.create('div', 'bassin-isochrone leaflet-bar');
      toggle = el('button', words.title, 'bassin-isochrone-toggle');
      toggle.type = 'button';
      toggle.title = words.hint;
      toggle.setAttribute('aria-pressed', 'false');
      box.appendChild(toggle);
      panel = el('div', null, 'bassin-isochrone-panel');
      panel.hidden = true;
      var label = el('label', words.minutes);
      select = el('select');
      cfg.presets.forEach(function (preset) {
        var option = el('option', preset.join(' · ') + ' min');
        option.value = preset.join(',');
        select.appendChild(option);
      });
      label.appendChild(select);
      panel.appendChild(label);
      fromStart = el('button', words.from_start, 'bassin-isochrone-start');
      fromStart.type = 'button';
      clear = el('button', words.clear, 'bassin-isochrone-clear');
      clear.type = 'button';
      panel.appendChild(fromStart);
      panel.appendChild(clear);
      status = el('div', '', 'bassin-isochrone-status');
      status.setAttribute('role', 'status');
      status.setAttribute('aria-live', 'polite');
      panel.appendChild(status);
      box.appendChild(panel);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(toggle, 'click', function () { arm(!armed); });
      L.DomEvent.on(fromStart, 'click', function () { fetchBands(cfg.start[0], cfg.start[1]); });
      L.DomEvent.on(clear, 'click', function () { bands.clearLayers(); say(words.hint, false); });
      return box;
    };
    control.addTo(map);
    map.on('click', function (event) {
      if (armed) fetchBands(event.latlng.lat, event.latlng.lng);
    });
  }

  window.addEventListener('load', function () {
    var data = document.getElementById('bassin-isochrone-data');
    if (data) setup(JSON.parse(data.textContent));
  });
})();
