/**
 * Reads the NIK hashing key from Secrets Manager once, at cold start (a top-level await of the module that
 * imports this one), through Powertools parameters: the function's configuration holds only the secret's
 * ARN (`NIK_HASH_KEY_SECRET_ARN`), never the key. The embedded local stack sets `NIK_HASH_KEY` instead.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { useNikHashKey } from '@lindung/store';

/** Loads the key named by `NIK_HASH_KEY_SECRET_ARN`, if any; returns whether it did. */
export const loadNikHashKey = async (arn = process.env.NIK_HASH_KEY_SECRET_ARN): Promise<boolean> => {
  if (!arn) return false;
  // Read once: the key is never rotated in place (see infra/lib/storage.ts), so it lives as long as the process.
  const secret = await getSecret(arn);
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new Error('The NIK hashing key secret is empty or not a string');
  }
  useNikHashKey(secret);
  return true;
};

await loadNikHashKey();
