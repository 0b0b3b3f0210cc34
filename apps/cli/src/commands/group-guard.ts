import type { Admin } from 'kafkajs';

/** Kafka refuses offset changes for a group with members; say which members, and what to stop. */
export async function assertGroupStopped(admin: Admin, groupId: string, service: string): Promise<void> {
  const group = (await admin.describeGroups([groupId])).groups[0];
  if (group && group.members.length) {
    const members = group.members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ');
    throw new Error(`group ${groupId} has ${group.members.length} active member(s) (${members}): stop the ${service} service first`);
  }
}
