// The bridge to the app's Rust core. Every call returns data or throws an AppError with a
// stable code the screens react to ("offline", "invalid", "not_signed_in", …).
import { invoke } from '@tauri-apps/api/core';

export interface AppError {
  code: string;
  message: string;
  fields: { field: string; message: string }[];
}

export interface Account {
  signed_in: boolean;
  org: string | null;
  org_name: string | null;
  user_name: string | null;
  email: string | null;
  server: string | null;
  pending: number;
  rejected: number;
  last_synced_at: number | null;
  default_server: string;
}

export interface Building {
  id: string;
  name: string;
}

export interface Site {
  id: string;
  reference: string;
  name: string;
  address: string;
  buildings: Building[];
  open_tickets: number;
  open_issues: number;
  open_work_orders: number;
}

export interface Message {
  author: string;
  body: string;
  internal: boolean;
  created_at: number;
}

export interface Ticket {
  id: string;
  reference: string;
  subject: string;
  category: string;
  priority: string;
  status: string;
  reporter: string | null;
  created_at: number;
  messages: Message[];
  photos: string[];
  pending: boolean;
}

export interface HistoryStep {
  at: number;
  who: string;
  what: string;
}

export interface Issue {
  id: string;
  title: string;
  description: string;
  location: string;
  category: string;
  priority: string;
  status: string;
  building_id: string | null;
  ticket_id: string | null;
  work_order_id: string | null;
  reported_by: string;
  created_at: number;
  photos: string[];
  history: HistoryStep[];
  pending: boolean;
}

export interface WorkOrder {
  id: string;
  reference: string;
  title: string;
  scope: string;
  priority: string;
  status: string;
  contractor: string | null;
  deadline: string | null;
  photos: string[];
  pending: boolean;
  next: string[];
}

export interface SiteWork {
  tickets: Ticket[];
  issues: Issue[];
  work_orders: WorkOrder[];
}

export interface OutboxItem {
  seq: number;
  kind: string;
  summary: string;
  state: 'pending' | 'rejected';
  reason: string | null;
  created_at: number;
}

export interface AppNotification {
  title: string;
  body: string;
  /** The record a tap opens: ticket/<id>, issue/<id> or work_order/<id>. */
  record: string;
}

export interface Report {
  photos_uploaded: number;
  photos_downloaded: number;
  applied: number;
  duplicates: number;
  rejected: number;
  pulled: number;
  notifications: AppNotification[];
}

export interface Found {
  kind: 'ticket' | 'issue' | 'work_order';
  id: string;
  site_id: string;
  title: string;
  detail: string;
  priority: string;
  status: string;
}

export interface IssueDraft {
  site_id: string;
  building_id: string | null;
  ticket_id: string | null;
  title: string;
  description: string;
  location: string;
  category: string;
  priority: string;
  photos: string[];
}

export function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

/** Whether a code request sent a new code, and what to tell the person. */
export interface CodeSent {
  status: 'sent' | 'already_sent';
  message: string;
}

export const api = {
  account: () => invoke<Account>('account'),
  requestCode: (server: string, org: string, email: string) =>
    invoke<CodeSent>('request_code', { server, org, email }),
  signIn: (server: string, org: string, email: string, code: string) => invoke<Account>('sign_in', { server, org, email, code }),
  signOut: () => invoke<void>('sign_out'),
  sites: () => invoke<Site[]>('sites'),
  siteWork: (siteId: string) => invoke<SiteWork>('site_work', { siteId }),
  stashPhoto: (bytes: Uint8Array) => invoke<string>('stash_photo', bytes),
  logIssue: (form: IssueDraft) => invoke<string>('log_issue', { form }),
  linkIssue: (id: string, buildingId: string | null, ticketId: string | null) => invoke<void>('link_issue', { id, buildingId, ticketId }),
  search: (query: string) => invoke<Found[]>('search', { query }),
  recentLocations: (siteId: string) => invoke<string[]>('recent_locations', { siteId }),
  photo: (sha256: string) => invoke<ArrayBuffer>('photo', { sha256 }),
  features: () => invoke<{ camera: boolean }>('features'),
  listenForPushes: () => invoke<void>('listen_for_pushes'),
  raiseTicket: (form: { site_id: string; subject: string; body: string; category: string; priority: string; photos: string[] }) =>
    invoke<string>('raise_ticket', { form }),
  updateWorkOrder: (id: string, to: string | null, note: string | null, photos: string[]) => invoke<void>('update_work_order', { id, to, note, photos }),
  replyTicket: (id: string, body: string, internal: boolean) => invoke<void>('reply_ticket', { id, body, internal }),
  outbox: () => invoke<OutboxItem[]>('outbox'),
  retry: (seq: number) => invoke<void>('retry', { seq }),
  discard: (seq: number) => invoke<void>('discard', { seq }),
  syncNow: () => invoke<Report>('sync_now'),
};
