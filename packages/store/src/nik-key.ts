import { createHmac } from 'node:crypto';

/**
 * A keyed hash of a NIK, used as the worker's key so that a NIK never appears in a key, an index or a log.
 * The key comes from the deployment (`NIK_HASH_KEY`); without it the hash could be reversed by trying all
 * plausible NIKs.
 */
export const nikKey = (nik: string, secret: string = process.env.NIK_HASH_KEY ?? ''): string => {
  if (!secret) throw new Error('NIK_HASH_KEY is not set: the deployment must provide the NIK hashing key');
  return createHmac('sha256', secret).update(nik).digest('base64url');
};
