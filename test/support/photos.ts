/** Test images made with sharp: a JPEG carrying EXIF with a GPS position, a PNG, a large noisy one. */
import sharp from 'sharp';

/** A small JPEG whose EXIF names the camera and places it by GPS. */
export function jpegWithGps(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'Serial-1234567', Copyright: 'Nguyen Van A' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '10/1 57/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '106/1 50/1 0/1',
      },
    })
    .toBuffer();
}

export function png(width = 40, height = 30): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 120, b: 200, alpha: 1 } } })
    .png()
    .toBuffer();
}
