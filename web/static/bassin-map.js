/* Puts the words of a Folium map on its layers. The words (names of places, stages,
   waypoints, the itinerary) come from the JSON block #bassin-map-data and only ever
   become text nodes: no innerHTML, no template literal, nothing a name can run in. */
(function () {
  'use strict';
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function popup(lines) {
    var box = el('div');
    lines.forEach(function (line, i) { box.appendChild(el(i === 0 ? 'strong' : 'div', line)); });
    return box;
  }
  function svg(markup) {
    // our own elevation profile (numbers only), parsed as an SVG document, never as HTML
    var doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
    return document.importNode(doc.documentElement, true);
  }
  function control(map, spec) {
    var c = L.control({ position: spec.position });
    c.onAdd = function () {
      var box = L.DomUtil.create('div', spec.cls);
      if (spec.svg) box.appendChild(svg(spec.svg));
      spec.rows.forEach(function (row, i) {
        if (i) box.appendChild(el('br'));
        if (row.swatch) { var s = el('span', '', 'bassin-swatch'); s.style.background = row.swatch; box.appendChild(s); }
        box.appendChild(el(row.strong ? 'strong' : 'span', row.text));
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    c.addTo(map);
  }
  window.addEventListener('load', function () {
    var data = JSON.parse(document.getElementById('bassin-map-data').textContent);
    var map = window[data.map];
    data.layers.forEach(function (b) {
      var layer = window[b.layer];
      if (!layer) return;
      if (b.tooltip !== null) layer.bindTooltip(el('span', b.tooltip));
      if (b.popup) layer.bindPopup(popup(b.popup), { maxWidth: 260 });
    });
    data.controls.forEach(function (spec) { control(map, spec); });
    if (data.network && window.BassinNetwork) {      // the graph drawn under the route
      window.BassinNetwork.addTo(map, { url: data.network.url, words: data.network.words, legend: true });
    }
    if (data.bounds) map.fitBounds(data.bounds, { padding: [20, 20], animate: false });
  });
})();
