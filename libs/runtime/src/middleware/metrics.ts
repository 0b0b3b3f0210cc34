import type { StageMiddleware } from './types.js';

/** Records in, in flight, produced and the time from fetch to acknowledged outputs, per stage. */
export const metricsMiddleware: StageMiddleware = async (context, next) => {
  const { metrics, codecs } = context.services;
  const stage = context.stage.name;
  const started = process.hrtime.bigint();
  metrics.recordsIn.inc({ stage, topic: context.topic });
  metrics.inFlight.inc({ stage });
  try {
    const emits = await next();
    for (const emit of emits) metrics.recordsOut.inc({ stage, topic: codecs.get(emit.topic).name });
    metrics.handlerSeconds.observe({ stage }, Number(process.hrtime.bigint() - started) / 1e9);
    return emits;
  } finally {
    metrics.inFlight.dec({ stage });
  }
};
