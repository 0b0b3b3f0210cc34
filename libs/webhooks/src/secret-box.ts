import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/**
 * Signing secrets at rest. With SPINE_WEBHOOKS_SECRET_KEY set (16+ characters, from the environment only),
 * each is stored AES-256-GCM-encrypted under a key derived from it; without, as is (a warning at start).
 * A stored value says which it is, so setting the key later keeps older rows readable.
 */
export class SecretBox {
  private readonly key: Buffer | undefined;

  constructor(passphrase: string | undefined) {
    if (passphrase !== undefined && passphrase.length < 16) throw new Error('SPINE_WEBHOOKS_SECRET_KEY must be at least 16 characters');
    this.key = passphrase ? Buffer.from(hkdfSync('sha256', passphrase, 'spine-webhooks', 'signing-secrets', 32)) : undefined;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox {
    return new SecretBox(env.SPINE_WEBHOOKS_SECRET_KEY?.trim() || undefined);
  }

  get encrypts(): boolean {
    return this.key !== undefined;
  }

  seal(secret: string): string {
    if (!this.key) return secret;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${sealed.toString('base64')}`;
  }

  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    if (!this.key) throw new Error('a signing secret is stored encrypted but SPINE_WEBHOOKS_SECRET_KEY is not set: set the key it was sealed with');
    const [iv, tag, sealed] = stored.slice(PREFIX.length).split(':') as [string, string, string];
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
  }
}
