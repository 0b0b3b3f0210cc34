import { SetMetadata } from '@nestjs/common';
import type { Scope } from '@spine/edge';

export const SCOPES_METADATA = 'spine:scopes';

/**
 * The scopes a route (or every route of a controller) needs, checked by ApiKeyGuard: 403 without them.
 * A guarded route that declares none needs `admin` (fail closed).
 */
export const RequireScopes = (...scopes: Scope[]) => SetMetadata(SCOPES_METADATA, scopes);
