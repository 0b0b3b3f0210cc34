import { ApiProperty } from '@nestjs/swagger';

/** Where an accepted event was written: acknowledged by all in-sync replicas. */
export class AcceptedEventDto {
  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty()
  correlationId!: string;

  @ApiProperty({ example: 'spine.crm.support-message.v1' })
  topic!: string;

  @ApiProperty({ type: 'integer', example: 3, description: 'Partition the record was written to (murmur2 of the key, as Kafka clients do).' })
  partition!: number;

  @ApiProperty({ type: String, example: '1042', description: 'Kafka offset, as a string (64-bit).' })
  offset!: string;
}

export class AcceptedResponseDto {
  @ApiProperty({ type: [AcceptedEventDto], description: 'One entry per posted event, in the order posted.' })
  accepted!: AcceptedEventDto[];
}

export class FieldIssueDto {
  @ApiProperty({ example: 'events.1.channel', description: 'Dotted path into the request body; (root) for the body itself.' })
  field!: string;

  @ApiProperty({ example: 'channel must be one of the following values: EMAIL, CHAT, PHONE, SOCIAL' })
  message!: string;
}

export class BadRequestResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty()
  message!: string;

  @ApiProperty({ type: [FieldIssueDto] })
  issues!: FieldIssueDto[];
}

export class ServiceUnavailableResponseDto {
  @ApiProperty({ example: 503 })
  statusCode!: number;

  @ApiProperty({ example: 'Service Unavailable' })
  error!: string;

  @ApiProperty({ description: 'Nothing was accepted; retry later with the same eventIds.' })
  message!: string;

  @ApiProperty({ type: [String], description: 'The eventIds of the request (generated ones included), for an idempotent retry.' })
  eventIds!: string[];
}
