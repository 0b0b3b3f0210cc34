import { parseSubscriptionInput } from './subscription-input.js';

const TOPICS = ['spine.ai.support-triage.v1', 'spine.ai.fraud-score.v1'];

describe('parseSubscriptionInput', () => {
  it('defaults to every result topic, no filter, enabled', () => {
    expect(parseSubscriptionInput({ url: ' https://x.example/h ' }, TOPICS).input).toEqual({
      url: 'https://x.example/h',
      resultTopics: TOPICS,
      filter: { entityKeys: [], fields: {} },
      description: null,
      enabled: true,
    });
  });

  it('takes topics, entity keys and field equalities (as text)', () => {
    const { input } = parseSubscriptionInput({ url: 'https://x.example/h', topics: [TOPICS[1]], filter: { entityKeys: ['c-1', 'c-1', 'c-2'], fields: { decision: 'DECLINE', 'metadata.source': 'gateway', score: 1 } }, enabled: false }, TOPICS);
    expect(input).toMatchObject({ resultTopics: [TOPICS[1]], filter: { entityKeys: ['c-1', 'c-2'], fields: { decision: 'DECLINE', 'metadata.source': 'gateway', score: '1' } }, enabled: false });
  });

  it('names every offending field', () => {
    const { issues } = parseSubscriptionInput({ topics: ['spine.crm.support-message.v1'], filter: { entityKeys: [''], fields: { 'bad path!': 'x', ok: { nested: true } }, other: 1 }, secret: 'mine', enabled: 'yes' }, TOPICS);
    expect(issues!.map((i) => i.field).sort()).toEqual(['enabled', 'filter.entityKeys', 'filter.fields.bad path!', 'filter.fields.ok', 'filter.other', 'secret', 'topics', 'url'].sort());
    expect(issues!.find((i) => i.field === 'topics')!.message).toMatch(/not result topics: spine\.crm\.support-message\.v1; result topics: spine\.ai\.support-triage\.v1/);
    expect(parseSubscriptionInput([1], TOPICS).issues![0]!.message).toMatch(/JSON object/);
  });
});
