import type { ProvenanceStep } from '@ledgerkit/example-supply-chain';
import type { Participant } from './api.ts';

/**
 * A party as people read it: the participant's name, with the backend's id shortened.
 *
 * @param party - a service identity, an Ethereum address, an MSP id or `MSPID:name`
 * @param participants - the backend's participants
 * @returns e.g. `North Haulage (0x3C44…93BC)`
 */
export function partyName(party: string | null, participants: readonly Participant[]): string {
  if (party === null) return '—';
  const known = participants.find((participant) => participant.party === party);
  if (known) return known.party === known.name ? known.label : `${known.label} (${short(known.party)})`;
  const org = participants.filter((participant) => participant.party.split(':')[0] === party);
  if (org.length > 0) return `${party} (${org.map((participant) => participant.label).join(', ')})`;
  return short(party);
}

function short(id: string): string {
  return id.length > 16 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id;
}

/**
 * One line per step for the timeline.
 *
 * @param step - a provenance step
 * @param participants - to name parties
 * @returns what happened, in words
 */
export function describeStep(step: ProvenanceStep, participants: readonly Participant[]): string {
  const by = partyName(step.by, participants);
  switch (step.kind) {
    case 'registered':
      return `${by} registered ${step.product} (limit ${step.maxTemperature} °C)`;
    case 'custody-offered':
      return `${by} offered custody to ${partyName(step.to, participants)}`;
    case 'custody-accepted':
      return `${by} took custody from ${partyName(step.from, participants)}`;
    case 'checkpoint':
      return `${by} recorded checkpoint ${step.sequence} at ${step.location}: ${step.temperature} °C${step.excursion ? ' — above the limit, batch flagged' : ''}`;
    case 'received':
      return `${by} received the batch (final)`;
  }
}

/**
 * A time for people.
 *
 * @param iso - ISO 8601
 * @returns local date and time
 */
export function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
