//! Normalises whatever a transport rejects with into the engine's `ApiError` shape, so the UI
//! only ever matches on `code`, never on message strings.

import type { ApiError, ErrorCode } from '../bindings';

export function isApiError(x: unknown): x is ApiError {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { code?: unknown }).code === 'string' &&
    typeof (x as { message?: unknown }).message === 'string'
  );
}

export function apiError(code: ErrorCode, message: string): ApiError {
  return { code, message };
}

export function toApiError(x: unknown): ApiError {
  if (isApiError(x)) return { code: x.code, message: x.message };
  if (x instanceof Error) return apiError('internal', x.message);
  if (typeof x === 'string') return apiError('internal', x);
  return apiError('internal', 'Unknown error');
}

/** A human title for each code (the message says the details). */
const TITLES: Record<ErrorCode, string> = {
  keychain_unavailable: 'Keychain unavailable',
  port_in_use: 'Port in use',
  database_corrupt: 'Database corrupt',
  database_too_new: 'Database from a newer version',
  storage_full: 'Disk full',
  database: 'Database error',
  not_found: 'Not found',
  bad_request: 'Bad request',
  unauthorized: 'Not authorized',
  unknown_command: 'Unknown command',
  internal: 'Internal error',
};

export function errorTitle(code: string): string {
  return (TITLES as Record<string, string>)[code] ?? 'Error';
}
