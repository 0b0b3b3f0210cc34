import { BadRequestException } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { badRequestBody, flattenValidationErrors, validationExceptionFactory } from './validation/issues.js';

const error = (property: string, constraints?: Record<string, string>, children: ValidationError[] = []) =>
  ({ property, constraints, children }) as ValidationError;

describe('flattenValidationErrors', () => {
  it('gives nested errors dotted paths, one issue per failed constraint', () => {
    const errors = [
      error('foo', { whitelistValidation: 'property foo should not exist' }),
      error('events', undefined, [
        error('1', undefined, [
          error('channel', { isIn: 'channel must be one of the following values: EMAIL, CHAT, PHONE, SOCIAL' }),
          error('body', { isString: 'body must be a string', isLength: 'body must be longer than or equal to 1 characters' }),
        ]),
      ]),
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'foo', message: 'property foo should not exist' },
      { field: 'events.1.channel', message: 'channel must be one of the following values: EMAIL, CHAT, PHONE, SOCIAL' },
      { field: 'events.1.body', message: 'body must be a string' },
      { field: 'events.1.body', message: 'body must be longer than or equal to 1 characters' },
    ]);
  });

  it('keeps an error on a parent that also has children', () => {
    const errors = [error('events', { arrayMaxSize: 'too many' }, [error('0', { nestedValidation: 'must be an object' })])];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'events', message: 'too many' },
      { field: 'events.0', message: 'must be an object' },
    ]);
  });

  it('names a nameless error (root)', () => {
    expect(flattenValidationErrors([error('', { isObject: 'object expected' })])).toEqual([
      { field: '(root)', message: 'object expected' },
    ]);
  });
});

describe('validationExceptionFactory', () => {
  it('answers 400 with the consistent body', () => {
    const exception = validationExceptionFactory([error('channel', { isIn: 'bad channel' }), error('body', { isString: 'bad body' })]);
    expect(exception).toBeInstanceOf(BadRequestException);
    expect(exception.getStatus()).toBe(400);
    expect(exception.getResponse()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid request body: channel: bad channel (and 1 more)',
      issues: [
        { field: 'channel', message: 'bad channel' },
        { field: 'body', message: 'bad body' },
      ],
    });
  });

  it('summarises a single issue without a count', () => {
    expect(badRequestBody([{ field: 'a', message: 'b' }], 'event does not match schema X').message).toBe(
      'event does not match schema X: a: b',
    );
  });
});
