// Designer mode of the node networks: click junctions to build the sequence; the server
// plans along the network's links and returns the strip of numbers and the GPX.
(function () {
  'use strict';
  var root = document.getElementById('node-designer');
  if (!root) { return; }
  var network = root.dataset.network;
  var map = L.map('map').setView([50.45, 2.85], 10);
  L.tileLayer(root.dataset.tiles, { maxZoom: 19, attribution: root.dataset.attribution }).addTo(map);
  if (window.BassinNetwork) { window.BassinNetwork.addTo(map, { legend: true }); }   // the graph under the nodes
  var layer = L.layerGroup().addTo(map);
  var routeLayer = L.layerGroup().addTo(map);
  var sequence = [];           // junction tokens: 'osm:<id>'
  var labels = [];
  var seqEl = document.getElementById('node-sequence');
  var stripEl = document.getElementById('node-strip');
  var errorEl = document.getElementById('node-error');
  var gpxEl = document.getElementById('node-gpx');

  function url(fmt) {
    return '/api/v1/node-networks/' + encodeURIComponent(network) + '/route?' +
      new URLSearchParams({ nodes: sequence.join(';'), format: fmt, lang: root.dataset.lang }).toString();
  }

  var pending = null;           // the plan being fetched: a newer click aborts it

  function show() {
    seqEl.textContent = labels.join(' – ');        // textContent: names are never HTML here
    errorEl.textContent = '';
    stripEl.textContent = '';
    gpxEl.hidden = true;
    routeLayer.clearLayers();
    // answers can come back out of order: only the newest sequence's may be drawn
    if (pending) { pending.abort(); }
    if (sequence.length < 2) { pending = null; return; }
    var mine = pending = new AbortController();
    var jsonUrl = url('json'), geoUrl = url('geojson'), gpxUrl = url('gpx');
    fetch(jsonUrl, { signal: mine.signal }).then(function (r) { return r.json(); }).then(function (body) {
      if (mine !== pending) { return; }
      if (body.status && body.status >= 400) { errorEl.textContent = body.detail || body.title; return; }
      stripEl.textContent = body.strip;
      gpxEl.href = gpxUrl;
      gpxEl.hidden = false;
      return fetch(geoUrl, { signal: mine.signal }).then(function (r) { return r.json(); }).then(function (geo) {
        if (mine !== pending) { return; }
        L.geoJSON(geo.features[0], { style: { color: '#dc2626', weight: 6, opacity: 0.8 } }).addTo(routeLayer);
      });
    }).catch(function (e) { if (mine === pending && e.name !== 'AbortError') { errorEl.textContent = String(e); } });
  }

  function load() {
    layer.clearLayers();
    fetch('/api/v1/node-networks/' + encodeURIComponent(network)).then(function (r) { return r.json(); })
      .then(function (geo) {
        var g = L.geoJSON(geo, {
          style: { color: '#15803d', weight: 3 },
          pointToLayer: function (feature, latlng) {
            var disc = document.createElement('div');
            disc.className = 'node-label';
            disc.textContent = feature.properties.label;    // a text node: names never run
            var marker = L.marker(latlng, { icon: L.divIcon({ html: disc, className: 'node-icon',
                                                              iconSize: null }) });
            marker.on('click', function () {
              sequence.push('osm:' + feature.properties.osm_id);
              labels.push(feature.properties.label);
              show();
            });
            return marker;
          }
        }).addTo(layer);
        if (g.getLayers().length) { map.fitBounds(g.getBounds(), { padding: [20, 20], animate: false }); }
      });
  }

  document.getElementById('node-undo').addEventListener('click', function () {
    sequence.pop(); labels.pop(); show();
  });
  document.getElementById('node-clear').addEventListener('click', function () {
    sequence = []; labels = []; show();
  });
  document.getElementById('node-network').addEventListener('change', function (e) {
    network = e.target.value; sequence = []; labels = []; show(); load();
  });
  if (network) { load(); }
})();
