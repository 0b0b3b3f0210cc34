import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new signing secret in Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The Standard Webhooks headers of one attempt: the id is the delivery's (stable across retries), the timestamp the attempt's. */
export function signedHeaders(secret: string, deliveryId: string, at: Date, body: string): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    // HMAC-SHA256 over `${id}.${timestamp}.${body}` with the base64-decoded secret, as "v1,<base64>".
    'webhook-signature': new Webhook(secret).sign(deliveryId, at, body),
  };
}
