import { GenericContainer, Wait } from 'testcontainers';
import { KafkaContainer } from '@testcontainers/kafka';
import { PostgreSqlContainer } from '@testcontainers/postgresql';

/** The same stack as docker-compose.yml, for machines with a Docker engine. Containers are reaped by Ryuk. */
export async function startContainers(): Promise<Record<string, string>> {
  const [kafka, postgres] = await Promise.all([
    new KafkaContainer('apache/kafka:4.4.0').withKraft().start(),
    new PostgreSqlContainer('postgres:17').withDatabase('spine').withUsername('spine').withPassword('spine').start(),
  ]);
  const registry = await new GenericContainer('apicurio/apicurio-registry:3.3.3')
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .start();
  return {
    KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
    DATABASE_URL: postgres.getConnectionUri(),
  };
}
