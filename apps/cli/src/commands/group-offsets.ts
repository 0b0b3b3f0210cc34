export { setGroupOffsets, type GroupOffset } from '@spine/operations';
