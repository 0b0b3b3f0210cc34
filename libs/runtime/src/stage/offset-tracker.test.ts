import { OffsetTracker } from './offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits only past the contiguous prefix of finished offsets', () => {
    const tracker = new OffsetTracker(['10', '11', '12', '13']);
    tracker.complete('11');
    tracker.complete('13');
    expect(tracker.advance()).toBeNull(); // 10 still running: nothing is safe to commit
    tracker.complete('10');
    expect(tracker.advance()).toBe('12'); // 10 and 11 done -> next to read is 12
    tracker.complete('12');
    expect(tracker.advance()).toBe('14');
    expect(tracker.advance()).toBeNull();
  });

  it('handles gaps in offsets (compacted or transactional topics)', () => {
    const tracker = new OffsetTracker(['5', '9']);
    tracker.complete('9');
    tracker.complete('5');
    expect(tracker.advance()).toBe('10');
  });
});
