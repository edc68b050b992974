/* The designer's Save panel and its list of saved itineraries: save (POST, then PUT with the
   ETag it got), publish/unpublish, new, the search of the saved list, and opening a saved
   itinerary.

   BassinDesignerSaved.attach(designer) wires the panel once designer.js has set up the page
   and returns {load()}, which fills the saved list. `designer` is what the panel shares with
   the planner: {root, state, msg, $, el, status, getJSON, showOptions, showGeojson, edit,
   opened(points, kind, request)}. User-supplied text only ever goes through
   textContent/value, never innerHTML. */
(function () {
  'use strict';

  function attach(d) {
    var state = d.state, msg = d.msg, $ = d.$, el = d.el, status = d.status;
    var csrf = d.root.dataset.csrf;

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

    $('new').addEventListener('click', function () { showSaved(null); $('name').value = ''; $('description').value = ''; d.edit([]); });

    function openSaved(id) {
      // shows what was saved (its own geometry), not a new plan; the next edit plans again
      api('GET', '/api/v1/itineraries/' + id).then(function (res) {
        showSaved(res); $('name').value = res.data.name; $('description').value = res.data.description || '';
        $('profile').value = res.data.profile;
        var m = document.querySelector('input[name=mode][value=' + res.data.kind + ']');
        if (m) { m.checked = true; d.showOptions(); }
        var pts = res.data.itinerary.waypoints.map(function (w) { return { lat: w.lat, lon: w.lon, place_id: w.place_id || undefined, name: w.name || undefined }; });
        d.opened(pts, res.data.kind, res.data.request);
        return d.getJSON(res.data.links.geojson).then(d.showGeojson);
      }).catch(function (e) { status(e.message); });
    }

    function loadSaved() {
      api('GET', '/api/v1/itineraries?q=' + encodeURIComponent($('saved-search').value)).then(function (res) {
        var ul = $('saved'); ul.textContent = '';
        res.data.itineraries.forEach(function (it) {
          var li = el('li'); var b = el('button', it.name + ' — ' + (it.published ? msg.published : msg.draft), 'link');
          b.type = 'button'; b.addEventListener('click', function () { openSaved(it.id); });
          li.appendChild(b); ul.appendChild(li);
        });
      }).catch(function (e) { status(e.message); });
    }
    $('saved-search').addEventListener('input', function () { clearTimeout(state.savedTimer); state.savedTimer = setTimeout(loadSaved, 250); });

    return { load: loadSaved };
  }

  window.BassinDesignerSaved = { attach: attach };
})();
