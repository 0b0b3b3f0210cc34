import { SetMetadata } from '@nestjs/common';
import type { StageOptions } from '../stage/types.js';
import { STAGE_METADATA } from './tokens.js';

/**
 * Marks a provider method as a stage handler: `(message: InboundMessage<In>) => Promise<Emit | Emit[] | void>`.
 * The runtime discovers it at bootstrap and does all the Kafka work around it.
 */
export const Stage = (options: StageOptions): MethodDecorator => SetMetadata(STAGE_METADATA, options);
