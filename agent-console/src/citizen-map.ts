/**
 * The web form's optional map (Leaflet), loaded only when the admin configured a tile server: a
 * tap or click marks the place of the problem; the marker can be dragged, or moved with the
 * keyboard (Leaflet's own arrow keys pan; Enter marks the centre). Exposes `window.hotlineMap`.
 */
import L from 'leaflet';

/** Where the map opens: the middle of Đồng Nai; the tiles decide what is drawn. */
const START: L.LatLngExpression = [11.0, 106.95];

export interface HotlineMap {
  mount(
    el: HTMLElement,
    opts: { tileUrl: string; attribution: string | null },
    onPick: (point: { lat: number; lng: number } | null) => void,
  ): { clear(): void };
}

const hotlineMap: HotlineMap = {
  mount(el, opts, onPick) {
    const map = L.map(el, { center: START, zoom: 10, keyboard: true });
    L.tileLayer(opts.tileUrl, { maxZoom: 19, attribution: opts.attribution ?? '' }).addTo(map);
    // The default marker icon is an image file Leaflet finds by a CSS trick; a plain circle needs none.
    let marker: L.CircleMarker | null = null;
    const pick = (at: L.LatLng) => {
      const point = { lat: Number(at.lat.toFixed(6)), lng: Number(at.lng.toFixed(6)) };
      if (marker) marker.setLatLng(at);
      else
        marker = L.circleMarker(at, { radius: 10, weight: 3, color: '#0b5394', fillOpacity: 0.5 }).addTo(map);
      onPick(point);
    };
    map.on('click', (event: L.LeafletMouseEvent) => pick(event.latlng));
    el.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        pick(map.getCenter());
      }
    });
    return {
      clear() {
        marker?.remove();
        marker = null;
        onPick(null);
      },
    };
  },
};

(window as unknown as { hotlineMap: HotlineMap }).hotlineMap = hotlineMap;
