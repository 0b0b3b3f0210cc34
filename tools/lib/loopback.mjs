// The tools only ever talk to this machine: a broker or database URL outside this set is refused up front.
export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
