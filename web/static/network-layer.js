/* The routing network drawn from the graph itself: a Leaflet layer that keeps a map
   legible when its tiles do not load (offline, blocked, an outage).

   Use (Leaflet loaded first; the page gives the words in a JSON block):

     <script type="application/json" id="bassin-network-words">{…}</script>   (templates:
         {% include "network_layer.html" %} writes it and this script, with the CSP nonce)
     var net = BassinNetwork.addTo(map, {legend: true});

   Options: url ('/api/v1/network'), legend (true: a legend with a show/hide checkbox;
   legendOpen: its rows shown, default on maps at least 700 px tall),
   visible (true), words (default: the #bassin-network-words block), debounceMs (250),
   position ('bottomleft'), minZoom (10: below it nothing is drawn and the legend says so).
   Returns {layer, setVisible(bool), visible(), refresh(), lines(), remove()}.

   The view is fetched on moveend (debounced), snapped to the 256 px tile grid and padded
   by half a screen, so small pans reuse what is drawn and repeated views come from the
   browser's cache (the server answers 304 to a known ETag). Ways are coloured by class;
   signed cycle and walking routes get a wide casing under their line. The map container
   carries data-network-state (loading, ready, zoom, error, hidden) and data-network-lines.
   Names (ways, route refs) only ever become text nodes: no innerHTML anywhere. */
