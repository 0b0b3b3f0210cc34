import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, Min, ValidateNested } from 'class-validator';

/** One dead letter by where it is on its stage's dead-letter topic. */
export class LetterRefDto {
  @IsInt({ message: 'partition must be an integer' })
  @Min(0, { message: 'partition must be 0 or more' })
  partition!: number;

  @IsString({ message: 'offset must be a string of digits' })
  @Matches(/^\d+$/, { message: 'offset must be a string of digits' })
  offset!: string;
}

/** POST /v1/admin/dead-letters/:stage/redrive: `{ records: [...] }` (one or a selection) or `{ all: true }`. */
export class RedriveDto {
  @IsOptional()
  @IsArray({ message: 'records must be an array of { partition, offset }' })
  @ArrayMinSize(1, { message: 'records must name at least one dead letter' })
  @ArrayMaxSize(10_000, { message: 'records may name at most 10000 dead letters; use { all: true }' })
  @ValidateNested({ each: true })
  @Type(() => LetterRefDto)
  records?: LetterRefDto[];

  @IsOptional()
  @IsBoolean({ message: 'all must be true or false' })
  all?: boolean;

  @IsOptional()
  @IsString({ message: 'reason must be text' })
  reason?: string;
}
