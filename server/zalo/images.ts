/**
 * A citizen's image on Zalo, fetched from the URL in the event (in the job, never in the webhook),
 * with a size cap and a time limit, then checked and re-encoded as the web form's photos are.
 */

import { cleanPhoto, MAX_PHOTO_BYTES } from '../intake/photos.ts';
import type { IntakePhoto } from '../intake/service.ts';

/** Worth trying again later (the network, Zalo's CDN); anything else is final. */
export class ImageFetchError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ImageFetchError';
  }
}

export async function fetchImage(
  url: string,
  opts: { timeoutMs: number; maxBytes?: number },
): Promise<IntakePhoto> {
  const maxBytes = opts.maxBytes ?? MAX_PHOTO_BYTES;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs), redirect: 'follow' });
  } catch (err) {
    throw new ImageFetchError(`image unreachable: ${err instanceof Error ? err.message : String(err)}`, true);
  }
  if (!res.ok)
    throw new ImageFetchError(`image answered HTTP ${res.status}`, res.status >= 500 || res.status === 429);
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new ImageFetchError(`image larger than ${maxBytes} bytes`, false);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const body = (res.body ?? []) as unknown as AsyncIterable<Uint8Array>;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) throw new ImageFetchError(`image larger than ${maxBytes} bytes`, false);
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    if (err instanceof ImageFetchError) throw err;
    throw new ImageFetchError(
      `image download failed: ${err instanceof Error ? err.message : String(err)}`,
      true,
    );
  }
  try {
    return await cleanPhoto(Buffer.concat(chunks));
  } catch (err) {
    throw new ImageFetchError(
      `not a usable image: ${err instanceof Error ? err.message : String(err)}`,
      false,
    );
  }
}
