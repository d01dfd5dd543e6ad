/** Cuts the neighbourhood of a cell out of a rendered page, and says where the cell lies in the cut. */
import type { GreyImage } from './png.js';

/** A rendered page: grey pixels plus pixels per PDF point (the extract adapter's Raster). */
export interface PageRaster extends GreyImage {
  scale: number;
}

/** A box in PDF points, top-left origin (the Page model's and `facts.csv` bbox's space). */
export interface PointBox { x0: number; top: number; x1: number; bottom: number }

/** Where the cell sits inside its crop, as fractions (0..1) of the crop's width and height. */
export interface CropMark { left: number; top: number; width: number; height: number }

/** Reads a `facts.csv` bbox (`x0 y0 x1 y1`); undefined when it is empty or not four ordered numbers. */
export function parseBbox(bbox: string): PointBox | undefined {
  const parts = bbox.trim().split(/\s+/u).map(Number);
  if (parts.length !== 4 || parts.some((v) => !Number.isFinite(v))) return undefined;
  const [x0, top, x1, bottom] = parts as [number, number, number, number];
  if (x1 < x0 || bottom < top) return undefined;
  return { x0, top, x1, bottom };
}

/**
 * The cell's box widened by `margin` points on each side, clipped to the page, in raster pixels.
 * Undefined when the box lies wholly outside the page.
 */
export function cropAround(raster: PageRaster, box: PointBox, margin: { x: number; y: number }): { image: GreyImage; mark: CropMark } | undefined {
  const s = raster.scale;
  const clampX = (v: number) => Math.min(raster.width, Math.max(0, v));
  const clampY = (v: number) => Math.min(raster.height, Math.max(0, v));
  const left = clampX(Math.floor((box.x0 - margin.x) * s)), right = clampX(Math.ceil((box.x1 + margin.x) * s));
  const top = clampY(Math.floor((box.top - margin.y) * s)), bottom = clampY(Math.ceil((box.bottom + margin.y) * s));
  const width = right - left, height = bottom - top;
  if (width < 1 || height < 1) return undefined;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const from = (top + y) * raster.width + left;
    data.set(raster.data.subarray(from, from + width), y * width);
  }
  const fraction = (v: number, lo: number, size: number) => Math.min(1, Math.max(0, (v - lo) / size));
  const markLeft = fraction(box.x0 * s, left, width), markTop = fraction(box.top * s, top, height);
  return {
    image: { width, height, data },
    mark: {
      left: markLeft,
      top: markTop,
      width: fraction(box.x1 * s, left, width) - markLeft,
      height: fraction(box.bottom * s, top, height) - markTop,
    },
  };
}
