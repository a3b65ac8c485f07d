// How the app says things: labels for codes, and dates the UK way, in UK time.

const LABELS: Record<string, string> = {
  draft: 'Draft',
  sent_for_quote: 'Sent for quote',
  quoted: 'Quoted',
  approved: 'Approved',
  in_progress: 'In progress',
  completed: 'Completed',
  pending_review: 'Pending review',
  closed: 'Closed',
  cancelled: 'Cancelled',
  open: 'Open',
  triaged: 'Triaged',
  assigned: 'Assigned',
  waiting_on_customer: 'Waiting on resident',
  resolved: 'Resolved',
  dismissed: 'Dismissed',
  converted: 'Work order raised',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
};

export const label = (code: string): string => LABELS[code] ?? code.charAt(0).toUpperCase() + code.slice(1).replace(/_/g, ' ');

export const ISSUE_CATEGORIES: [string, string][] = [
  ['water_leak', 'Water leak'],
  ['lighting_fault', 'Lighting fault'],
  ['fire_safety', 'Fire safety'],
  ['security', 'Security'],
  ['cleanliness', 'Cleanliness'],
  ['other', 'Other'],
];

export const TICKET_CATEGORIES: [string, string][] = [
  ['maintenance', 'Maintenance'],
  ['complaint', 'Complaint'],
  ['query', 'Query'],
  ['antisocial_behaviour', 'Antisocial behaviour'],
  ['compliance', 'Compliance'],
  ['insurance', 'Insurance'],
  ['account', 'Account'],
  ['other', 'Other'],
];

export const PRIORITIES: [string, string][] = [
  ['low', 'Low'],
  ['medium', 'Medium'],
  ['high', 'High'],
  ['urgent', 'Urgent'],
];

const ZONE = 'Europe/London';
const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: ZONE });
const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: ZONE });

/** A calendar date (`2026-12-28`) as people write it here: 28 Dec 2026. */
export function ukDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  if (!y || !m || !d) return isoDate;
  return dayFormat.format(new Date(Date.UTC(y, m - 1, d, 12)));
}

/** An instant (microseconds since the epoch): "10:42" today, else "3 Dec 2026, 10:42". */
export function ukTime(micros: number, now = new Date()): string {
  const at = new Date(micros / 1000);
  const time = timeFormat.format(at);
  return dayFormat.format(at) === dayFormat.format(now) ? time : `${dayFormat.format(at)}, ${time}`;
}

/** How long ago, for the last sync: "just now", "4 min ago", then the time itself. */
export function ago(micros: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - micros / 1000) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `at ${ukTime(micros)}`;
}

/** Whether a due date has passed, in UK days. */
export function overdue(isoDate: string, now = new Date()): boolean {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(now);
  return isoDate < today;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
