import type { ServerResponse } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import type { TokenBucketLimiter } from '@spine/edge';

/**
 * Takes a token from the credential's bucket; past its limit, sets Retry-After and answers the 429 to throw. One
 * answer for every HTTP edge (business APIs and the console), naming the limit and when to retry.
 */
export function rateLimitRefusal(limiter: TokenBucketLimiter | undefined, principalId: string, response: ServerResponse): HttpException | undefined {
  const taken = limiter?.take(principalId);
  if (!taken || taken.allowed) return undefined;
  response.setHeader('Retry-After', String(taken.retryAfterSeconds));
  const { ratePerSecond, burst } = limiter!.options;
  return new HttpException({ statusCode: 429, error: 'Too Many Requests', message: `rate limit of ${ratePerSecond} requests/s (burst ${burst}) for this credential exceeded; retry after ${taken.retryAfterSeconds} s` }, HttpStatus.TOO_MANY_REQUESTS);
}
