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

describe('OffsetTracker over a long-lived partition', () => {
  it('accepts offsets as they arrive and reports where a redelivery must restart', () => {
    const tracker = new OffsetTracker();
    tracker.track(['0', '1']);
    tracker.complete('1');
    expect(tracker.oldestPending).toBe('0');
    tracker.track(['2']);
    tracker.complete('0');
    expect(tracker.advance()).toBe('2');
    expect(tracker.oldestPending).toBe('2');
    tracker.complete('2');
    expect(tracker.advance()).toBe('3');
    expect(tracker.oldestPending).toBeNull();
  });

  it('stays correct after compacting thousands of committed offsets', () => {
    const tracker = new OffsetTracker();
    for (let i = 0; i < 5000; i++) {
      tracker.track([String(i)]);
      tracker.complete(String(i));
      expect(tracker.advance()).toBe(String(i + 1));
    }
  });
});
