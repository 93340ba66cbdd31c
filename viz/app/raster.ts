/**
 * A tiny software rasteriser for the densest views. Stroking tens of thousands of
 * anti-aliased canvas lines costs the browser close to a second a frame (measured in
 * headless Chromium on 10–60 s windows of a long run), while writing one-pixel
 * lines into an ImageData and blitting it takes a few milliseconds. When zoomed out
 * the messages are texture anyway, so the crisp path is kept for sparse views only.
 */
export class Raster {
  private image: ImageData | null = null;
  private pixels = new Uint32Array(0);
  private width = 0;
  private height = 0;
  private clip = { x0: 0, y0: 0, x1: 0, y1: 0 };
  /** Rows left untouched (the role bands), so lanes stay readable under the texture. */
  private skipRows: Uint8Array = new Uint8Array(0);

  constructor(private readonly ctx: CanvasRenderingContext2D) {}

  /** Starts a frame of `width`×`height` device pixels, drawing only inside the clip box. */
  begin(width: number, height: number, clip: { x0: number; y0: number; x1: number; y1: number }, skipRows: Uint8Array): void {
    this.skipRows = skipRows;
    if (!this.image || this.width !== width || this.height !== height) {
      this.image = this.ctx.createImageData(width, height);
      this.pixels = new Uint32Array(this.image.data.buffer);
      this.width = width;
      this.height = height;
    } else this.pixels.fill(0);
    this.clip = clip;
  }

  /** A one-pixel line in colour `rgb` (0xRRGGBB) with opacity `alpha` (0..1). */
  line(x1: number, y1: number, x2: number, y2: number, rgb: number, alpha: number): void {
    const dx = x2 - x1;
    const dy = y2 - y1;
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(dx), Math.abs(dy))));
    const sx = dx / steps;
    const sy = dy / steps;
    const { x0, y0, x1: cx1, y1: cy1 } = this.clip;
    const a = Math.round(alpha * 256);
    const r = (rgb >> 16) & 255;
    const g = (rgb >> 8) & 255;
    const b = rgb & 255;
    const pixels = this.pixels;
    const width = this.width;
    let x = x1;
    let y = y1;
    for (let i = 0; i <= steps; i++, x += sx, y += sy) {
      if (x < x0 || x >= cx1 || y < y0 || y >= cy1 || this.skipRows[y | 0]) continue;
      const index = (y | 0) * width + (x | 0);
      const dst = pixels[index];
      const da = dst >>> 24;
      if (da === 0) {
        pixels[index] = ((a === 256 ? 255 : a) << 24) | (b << 16) | (g << 8) | r;
        continue;
      }
      // Blend over what is there; good enough for texture, and all integer.
      const keep = 256 - a;
      const nr = (r * a + (dst & 255) * keep) >> 8;
      const ng = (g * a + ((dst >> 8) & 255) * keep) >> 8;
      const nb = (b * a + ((dst >> 16) & 255) * keep) >> 8;
      const na = Math.min(255, a + ((da * keep) >> 8));
      pixels[index] = (na << 24) | (nb << 16) | (ng << 8) | nr;
    }
  }

  end(): void {
    if (this.image) this.ctx.putImageData(this.image, 0, 0);
  }
}

export function parseRgb(color: string): number {
  return parseInt(color.replace('#', ''), 16);
}
