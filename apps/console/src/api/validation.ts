import { BadRequestException } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';

/** A field-level reason a body was refused. */
export interface Issue {
  readonly field: string;
  readonly message: string;
}

function issuesOf(errors: readonly ValidationError[], parent = ''): Issue[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((message) => ({ field, message })), ...issuesOf(e.children ?? [], field)];
  });
}

/** A 400 naming each refused field, the shape every Spine API answers with. */
export function badRequest(issues: readonly Issue[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues });
}

/** The body as an instance of `type`, validated (unknown fields refused), or a field-level 400. */
export async function validated<T extends object>(type: ClassConstructor<T>, body: unknown): Promise<T> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest([{ field: '(body)', message: 'send a JSON object' }]);
  const instance = plainToInstance(type, body);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw badRequest(issuesOf(errors));
  return instance;
}
