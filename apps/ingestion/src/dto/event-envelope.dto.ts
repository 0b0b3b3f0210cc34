import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { IsDateTime } from '../validation/is-date-time.js';

/** Most events one request may carry; accepted all together or not at all. */
export const MAX_EVENTS_PER_REQUEST = 500;

/** The envelope fields every event type shares; the rest of the event is its type's payload (its Avro schema). */
export const ENVELOPE_FIELDS = ['type', 'source', 'occurredAt', 'eventId', 'correlationId'] as const;

/** What every posted event carries besides its payload; they become the record's spine.common.EventMetadata. */
export class EventEnvelopeDto {
  @ApiProperty({ example: 'support.message', description: 'Event type: picks the topic and the schema the rest of the event is validated against.' })
  @Length(1, 100)
  @IsString()
  type!: string;

  @ApiProperty({ minLength: 1, maxLength: 64, example: 'crm', description: 'Producing system.' })
  @Length(1, 64)
  @IsString()
  source!: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2024-05-01T12:30:00Z', description: 'When it happened; default: when Spine received it.' })
  @IsOptional()
  @IsDateTime()
  occurredAt?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description: 'Client-chosen idempotency key: resending the same event with the same eventId is processed once. Default: a new random UUID.',
  })
  @IsOptional()
  @IsUUID()
  eventId?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 256, description: 'Carried unchanged through every stage. Default: the x-correlation-id header, else the eventId.' })
  @IsOptional()
  @Length(1, 256)
  @IsString()
  correlationId?: string;
}
