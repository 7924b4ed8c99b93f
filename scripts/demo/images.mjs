// Small generated pictures for the demo feeds (enclosures, media:content, logos): a PNG per name, no files, no deps.
// The same name always gives the same bytes, so feeds can state each enclosure's length.
import { deflateSync } from 'node:zlib';

/** Sizes by name suffix: `<name>.png` is a 640×360 photo, `-thumb` 160×90, `-logo` 144×144. */
export function imageSize(name) {
  if (name.endsWith('-thumb')) return { width: 160, height: 90 };
  if (name.endsWith('-logo')) return { width: 144, height: 144 };
  return { width: 640, height: 360 };
}

export function imagePath(name) {
  return `/img/${name}.png`;
}

const pngCache = new Map();

/** A landscape-like picture whose colours derive from the name (the `-thumb`/`-logo` suffix does not change them). */
export function renderPng(name) {
  const cached = pngCache.get(name);
  if (cached) return cached;
  const { width, height } = imageSize(name);
  const seed = fnv1a(name.replace(/-(thumb|logo)$/, ''));
  const sky = [hue(seed, 0), hue(seed, 120)];
  const ground = hue(seed >>> 8, 240).map((c) => Math.round(c * 0.45));
  const horizon = Math.round(height * 0.68);
  const peakX = ((seed >>> 4) % 60) / 100 + 0.2; // where the silhouette peaks, 20–80 % across
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0; // filter: none
    const t = y / (height - 1);
    const skyColour = sky[0].map((c, i) => Math.round(c + (sky[1][i] - c) * t));
    for (let x = 0; x < width; x++) {
      // A single peak (a mountain, a chedi, a tower: the reader decides) rising from the horizon.
      const distance = Math.abs(x / width - peakX);
      const top = horizon - Math.max(0, (0.22 - distance) / 0.22) * height * 0.45;
      const colour = y >= top ? ground : skyColour;
      raw[o++] = colour[0];
      raw[o++] = colour[1];
      raw[o++] = colour[2];
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  pngCache.set(name, png);
  return png;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function fnv1a(text) {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
  return h;
}

/** A pleasant, not too dark RGB colour from a seed and a hue shift. */
function hue(seed, shift) {
  const h = ((seed % 360) + shift) % 360;
  const s = 0.55;
  const l = 0.62;
  const k = (n) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0), f(8), f(4)].map((v) => Math.round(v * 255));
}
