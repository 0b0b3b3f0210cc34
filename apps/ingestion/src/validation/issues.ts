import { BadRequestException } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/** One reason a request was refused, at a dotted path into the body (e.g. `events.1.channel`). */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** Body of every 400 this service answers; the same shape for DTO and Avro schema failures. */
export interface BadRequestBody {
  readonly statusCode: 400;
  readonly error: 'Bad Request';
  readonly message: string;
  readonly issues: readonly FieldIssue[];
}

/** Path used for a problem with the body as a whole. */
export const ROOT_FIELD = '(root)';

/** Flattens class-validator's error tree into one issue per failed constraint, with dotted paths. */
export function flattenValidationErrors(errors: readonly ValidationError[], parentPath = ''): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const error of errors) {
    const property = String(error.property ?? '');
    const field = parentPath && property ? `${parentPath}.${property}` : parentPath || property || ROOT_FIELD;
    for (const message of Object.values(error.constraints ?? {})) {
      issues.push({ field, message });
    }
    if (error.children?.length) issues.push(...flattenValidationErrors(error.children, field));
  }
  return issues;
}

export function badRequestBody(issues: readonly FieldIssue[], summary = 'invalid request body'): BadRequestBody {
  const [first] = issues;
  const detail = first ? `: ${first.field}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}` : '';
  return { statusCode: 400, error: 'Bad Request', message: `${summary}${detail}`, issues };
}

export function badRequest(issues: readonly FieldIssue[], summary?: string): BadRequestException {
  return new BadRequestException(badRequestBody(issues, summary));
}

/** `exceptionFactory` for ValidationPipe: 400 with field-level issues instead of Nest's list of strings. */
export function validationExceptionFactory(errors: ValidationError[]): BadRequestException {
  return badRequest(flattenValidationErrors(errors));
}
