/**
 * Citizens' photos: the type is judged by the content (the name and the declared type are
 * ignored), the size is capped, and every photo is decoded and encoded again as a JPEG of bounded
 * dimensions. Re-encoding drops all metadata (EXIF with the phone's GPS position, the camera's
 * serial, XMP) and anything hidden after the image data.
 */
import sharp from 'sharp';
import { IntakeValidationError } from './errors.ts';
import type { IntakePhoto } from './service.ts';

/** Largest photo accepted, before re-encoding. */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
/** Longest side kept, in pixels; larger photos are scaled down. */
export const MAX_PHOTO_SIDE = 1600;
/** Decoding refuses images with more pixels than this (a small file can claim huge dimensions). */
const MAX_INPUT_PIXELS = 50_000_000;
/** What phones' cameras and galleries produce; anything else (SVG, PDF, TIFF…) is refused. */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);

export class PhotoTooLargeError extends IntakeValidationError {
  constructor(position: number) {
    super('PHOTO_TOO_LARGE', `Ảnh thứ ${position} lớn hơn ${MAX_PHOTO_BYTES / 1024 / 1024} MB.`);
  }
}

export class PhotoNotImageError extends IntakeValidationError {
  constructor(position: number) {
    super('PHOTO_NOT_IMAGE', `Tệp thứ ${position} không phải ảnh JPEG, PNG hoặc WebP.`);
  }
}

/**
 * Checks one photo (`position` 1..3, for the message) and returns it re-encoded: JPEG, no
 * metadata, turned upright as the camera meant, at most `MAX_PHOTO_SIDE` pixels on its longer side.
 */
export async function cleanPhoto(data: Buffer, position = 1): Promise<IntakePhoto> {
  if (data.length > MAX_PHOTO_BYTES) throw new PhotoTooLargeError(position);
  let format: string | undefined;
  try {
    format = (await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS }).metadata()).format;
  } catch {
    throw new PhotoNotImageError(position);
  }
  if (!format || !ACCEPTED_FORMATS.has(format)) throw new PhotoNotImageError(position);
  try {
    const { data: jpeg, info } = await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS, pages: 1 })
      .rotate()
      .resize({ width: MAX_PHOTO_SIDE, height: MAX_PHOTO_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return { mime: 'image/jpeg', width: info.width, height: info.height, data: jpeg };
  } catch {
    // Truncated or corrupt image data that the header did not reveal.
    throw new PhotoNotImageError(position);
  }
}
