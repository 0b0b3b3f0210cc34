import { timingSafeEqual } from 'node:crypto';
import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';

/**
 * Business endpoints need an API key: `Authorization: Bearer <key>` or `x-api-key: <key>`.
 * Keys come only from the environment (SPINE_API_KEYS, comma-separated); with none set, every call is refused.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys = (process.env.SPINE_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length >= 16)
    .map((k) => Buffer.from(k));

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const presented = bearer ?? request.headers['x-api-key'];
    if (presented && this.keys.some((key) => safeEqual(key, Buffer.from(presented)))) return true;
    throw new UnauthorizedException(
      this.keys.length ? 'missing or invalid API key (Authorization: Bearer <key> or x-api-key)' : 'no API keys configured on this service (set SPINE_API_KEYS, keys of 16+ characters)',
    );
  }
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
