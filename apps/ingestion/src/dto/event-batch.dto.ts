import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { SupportEventDto } from './support-event.dto.js';

export const MAX_EVENTS_PER_REQUEST = 500;

/** Several events in one request; accepted all together or not at all. */
export class EventBatchDto {
  @ApiProperty({ type: [SupportEventDto], minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST })
  @ValidateNested({ each: true })
  @ArrayMaxSize(MAX_EVENTS_PER_REQUEST)
  @ArrayMinSize(1)
  @IsArray()
  @Type(() => SupportEventDto)
  events!: SupportEventDto[];
}