(function () {
  'use strict';
  var STYLE = {
    trunk: { color: '#9a3412', weight: 3.2 }, primary: { color: '#c2410c', weight: 3 },
    secondary: { color: '#d97706', weight: 2.6 }, tertiary: { color: '#a16207', weight: 2.2 },
    residential: { color: '#6b7280', weight: 1.6 }, service: { color: '#9ca3af', weight: 1.1 },
    pedestrian: { color: '#78716c', weight: 1.6 }, footway: { color: '#be123c', weight: 1.2, dashArray: '1 3' },
    cycleway: { color: '#0f766e', weight: 2.2 }, path: { color: '#7c2d12', weight: 1.6, dashArray: '5 3' },
    track: { color: '#854d0e', weight: 1.8, dashArray: '8 3 2 3' }, steps: { color: '#b91c1c', weight: 2.4, dashArray: '2 2' }
  };
  var CASING = { cycle: '#7c3aed', walk: '#e11d48' };
  var LEVEL_WIDTH = { icn: 9, ncn: 8, rcn: 7, lcn: 6, iwn: 9, nwn: 8, rwn: 7, lwn: 6 };
  //: legend rows: a class sample or a casing, and the word's key
  var LEGEND = [['primary', 'main_road'], ['tertiary', 'minor_road'], ['residential', 'street'],
    ['cycleway', 'cycleway'], ['path', 'path'], ['track', 'track'], ['footway', 'footway'],
    ['steps', 'steps'], ['cycle', 'cycle_route'], ['walk', 'walk_route']];
  var SVG = 'http://www.w3.org/2000/svg';

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function readWords() {
    var block = document.getElementById('bassin-network-words');
    return block ? JSON.parse(block.textContent) : {};
  }

  function zoomScale(zoom) { return zoom <= 11 ? 0.7 : zoom <= 13 ? 0.85 : zoom >= 16 ? 1.5 : 1; }

  function lineStyle(props, zoom) {
    var s = STYLE[props['class']] || STYLE.service;
    return { color: s.color, weight: s.weight * zoomScale(zoom), opacity: 0.9,
      dashArray: zoom >= 13 ? s.dashArray : undefined, lineCap: 'round', lineJoin: 'round',
      className: 'bassin-net bassin-net-' + props['class'] };
  }

  function casingStyle(props, zoom) {
    var level = props.cycle || props.walk;
    return { color: props.cycle ? CASING.cycle : CASING.walk, weight: LEVEL_WIDTH[level] * zoomScale(zoom),
      opacity: level === 'icn' || level === 'iwn' ? 0.5 : 0.35, lineCap: 'round', lineJoin: 'round',
      className: 'bassin-net-casing bassin-net-' + (props.cycle ? 'cycle' : 'walk') };
  }

  function tooltip(props, words) {
    var box = el('span');
    var name = props.name || '';
    box.appendChild(el('strong', name || (words.classes || {})[props['class']] || props['class']));
    if (props.refs && props.refs.length) box.appendChild(el('span', ' · ' + props.refs.join(', ')));
    return box;
  }

  function sample(kind) {
    // a short line drawn like the map draws it (SVG made with DOM calls, no markup parsing)
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('width', '26'); svg.setAttribute('height', '10'); svg.setAttribute('aria-hidden', 'true');
    var casing = CASING[kind];
    var s = casing ? { color: casing, weight: 6, opacity: 0.45 } : STYLE[kind];
    var line = document.createElementNS(SVG, 'line');
    line.setAttribute('x1', '2'); line.setAttribute('y1', '5'); line.setAttribute('x2', '24'); line.setAttribute('y2', '5');
    line.setAttribute('stroke', s.color); line.setAttribute('stroke-width', String(s.weight));
    line.setAttribute('stroke-opacity', String(s.opacity || 1));
    if (s.dashArray) line.setAttribute('stroke-dasharray', s.dashArray);
    svg.appendChild(line);
    return svg;
  }

  function escapeText(text) {
    // Leaflet writes attributions as HTML: our own words, escaped all the same
    return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  function legendControl(map, net, words, position, options) {
    var control = L.control({ position: position });
    control.onAdd = function () {
      var box = L.DomUtil.create('div', 'bassin-net-legend');
      box.setAttribute('role', 'group');
      box.setAttribute('aria-label', words.title || 'Network');
      var label = el('label', undefined, 'bassin-net-toggle');
      var box_ = el('input'); box_.type = 'checkbox'; box_.checked = net.visible(); box_.id = 'bassin-net-toggle-' + L.stamp(control);
      box_.addEventListener('change', function () { net.setVisible(box_.checked); });
      label.appendChild(box_); label.appendChild(el('span', words.toggle || words.title || 'Network'));
      box.appendChild(label);
      var details = el('details');
      details.open = options.legendOpen !== undefined ? !!options.legendOpen : map.getSize().y >= 700 && !L.Browser.mobile;
      details.appendChild(el('summary', words.legend || 'Legend'));
      var list = el('ul');
      LEGEND.forEach(function (row) {
        var li = el('li'); li.appendChild(sample(row[0])); li.appendChild(el('span', (words.rows || {})[row[1]] || row[1]));
        list.appendChild(li);
      });
      details.appendChild(list);
      box.appendChild(details);
      var note = el('p', '', 'bassin-net-note'); note.setAttribute('role', 'status');
      box.appendChild(note);
      net.note = note;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control;
  }

  var CSS = '.bassin-net-legend{background:rgba(255,255,255,.94);padding:6px 8px;border-radius:6px;' +
    'box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.4 system-ui,sans-serif;color:#1f2937;max-width:220px}' +
    '.bassin-net-legend ul{list-style:none;margin:4px 0 0;padding:0}.bassin-net-legend li{display:flex;' +
    'align-items:center;gap:6px}.bassin-net-legend summary{cursor:pointer}.bassin-net-toggle{display:flex;' +
    'gap:6px;align-items:center;font-weight:600}.bassin-net-note{margin:2px 0 0;color:#374151}' +
    '.bassin-net-note:empty{display:none}.bassin-net-legend :focus-visible{outline:2px solid #1d4ed8}' +
    '.bassin-net-legend input{width:auto;margin:0}.bassin-net-legend label{margin:0}';

  function addStyle() {
    if (document.getElementById('bassin-net-style')) return;
    var style = document.createElement('style');
    style.id = 'bassin-net-style';
    style.textContent = CSS;
    document.head.appendChild(style);
  }

  function addTo(map, options) {
    options = options || {};
    addStyle();
    var words = options.words || readWords();
    var url = options.url || '/api/v1/network';
    var minZoom = options.minZoom || 10;
    if (!map.getPane('bassinNetwork')) {
      map.createPane('bassinNetwork');
      map.getPane('bassinNetwork').style.zIndex = 350;        // over the tiles, under the routes
    }
    var renderer = L.svg({ pane: 'bassinNetwork', padding: 0.5 });
    var casings = L.layerGroup(), lines = L.layerGroup();
    var layer = L.layerGroup([casings, lines]);
    var container = map.getContainer();
    container.style.background = '#f3f1ea';      // what shows where no tile loads: paper, not grey
    var state = { visible: options.visible !== false, key: null, timer: null, abort: null, lines: 0 };
    var net = { layer: layer, note: null };

    function setState(name, text) {
      container.dataset.networkState = name;
      if (net.note) net.note.textContent = text || '';
    }

    function draw(fc) {
      var zoom = map.getZoom();
      casings.clearLayers(); lines.clearLayers();
      var signed = fc.features.filter(function (f) { return f.properties.cycle || f.properties.walk; });
      L.geoJSON({ type: 'FeatureCollection', features: signed }, { renderer: renderer, interactive: false,
        style: function (f) { return casingStyle(f.properties, zoom); } }).addTo(casings);
      L.geoJSON(fc, { renderer: renderer, style: function (f) { return lineStyle(f.properties, zoom); },
        onEachFeature: function (f, l) { l.bindTooltip(tooltip(f.properties, words), { sticky: true }); } }).addTo(lines);
      state.lines = fc.lines || 0;
      container.dataset.networkLines = String(state.lines);
      setState('ready');
    }

    function view() {
      // the view padded by a quarter screen each side (less on a huge screen), snapped to
      // the tile grid of the zoom
      var zoom = Math.round(map.getZoom());
      var size = map.getSize(), n = Math.pow(2, zoom);
      var centre = map.project(map.getCenter(), zoom);
      var x0, y0, x1, y1;
      [0.75, 0.5].some(function (f) {
        var half = L.point(size.x * f, size.y * f);
        var nw = centre.subtract(half).divideBy(256).floor(), se = centre.add(half).divideBy(256).floor();
        x0 = Math.max(nw.x, 0); y0 = Math.max(nw.y, 0); x1 = Math.min(se.x, n - 1); y1 = Math.min(se.y, n - 1);
        return (x1 - x0 + 1) * (y1 - y0 + 1) <= (options.maxTiles || 150);
      });
      var topLeft = map.unproject(L.point(x0 * 256, y0 * 256), zoom);
      var bottomRight = map.unproject(L.point((x1 + 1) * 256 - 1, (y1 + 1) * 256 - 1), zoom);
      var bbox = [bottomRight.lat, topLeft.lng, topLeft.lat, bottomRight.lng].map(function (v) { return v.toFixed(6); }).join(',');
      return { zoom: zoom, key: zoom + '/' + x0 + '/' + y0 + '/' + x1 + '/' + y1, bbox: bbox };
    }

    function load() {
      if (!state.visible) return;
      if (map.getZoom() < minZoom) {
        casings.clearLayers(); lines.clearLayers(); state.key = null; state.lines = 0;
        container.dataset.networkLines = '0';
        setState('zoom', words.zoom_in || '');
        return;
      }
      var v = view();
      if (v.key === state.key) return;
      if (state.abort) state.abort.abort();
      var controller = window.AbortController ? new AbortController() : null;
      state.abort = controller;
      setState('loading', words.loading || '');
      fetch(url + '?bbox=' + encodeURIComponent(v.bbox) + '&zoom=' + v.zoom,
        { headers: { Accept: 'application/geo+json' }, credentials: 'same-origin', signal: controller ? controller.signal : undefined })
        .then(function (r) {
          if (!r.ok) {
            return r.json().then(function (p) { throw new Error(r.status === 413 ? (words.too_large || p.detail) : (p.detail || p.title)); },
              function () { throw new Error(String(r.status)); });
          }
          return r.json();
        })
        .then(function (fc) {
          if (state.abort !== controller) return;            // a newer view is on its way
          state.key = v.key; draw(fc);
        })
        .catch(function (e) {
          if (e && e.name === 'AbortError') return;
          setState('error', (words.error || '') + ' ' + e.message);
        });
    }

    function schedule() { clearTimeout(state.timer); state.timer = setTimeout(load, options.debounceMs || 250); }

    net.setVisible = function (on) {
      state.visible = !!on;
      if (on) { layer.addTo(map); state.key = null; load(); } else { map.removeLayer(layer); setState('hidden'); }
    };
    net.visible = function () { return state.visible; };
    net.refresh = function () { state.key = null; load(); };
    net.lines = function () { return state.lines; };
    net.remove = function () {
      map.off('moveend', schedule); map.removeLayer(layer);
      if (net.legend) map.removeControl(net.legend);
    };
    if (options.legend !== false) { net.legend = legendControl(map, net, words, options.position || 'bottomleft', options); net.legend.addTo(map); }
    if (words.attribution && map.attributionControl) map.attributionControl.addAttribution(escapeText(words.attribution));
    map.on('moveend', schedule);
    if (state.visible) layer.addTo(map);
    map.whenReady(function () { if (state.visible) load(); else setState('hidden'); });
    return net;
  }

  window.BassinNetwork = { addTo: addTo, styles: STYLE };
})();
