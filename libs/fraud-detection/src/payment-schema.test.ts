import { randomUUID } from 'node:crypto';
import { loadSchemaCatalog, requireSchema, type SchemaCatalog } from '@spine/schemas';
import { fromJson, jsonSchemaOf, type JsonSchema } from '@spine/serde';

// The payment contract ingestion enforces (types and spine.* constraints of payment-transaction-received.avsc).
const issuesOf = (type: Parameters<typeof fromJson>[0], json: unknown, options?: Parameters<typeof fromJson>[2]) => fromJson(type, json, options).issues;
let catalog: SchemaCatalog;

beforeAll(async () => {
  catalog = await loadSchemaCatalog();
});

describe('payment-transaction-received, as posted to POST /v1/events', () => {
  const valid = {
    transactionId: 'tx-1',
    cardId: 'card-1',
    customerId: 'cust-1',
    merchantId: 'm-1',
    merchantCategory: 'FUEL',
    amount: '129.90',
    currency: 'EUR',
    country: 'DE',
    channel: 'ONLINE',
  };

  it('converts a valid payment', () => {
    const schema = requireSchema(catalog, 'payment-transaction-received');
    const { value, issues } = fromJson(schema, valid, { omitFields: ['metadata'] });
    expect(issues).toEqual([]);
    const metadata = { eventId: randomUUID(), occurredAt: new Date(), receivedAt: new Date(), source: 'gw', correlationId: 'c' };
    expect(schema.type.isValid({ metadata, ...(value as object) })).toBe(true);
  });

  it('names each bad field', () => {
    const schema = requireSchema(catalog, 'payment-transaction-received');
    const bad = { ...valid, transactionId: 't'.repeat(65), merchantCategory: 'TOYS', amount: '12.345', currency: 'eur', country: 'DEU', channel: undefined, fee: 1 };
    expect(issuesOf(schema, bad, { omitFields: ['metadata'] })).toEqual([
      { field: 'transactionId', message: 'transactionId must be shorter than or equal to 64 characters' },
      {
        field: 'merchantCategory',
        message: 'merchantCategory must be one of the following values: GROCERY, RESTAURANT, FUEL, TRAVEL, ELECTRONICS, FASHION, DIGITAL_GOODS, GAMBLING, OTHER',
      },
      { field: 'amount', message: 'amount must be a decimal string with up to 10 integer and 2 fraction digits, e.g. "129.90"' },
      { field: 'currency', message: 'currency must match /^[A-Z]{3}$/ regular expression' },
      { field: 'country', message: 'country must match /^[A-Z]{2}$/ regular expression' },
      { field: 'channel', message: 'channel is required' },
      { field: 'fee', message: 'property fee should not exist' },
    ]);
  });
});

it('documents the payment constraints in its JSON Schema (OpenAPI)', () => {
  const properties = jsonSchemaOf(requireSchema(catalog, 'payment-transaction-received')).properties as Record<string, JsonSchema>;
  expect(properties.currency).toEqual({ type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR.' });
  expect(properties.country).toMatchObject({ type: 'string', pattern: '^[A-Z]{2}$' });
  expect(properties.transactionId).toMatchObject({ minLength: 1, maxLength: 64 });
});
