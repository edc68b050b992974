/* An interactive elevation profile in SVG, tied to a map by callbacks.

   BassinProfile.create(container, samples, options) draws samples {km: [], ele: []}
   (evenly spaced along the route) in `container` (an element with role="slider") and
   returns {show(i), showKm(km), hide()}. Hovering or touching the profile, or the arrow
   keys (Home/End, PageUp/PageDown) when it has the focus, call options.onMove(i);
   leaving it calls options.onLeave(). Only numbers are drawn: no text of the user's. */
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var PAD = { left: 58, right: 12, top: 10, bottom: 22 };

  function node(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (parent) parent.appendChild(e);
    return e;
  }
  function niceStep(span, count) {
    var raw = span / Math.max(1, count), power = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= raw) return steps[i] * power;
    return 10 * power;
  }

  function create(container, samples, options) {
    var n = samples.km.length, kmMax = samples.km[n - 1] || 1;
    var lo = Math.min.apply(null, samples.ele), hi = Math.max.apply(null, samples.ele);
    if (hi - lo < 20) { var mid = (hi + lo) / 2; lo = mid - 10; hi = mid + 10; }
    var number = new Intl.NumberFormat(options.lang || 'fr', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
    var whole = new Intl.NumberFormat(options.lang || 'fr', { maximumFractionDigits: 0 });
    var current = null, svg, cursor, dot, width, height;

    function x(km) { return PAD.left + (km / kmMax) * (width - PAD.left - PAD.right); }
    function y(ele) { return PAD.top + (1 - (ele - lo) / (hi - lo)) * (height - PAD.top - PAD.bottom); }
    function text(i) { return 'km ' + number.format(samples.km[i]) + ' · ' + whole.format(samples.ele[i]) + ' m'; }

    function draw() {
      width = Math.max(240, container.clientWidth || 600);
      height = Math.max(60, container.clientHeight || 150);
      while (container.firstChild) container.removeChild(container.firstChild);
      svg = node('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height,
                          'aria-hidden': 'true', focusable: 'false' }, container);
      var pts = samples.km.map(function (km, i) { return x(km).toFixed(1) + ',' + y(samples.ele[i]).toFixed(1); });
      var base = height - PAD.bottom;
      var grid = node('g', { class: 'profile-grid' }, svg);
      var es = niceStep(hi - lo, 3);
      for (var e = Math.ceil(lo / es) * es; e <= hi; e += es) {
        node('line', { x1: PAD.left, x2: width - PAD.right, y1: y(e), y2: y(e) }, grid);
        node('text', { x: PAD.left - 4, y: y(e) + 4, 'text-anchor': 'end' }, grid).textContent = whole.format(e) + ' m';
      }
      var ks = niceStep(kmMax, Math.max(2, Math.floor(width / 90)));
      for (var k = 0; k <= kmMax + 1e-9; k += ks) {
        node('text', { x: x(k), y: height - 6, 'text-anchor': 'middle' }, grid).textContent = whole.format(k) + ' km';
      }
      node('polygon', { points: PAD.left + ',' + base + ' ' + pts.join(' ') + ' ' + x(kmMax) + ',' + base,
                        class: 'profile-area' }, svg);
      node('polyline', { points: pts.join(' '), class: 'profile-line' }, svg);
      cursor = node('line', { y1: PAD.top, y2: base, class: 'profile-cursor', visibility: 'hidden' }, svg);
      dot = node('circle', { r: 5, class: 'profile-dot', visibility: 'hidden' }, svg);
      svg.addEventListener('pointermove', pointer);
      svg.addEventListener('pointerdown', pointer);
      svg.addEventListener('pointerleave', function () { hide(); if (options.onLeave) options.onLeave(); });
      if (current !== null) show(current);
    }

    function show(i) {
      i = Math.max(0, Math.min(n - 1, Math.round(i)));
      current = i;
      var cx = x(samples.km[i]), cy = y(samples.ele[i]);
      cursor.setAttribute('x1', cx); cursor.setAttribute('x2', cx); cursor.setAttribute('visibility', 'visible');
      dot.setAttribute('cx', cx); dot.setAttribute('cy', cy); dot.setAttribute('visibility', 'visible');
      container.setAttribute('aria-valuenow', samples.km[i].toFixed(1));
      container.setAttribute('aria-valuetext', text(i));
      if (options.readout) options.readout.textContent = text(i);
      return i;
    }
    function hide() {
      if (!cursor) return;
      cursor.setAttribute('visibility', 'hidden'); dot.setAttribute('visibility', 'hidden');
    }
    function move(i) { i = show(i); if (options.onMove) options.onMove(i); }
    function pointer(ev) {
      var box = svg.getBoundingClientRect();
      var frac = ((ev.clientX - box.left) * (width / box.width) - PAD.left) / (width - PAD.left - PAD.right);
      move(Math.max(0, Math.min(1, frac)) * (n - 1));
    }
    container.addEventListener('keydown', function (ev) {
      var step = Math.max(1, Math.round(n / 100)), at = current === null ? 0 : current;
      var keys = { ArrowRight: step, ArrowUp: step, ArrowLeft: -step, ArrowDown: -step,
                   PageUp: 10 * step, PageDown: -10 * step };
      if (ev.key in keys) move(at + keys[ev.key]);
      else if (ev.key === 'Home') move(0);
      else if (ev.key === 'End') move(n - 1);
      else return;
      ev.preventDefault();
    });
    container.addEventListener('focus', function () { move(current === null ? 0 : current); });
    var timer = null;
    window.addEventListener('resize', function () { clearTimeout(timer); timer = setTimeout(draw, 150); });
    draw();
    return {
      show: show, hide: hide,
      showKm: function (km) { return show((km / kmMax) * (n - 1)); }
    };
  }

  window.BassinProfile = { create: create };
})();
