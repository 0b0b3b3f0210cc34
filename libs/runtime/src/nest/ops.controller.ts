import { Controller, Get, Header, HttpCode, Res, ServiceUnavailableException } from '@nestjs/common';
import { StageExplorer } from './stage-explorer.js';
import { SpineContext } from './spine-context.js';

/** Liveness, readiness and Prometheus metrics; unauthenticated by design (bind ops ports to private networks). */
@Controller()
export class OpsController {
  constructor(
    private readonly context: SpineContext,
    private readonly stages: StageExplorer,
  ) {}

  @Get('health/live')
  live() {
    return { status: 'ok', service: this.context.service };
  }

  @Get('health/ready')
  @HttpCode(200)
  ready() {
    const stages = this.stages.runners.map((r) => r.status);
    // Not ready while Kafka does not answer (probed every second or so), so traffic goes to healthy instances.
    const broker = this.context.broker.status;
    const ready = this.context.producer.isConnected && broker.healthy && this.stages.runners.every((r) => r.ready);
    const body = { status: ready ? 'ready' : 'not-ready', service: this.context.service, producer: this.context.producer.isConnected, broker, stages };
    if (!ready) throw new ServiceUnavailableException(body);
    return body;
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  async metrics(@Res({ passthrough: true }) _res: unknown): Promise<string> {
    return this.context.metrics.registry.metrics();
  }
}
