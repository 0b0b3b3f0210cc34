import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';

/** POST /v1/admin/models/versions. */
export class RegisterVersionDto {
  @IsString({ message: 'model must be the model name, e.g. fraud-lr' })
  @IsNotEmpty({ message: 'model must be the model name, e.g. fraud-lr' })
  model!: string;

  @IsString({ message: 'version must be text, e.g. 2.0.0' })
  @IsNotEmpty({ message: 'version must be text, e.g. 2.0.0' })
  version!: string;

  @IsObject({ message: 'adapter must be an object, e.g. { "kind": "onnx", ... }' })
  adapter!: Record<string, unknown>;

  @IsOptional()
  @IsString({ message: 'description must be text' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;
}

/** Every action's optional reason, kept in the control event and the audit log. */
class ReasonDto {
  @IsOptional()
  @IsString({ message: 'reason must be text' })
  @MaxLength(500, { message: 'reason must be at most 500 characters' })
  reason?: string;
}

/** POST /v1/admin/models/:stage/promote. */
export class PromoteDto extends ReasonDto {
  @IsString({ message: 'version must be a registered version of the stage\'s model' })
  @IsNotEmpty({ message: 'version must be a registered version of the stage\'s model' })
  version!: string;
}

/** One version's share of traffic. */
export class SplitDto {
  @IsString({ message: 'version must be text' })
  version!: string;

  @IsNumber({}, { message: 'percent must be a number from 0 to 100' })
  @Min(0, { message: 'percent must be a number from 0 to 100' })
  @Max(100, { message: 'percent must be a number from 0 to 100' })
  percent!: number;
}

/** POST /v1/admin/models/:stage/split. */
export class SplitsDto extends ReasonDto {
  @IsArray({ message: 'splits must be an array of { version, percent }' })
  @ArrayMinSize(1, { message: 'splits must name at least one version' })
  @ValidateNested({ each: true })
  @Type(() => SplitDto)
  splits!: SplitDto[];
}

/** POST /v1/admin/models/:stage/ramp. */
export class RampDto extends ReasonDto {
  @IsString({ message: 'version must be text' })
  @IsNotEmpty({ message: 'version must be text' })
  version!: string;

  @IsArray({ message: 'steps must be an array of percentages, e.g. [5, 25, 50, 100]' })
  @ArrayMinSize(1, { message: 'steps must hold at least one percentage' })
  @ArrayMaxSize(20, { message: 'steps may hold at most 20 percentages' })
  @IsNumber({}, { each: true, message: 'each step must be a number from 0 to 100' })
  @Min(0, { each: true, message: 'each step must be a number from 0 to 100' })
  @Max(100, { each: true, message: 'each step must be a number from 0 to 100' })
  steps!: number[];

  @IsInt({ message: 'stepIntervalMs must be a whole number of milliseconds' })
  @Min(1_000, { message: 'stepIntervalMs must be at least 1000' })
  stepIntervalMs!: number;
}

/** POST /v1/admin/models/:stage/rollback. */
export class RollbackDto extends ReasonDto {
  @IsOptional()
  @IsString({ message: 'version must be text' })
  version?: string;
}

/** POST /v1/admin/models/:stage/shadow. */
export class ShadowDto extends ReasonDto {
  @IsArray({ message: 'versions must be an array of versions (empty: no shadows)' })
  @IsString({ each: true, message: 'each version must be text' })
  versions!: string[];
}
