// The search results' map: an enhancement over the list of results, which
// stays complete and usable without it (no JavaScript, tiles that cannot
// load). Each result carries its establishment's coordinates.
(function () {
  "use strict";
  var box = document.getElementById("carte");
  if (!box || !window.L) return;
  var items = document.querySelectorAll("ul.results li[data-lat]");
  if (!items.length) return;
  box.hidden = false;
  var map = window.L.map(box, { scrollWheelZoom: false });
  window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);
  var bounds = [];
  items.forEach(function (item) {
    var lat = parseFloat(item.dataset.lat);
    var lon = parseFloat(item.dataset.lon);
    var link = item.querySelector("h3 a");
    if (!link || isNaN(lat) || isNaN(lon)) return;
    var name = link.textContent;
    var marker = window.L.marker([lat, lon], { title: name, alt: name, keyboard: true }).addTo(map);
    var popup = document.createElement("a");
    popup.href = link.href;
    popup.textContent = name;
    marker.bindPopup(popup);
    bounds.push([lat, lon]);
  });
  if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
})();
