// Typed GraphQL errors: every refusal carries `extensions.code` (a stable string clients branch on) and a
// human message. ActionResult codes from the node map one to one; the API adds its own envelope, auth and
// protection codes.
import { createGraphQLError } from 'graphql-yoga'
import type { GraphQLError } from 'graphql'
import type { ActionErrorCode } from './view.ts'

export type ApiErrorCode =
  | ActionErrorCode
  | 'WRONG_TX_TYPE' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT'
  | 'QUERY_TOO_DEEP' | 'QUERY_TOO_COSTLY' | 'BODY_TOO_LARGE' | 'NOT_AVAILABLE'

/** HTTP status that goes with a code when the refusal happens before GraphQL execution. */
export const HTTP_STATUS: Partial<Record<ApiErrorCode, number>> = { RATE_LIMITED: 429, BODY_TOO_LARGE: 413 }

export function apiError(code: ApiErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return createGraphQLError(message, { extensions: { code, ...extra } })
}

/** A GraphQL-shaped JSON body for refusals made outside GraphQL (rate limit, body size). */
export function errorBody(code: ApiErrorCode, message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] })
}
