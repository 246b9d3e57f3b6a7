/*
 * France Services — module à intégrer : la carte facultative des lieux trouvés (attribut map-tiles),
 * dessinée avec les tuiles du partenaire (projection Web Mercator), sans bibliothèque.
 */
(() => {
  "use strict";

  const { h } = window.FranceServicesKit;

  /** The places (numbered markers) and the origin on tiles of ``template`` ({z}/{x}/{y}); null without. */
  function drawMap({ template, attribution, points, origin, width, label }) {
    if (!template || !points.length) return null;
    const all = origin ? [...points, origin] : points;
    const height = 240;
    const project = (lat, lon, z) => {
      const scale = 256 * 2 ** z;
      const s = Math.sin((lat * Math.PI) / 180);
      return { x: ((lon + 180) / 360) * scale, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale };
    };
    const extent = (z) => {
      const xy = all.map((p) => project(p.lat, p.lon, z));
      const xs = xy.map((p) => p.x);
      const ys = xy.map((p) => p.y);
      return { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
    };
    let zoom = 15;
    while (zoom > 3) {
      const e = extent(zoom);
      if (e.x1 - e.x0 < width - 48 && e.y1 - e.y0 < height - 48) break;
      zoom -= 1;
    }
    const e = extent(zoom);
    const left = (e.x0 + e.x1) / 2 - width / 2;
    const top = (e.y0 + e.y1) / 2 - height / 2;
    const map = h("div", { class: "fs-map", role: "img", "aria-label": label });
    const max = 2 ** zoom;
    for (let tx = Math.floor(left / 256); tx <= Math.floor((left + width) / 256); tx += 1) {
      for (let ty = Math.max(0, Math.floor(top / 256)); ty <= Math.min(max - 1, Math.floor((top + height) / 256)); ty += 1) {
        const src = template
          .replace("{z}", zoom)
          .replace("{x}", ((tx % max) + max) % max)
          .replace("{y}", ty);
        const tile = h("img", { class: "fs-tile", src, alt: "" });
        tile.style.left = `${tx * 256 - left}px`;
        tile.style.top = `${ty * 256 - top}px`;
        map.append(tile);
      }
    }
    const marker = (p, label, extra) => {
      const at = project(p.lat, p.lon, zoom);
      const el = h("span", { class: `fs-marker ${extra}`, "aria-hidden": "true", text: label });
      el.style.left = `${at.x - left}px`;
      el.style.top = `${at.y - top}px`;
      map.append(el);
    };
    if (origin) marker(origin, "•", "fs-origin");
    points.forEach((p, i) => marker(p, String(i + 1), ""));
    if (attribution) map.append(h("span", { class: "fs-map-attribution", text: attribution }));
    return map;
  }

  window.FranceServicesWidget.drawMap = drawMap;
})();
