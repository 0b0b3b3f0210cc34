import { BadRequestException, Controller, Delete, HttpCode, HttpStatus, Inject, Param, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type pg from 'pg';
import { describePrincipal, ErasureCoordinator, type ErasureReport } from '@spine/edge';
import { spinePlatform } from '@spine/platform';
import { PG_POOL, databaseSchema } from '@spine/postgres';
import { ApiKeyGuard, principalOf, RequireScopes } from '@spine/runtime';
import { deploymentFromEnv, resolveTopic } from '@spine/topology';
import { SERVICE_NAME } from './config.js';

/**
 * GDPR erasure: `DELETE /v1/customers/:id` (scope `admin`) deletes the customer's rows from every store that
 * declared personal data in this deployment's schema (AI results, customer features, card activity, ...) in
 * one transaction with its audit-log entry, and reports what is still in Kafka and when it ages out.
 */
@ApiTags('customers')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@UseGuards(ApiKeyGuard)
@RequireScopes('admin')
@Controller('v1/customers')
export class CustomersController {
  private readonly erasure: ErasureCoordinator;

  constructor(@Inject(PG_POOL) pool: pg.Pool) {
    const deployment = deploymentFromEnv();
    this.erasure = new ErasureCoordinator(pool, { schema: databaseSchema(), topics: spinePlatform.topics.map((t) => resolveTopic(t, deployment)) });
  }

  @Delete(':customerId')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "Erase a customer's personal data (GDPR art. 17)",
    description:
      'Deletes the rows of every store that declared personal data (found in the schema, not listed here), records the erasure in the ' +
      'audit log, and lists per Kafka topic when the records already written there age out (Kafka cannot delete single records).',
  })
  @ApiParam({ name: 'customerId', description: 'The customer id the business systems use (customerId in events).' })
  @ApiOkResponse({ description: 'Erased: rows per store and table, the audit entry id, what remains in Kafka until when.' })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid credentials.' })
  @ApiForbiddenResponse({ description: 'The credential lacks the scope admin.' })
  async erase(@Param('customerId') customerId: string, @Req() request: object): Promise<ErasureReport> {
    try {
      return await this.erasure.eraseCustomer(customerId, describePrincipal(principalOf(request)), SERVICE_NAME);
    } catch (error) {
      if (error instanceof RangeError) {
        throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: error.message, issues: [{ field: 'customerId', message: error.message }] });
      }
      throw error;
    }
  }
}
