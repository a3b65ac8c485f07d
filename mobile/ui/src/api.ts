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
  org_name: string | null;
  user_name: string | null;
  email: string | null;
  server: string | null;
  pending: number;
  rejected: number;
  default_server: string;
}

export interface Site {
  id: string;
  reference: string;
  name: string;
  address: string;
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
  messages: Message[];
  pending: boolean;
}

export interface Issue {
  id: string;
  title: string;
  location: string;
  category: string;
  priority: string;
  status: string;
  photos: string[];
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

export interface Report {
  photos_uploaded: number;
  applied: number;
  duplicates: number;
  rejected: number;
  pulled: number;
  notifications: { title: string; body: string }[];
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
  logIssue: (form: { site_id: string; title: string; description: string; location: string; category: string; priority: string; photos: string[] }) =>
    invoke<string>('log_issue', { form }),
  raiseTicket: (form: { site_id: string; subject: string; body: string; category: string; priority: string; photos: string[] }) =>
    invoke<string>('raise_ticket', { form }),
  updateWorkOrder: (id: string, to: string | null, note: string | null, photos: string[]) => invoke<void>('update_work_order', { id, to, note, photos }),
  replyTicket: (id: string, body: string, internal: boolean) => invoke<void>('reply_ticket', { id, body, internal }),
  outbox: () => invoke<OutboxItem[]>('outbox'),
  retry: (seq: number) => invoke<void>('retry', { seq }),
  discard: (seq: number) => invoke<void>('discard', { seq }),
  syncNow: () => invoke<Report>('sync_now'),
};
