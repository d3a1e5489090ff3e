import type { DomainState } from '../libvirt/index.js';

/** The states in words, as the messages say them. */
export function stateWords(state: DomainState): string {
  switch (state) {
    case 'shutoff':
      return 'shut off';
    case 'pmsuspended':
      return 'suspended by the guest';
    case 'nostate':
    case 'unknown':
      return 'in an unknown state';
    case 'blocked':
      return 'running';
    default:
      return state;
  }
}
