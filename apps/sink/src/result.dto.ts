import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IntentSymbols, PrioritySymbols, SentimentSymbols } from '@spine/schemas';

/** OpenAPI description of a stored triage result (the @spine/results-store TriageResultRow, dates as ISO strings). */
export class TriageResultDto {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ enum: [...SentimentSymbols] }) sentiment!: string;
  @ApiProperty({ minimum: -1, maximum: 1 }) sentimentScore!: number;
  @ApiProperty({ enum: [...IntentSymbols] }) intent!: string;
  @ApiProperty({ minimum: 0, maximum: 1 }) intentConfidence!: number;
  @ApiProperty({ enum: [...PrioritySymbols], description: 'P1 is most urgent.' }) priority!: string;
  @ApiProperty() modelName!: string;
  @ApiProperty() modelVersion!: string;
  @ApiProperty({ type: String, format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) inferredAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) storedAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Trace of the sink span that stored it.' }) traceId?: string | null;
  @ApiPropertyOptional() sourceTopic?: string;
  @ApiPropertyOptional({ type: 'integer' }) sourcePartition?: number;
  @ApiPropertyOptional({ description: 'Kafka offset, as a string (64-bit).' }) sourceOffset?: string;
}

export class NotFoundResponseDto {
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'no result for event 6f1c0c1e-8a3b-4c59-9a55-2d2c2f7f3b10 yet' }) message!: string;
}
