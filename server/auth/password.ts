/** Password hashing (argon2id with the library's defaults: 64 MiB, 3 passes) and random secrets. */
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/** A fresh random secret, URL-safe: SIP passwords (18 bytes) and agencies' HMAC keys (32). */
export function randomSecret(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** False for a wrong password or a malformed hash; never throws for either. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
