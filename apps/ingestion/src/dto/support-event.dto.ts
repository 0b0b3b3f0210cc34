import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ChannelSymbols, type Channel } from '@spine/schemas';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { IsDateTime } from '../validation/is-date-time.js';

export const SUPPORT_MESSAGE_TYPE = 'support.message';
/** What spine.crm.SupportMessageReceived.orderAmount (decimal(12,2)) can hold, written as a plain decimal string. */
export const ORDER_AMOUNT_PATTERN = /^\d{1,10}(\.\d{1,2})?$/;

/** One business event as a producer posts it. Mapped onto the Avro SupportMessageReceived by toSupportMessage(). */
export class SupportEventDto {
  @ApiProperty({ enum: [SUPPORT_MESSAGE_TYPE], example: SUPPORT_MESSAGE_TYPE, description: 'Event type; only support messages so far.' })
  @IsIn([SUPPORT_MESSAGE_TYPE])
  type!: typeof SUPPORT_MESSAGE_TYPE;

  @ApiProperty({ minLength: 1, maxLength: 64, example: 'crm', description: 'Producing system.' })
  @Length(1, 64)
  @IsString()
  source!: string;

  @ApiProperty({ minLength: 1, maxLength: 128, example: 'cust-42', description: 'Customer id; the Kafka key, so one customer\'s events stay in order.' })
  @Length(1, 128)
  @IsString()
  customerId!: string;

  @ApiProperty({ enum: [...ChannelSymbols], enumName: 'Channel', example: 'EMAIL' })
  @IsIn(ChannelSymbols)
  channel!: Channel;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, example: 'Charged twice' })
  @IsOptional()
  @MaxLength(500)
  @IsString()
  subject?: string | null;

  @ApiProperty({ minLength: 1, maxLength: 20_000, example: 'I was charged twice for order 1234, please refund one.' })
  @Length(1, 20_000)
  @IsString()
  body!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    pattern: ORDER_AMOUNT_PATTERN.source,
    example: '129.90',
    description: 'Amount of the order the message is about, as an exact decimal string (never a float).',
  })
  @IsOptional()
  @Matches(ORDER_AMOUNT_PATTERN, { message: 'orderAmount must be a decimal string with up to 10 integer and 2 fraction digits, e.g. "129.90"' })
  @IsString()
  orderAmount?: string | null;

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

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 256,
    description: 'Carried unchanged through every stage. Default: the x-correlation-id header, else the eventId.',
  })
  @IsOptional()
  @Length(1, 256)
  @IsString()
  correlationId?: string;
}
