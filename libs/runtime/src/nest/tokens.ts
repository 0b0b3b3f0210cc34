import type { Type } from '@nestjs/common';
import type { TopicSpec } from '@spine/topology';
import type { StageMiddleware } from '../middleware/types.js';

export const SPINE_RUNTIME_OPTIONS = Symbol('SPINE_RUNTIME_OPTIONS');
export const STAGE_METADATA = 'spine:stage';

/** A middleware as a function, or a Nest provider class (resolved from the app's module, so it can inject). */
export type MiddlewareRef = StageMiddleware | Type<StageMiddlewareProvider>;

/** An injectable middleware: `use` is called like a StageMiddleware. */
export interface StageMiddlewareProvider {
  use: StageMiddleware;
}

export interface SpineRuntimeOptions {
  /** Service name: client id, trace service name, log field. */
  readonly service: string;
  /** Topics this service produces to outside its stages (ingestion's event topics), resolved at start. */
  readonly publishes?: readonly TopicSpec[];
  /** Middlewares around every stage of this service, outermost first, inside the built-ins. */
  readonly middlewares?: readonly MiddlewareRef[];
}
