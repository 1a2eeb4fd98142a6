// Makes assets/forward-default.png, the image `diffspec forward` uses when given none: a deterministic
// 96 x 64 picture (sky gradient, a sun, two hills) with enough structure to watch the noise take over.
// Run: npx tsx scripts/make-default-image.ts
import sharp from 'sharp';
import { defaultImagePath } from '../src/forward/strip.js';

const WIDTH = 96;
const HEIGHT = 64;
const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
for (let y = 0; y < HEIGHT; y++) {
  for (let x = 0; x < WIDTH; x++) {
    const sky = y / HEIGHT;
    let rgb = [90 + 120 * sky, 150 + 80 * sky, 235];
    if ((x - 68) ** 2 + (y - 18) ** 2 < 100) rgb = [250, 210, 60];
    const hill1 = HEIGHT - 22 - 12 * Math.sin((x / WIDTH) * Math.PI);
    const hill2 = HEIGHT - 12 - 8 * Math.cos((x / WIDTH) * 2 * Math.PI);
    if (y > hill1) rgb = [60, 140, 70];
    if (y > hill2) rgb = [35, 100, 45];
    pixels.set(rgb.map(Math.round), (y * WIDTH + x) * 3);
  }
}
await sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
  .png({ compressionLevel: 9 })
  .toFile(defaultImagePath());
console.log(`wrote ${defaultImagePath()}`);
